// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: from the bytes a client sends and the verdicts the hook
 * gives, to the response ktls-httpd sends: server/worker.c's own read
 * path (read_once: the TLS_LUA_VERDICT and record-type control messages,
 * the verdict queue, user-space Lua), process(), respond*(), do_write()
 * and the access log, on fake sockets (fuzz/worker_fixture.h).  Input:
 *
 *   byte 0   bits 0-1: the verdicts' source: 0 none (--lua=off), 1 the
 *            kernel hook (control messages), 2 scripts/http.lua in user
 *            space (--lua=user), 3 the kernel hook, verdicts on the first
 *            read instead of the last; bits 2-4: the same bytes arrive on
 *            1..8 connections in one batch of events (the access log is
 *            flushed after it); bit 5: the last read is an alert record;
 *            bit 6: the peer closes after its reads
 *   byte 1   read size: 0 one read, else reads of 8 * byte 1 bytes
 *   byte 2   number of kernel verdicts (mod 9), then per verdict: 4 bytes
 *            code, 1 byte file length (scaled to 0..1100), the file
 *   the rest what the client sends
 *
 * Invariants (checked in the fake send/sendfile): every response head is
 * well formed (status line, CRLF lines, no bare CR or LF, no control
 * bytes: nothing a verdict or a request can inject); Content-Length says
 * what is sent; a body comes only from a regular file inside the docroot,
 * from a range inside that file.  ASan/UBSan: no memory error anywhere on
 * the way.
 */
#include "worker_fixture.h"

static struct worker *wk[3];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin f = { data, size };
	unsigned int b0 = fin_u8(&f), rsz = fin_u8(&f) * 8u;
	int src = (int)(b0 & 3), conns = 1 + (int)((b0 >> 2) & 7);
	int nv = (int)(fin_u8(&f) % 9);
	struct fx_verdict v[FX_VERDICTS_MAX];
	struct worker *w;

	if (!wk[0]) {
		int docfd = docroot_make();

		wk[0] = fx_worker(docfd, LUA_OFF, NULL);
		wk[1] = fx_worker(docfd, LUA_KERNEL, FUZZ_HTTP_LUA);
		wk[2] = fx_worker(docfd, LUA_USER, FUZZ_HTTP_LUA);
	}
	for (int i = 0; i < nv; i++) {
		const uint8_t *fp;

		v[i].code = (int)((uint32_t)fin_u16(&f) << 16 | fin_u16(&f));
		v[i].flen = fin_take(&f, 1100, &fp);
		v[i].file = (const char *)fp;
	}
	w = wk[src == 2 ? 2 : src == 0 ? 0 : 1];
	w->now_ms += 300;	/* some opens hit the file cache, some do not */

	for (int k = 0; k < conns; k++) {
		struct fx_peer *p = &fx_peer;
		size_t off = 0;

		memset(p, 0, sizeof(*p));
		while (off < f.n && p->nreads < FX_READS_MAX) {
			struct fx_read *r = &p->r[p->nreads++];

			r->p = f.p + off;
			r->n = rsz && f.n - off > rsz ? rsz : f.n - off;
			r->rectype = 23;
			off += r->n;
		}
		if (off < f.n)	/* the rest in a last read */
			p->r[p->nreads - 1].n += f.n - off;
		if (!p->nreads) {
			p->r[0].p = f.p;
			p->r[0].rectype = 23;
			p->nreads = 1;
		}
		if (src == 1 || src == 3) {
			struct fx_read *r = &p->r[src == 3 ? 0 : p->nreads - 1];

			r->nverdicts = nv;
			memcpy(r->v, v, sizeof(v[0]) * (size_t)nv);
		}
		if (b0 & 0x20) {
			static const uint8_t alert[2] = { 1, 0 };

			if (p->nreads < FX_READS_MAX) {
				struct fx_read *r = &p->r[p->nreads++];

				r->p = alert;
				r->n = 2;
				r->rectype = 21;
			}
		}
		p->eof = !!(b0 & 0x40);
		fx_serve(w, FX_FD_BASE + k);
	}
	/* the event loop flushes the log after each batch of events */
	if (w->loglen)
		log_flush(w);
	if (w->ulua)
		lua_gc(w->ulua->L, LUA_GCCOLLECT);
	return 0;
}
