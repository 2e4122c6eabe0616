/* SPDX-License-Identifier: GPL-2.0 */
/*
 * server/worker.c (and lua.c) compiled into a fuzz target, on fake
 * sockets.  The socket calls worker.c makes are redirected here:
 *
 *   recvmsg   returns the bytes the fuzz input scripted for the
 *             connection, in reads of a scripted size, with the control
 *             messages ktls_lua.ko and tls.ko would add (record type,
 *             verdicts), put the way the kernel's put_cmsg puts them
 *   send      takes every byte and checks the response head in it
 *   sendfile  checks the file and the range, reads them for real
 *   sendmsg, shutdown   accepted
 *
 * so a target drives the server's own code: conn_new, on_established,
 * on_conn_event (read_once, process, respond, do_write), conn_close.  The
 * kernel hook's ioctls and the kTLS key move are stubbed (they succeed).
 * Everything else (http_parse.c, http_util.c, mime.c) is linked as is.
 */
#ifndef KTLS_LUA_FUZZ_WORKER_H
#define KTLS_LUA_FUZZ_WORKER_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
#include <linux/tls.h>
#include <linux/ktls_lua.h>
#include <gnutls/gnutls.h>

#include "fuzz.h"
#include "docroot.h"

#define FX_FD_BASE	900000	/* fake connection fds: no real fd is that high */
#define FX_READS_MAX	64
#define FX_VERDICTS_MAX	8

struct fx_verdict {
	int code;
	size_t flen;
	const char *file;
};

struct fx_read {
	const uint8_t *p;
	size_t n;
	unsigned char rectype;		/* 23 data, 21 alert */
	int nverdicts;			/* given with the last byte of this read */
	struct fx_verdict v[FX_VERDICTS_MAX];
};

/* What the peer of the connection being served does. */
struct fx_peer {
	struct fx_read r[FX_READS_MAX];
	int nreads, cur;
	size_t off;			/* into r[cur] */
	int eof;			/* after the reads: 0 (peer closed) */
	void *conn;			/* struct conn * being served */
	int responses;
};

static struct fx_peer fx_peer;

static void fx_put_cmsg(struct msghdr *m, size_t *used, int level, int type,
			const void *data, size_t len)
{
	size_t cmlen = CMSG_LEN(len), room = m->msg_controllen - *used;
	struct cmsghdr *c;

	if (!m->msg_control || room < sizeof(struct cmsghdr)) {
		m->msg_flags |= MSG_CTRUNC;
		return;
	}
	if (room < cmlen) {
		m->msg_flags |= MSG_CTRUNC;
		cmlen = room;
	}
	c = (struct cmsghdr *)(void *)((char *)m->msg_control + *used);
	c->cmsg_len = cmlen;
	c->cmsg_level = level;
	c->cmsg_type = type;
	memcpy(CMSG_DATA(c), data, cmlen - CMSG_LEN(0));
	*used += CMSG_SPACE(len);
	if (*used > m->msg_controllen)
		*used = m->msg_controllen;
}

static ssize_t fx_recvmsg(int fd, struct msghdr *m, int flags)
{
	struct fx_peer *p = &fx_peer;
	struct fx_read *r;
	size_t n, used = 0;
	char *dst;

	(void)flags;
	FUZZ_CHECK(fd >= FX_FD_BASE && m->msg_iovlen == 1);
	m->msg_flags = 0;
	if (p->cur >= p->nreads) {
		m->msg_controllen = 0;
		if (p->eof)
			return 0;
		errno = EAGAIN;
		return -1;
	}
	r = &p->r[p->cur];
	n = r->n - p->off;
	if (n > m->msg_iov[0].iov_len)
		n = m->msg_iov[0].iov_len;
	dst = m->msg_iov[0].iov_base;
	memcpy(dst, r->p + p->off, n);
	p->off += n;
	if (m->msg_control && m->msg_controllen)
		fx_put_cmsg(m, &used, SOL_TLS, TLS_GET_RECORD_TYPE, &r->rectype, 1);
	if (p->off == r->n) {
		for (int i = 0; i < r->nverdicts; i++) {
			static char buf[sizeof(struct tls_lua_verdict) + TLS_LUA_FILE_MAX];
			struct tls_lua_verdict *v = (void *)buf;
			size_t fl = r->v[i].flen < TLS_LUA_FILE_MAX - 1 ?
				    r->v[i].flen : TLS_LUA_FILE_MAX - 1;

			memset(v, 0, sizeof(*v));
			v->code = r->v[i].code;
			v->file_len = (uint32_t)fl;
			memcpy(buf + sizeof(*v), r->v[i].file, fl);
			buf[sizeof(*v) + fl] = '\0';
			fx_put_cmsg(m, &used, SOL_TLS, TLS_LUA_VERDICT, buf,
				    sizeof(*v) + fl + 1);
		}
		p->cur++;
		p->off = 0;
	}
	m->msg_controllen = used;
	return (ssize_t)n;
}

static void fx_check_head(const char *b, size_t n);

static ssize_t fx_send(int fd, const void *b, size_t n, int flags)
{
	(void)flags;
	FUZZ_CHECK(fd >= FX_FD_BASE);
	fx_check_head(b, n);
	return (ssize_t)n;
}

static ssize_t fx_sendfile(int out, int in, off_t *off, size_t count)
{
	static char tmp[65536];
	struct stat st;

	FUZZ_CHECK(out >= FX_FD_BASE && off);
	FUZZ_CHECK(docroot_inside(in));
	FUZZ_CHECK(fstat(in, &st) == 0);
	FUZZ_CHECK(*off >= 0 && (off_t)count <= st.st_size - *off);
	if (count > sizeof(tmp))
		count = sizeof(tmp);
	FUZZ_CHECK(pread(in, tmp, count, *off) == (ssize_t)count);
	*off += (off_t)count;
	return (ssize_t)count;
}

static ssize_t fx_sendmsg(int fd, const struct msghdr *m, int flags)
{
	(void)m, (void)flags;
	FUZZ_CHECK(fd >= FX_FD_BASE);
	return 2;
}

static int fx_shutdown(int fd, int how)
{
	(void)how;
	FUZZ_CHECK(fd >= FX_FD_BASE);
	return 0;
}

/* The TLS handshake is not what these targets fuzz: it succeeds at once
 * (the server may run it from conn_new or from an event). */
static int fx_handshake(gnutls_session_t s)
{
	(void)s;
	return 0;
}

#define gnutls_handshake fx_handshake
#define recvmsg fx_recvmsg
#define send fx_send
#define sendfile fx_sendfile
#define sendmsg fx_sendmsg
#define shutdown fx_shutdown
#include "../server/worker.c"
#include "../server/lua.c"
#undef gnutls_handshake
#undef recvmsg
#undef send
#undef sendfile
#undef sendmsg
#undef shutdown

int khook_open(char *err, size_t errlen)
{
	(void)err, (void)errlen;
	return FX_FD_BASE - 1;
}

int khook_load(int dev, const char *path, const char *entry,
	       unsigned long long mem, unsigned long long instr,
	       char *err, size_t errlen)
{
	(void)dev, (void)path, (void)entry, (void)mem, (void)instr;
	(void)err, (void)errlen;
	return FX_FD_BASE - 2;
}

int khook_attach(int dev, int sockfd, int hookfd)
{
	(void)dev, (void)sockfd, (void)hookfd;
	return 0;
}

int ktls_gnutls_enable(gnutls_session_t session, int fd, unsigned int dirs,
		       void *drained, size_t drained_cap, size_t *drained_len,
		       char *err, size_t errlen)
{
	(void)session, (void)fd, (void)dirs, (void)drained, (void)drained_cap;
	(void)err, (void)errlen;
	*drained_len = 0;
	return 0;
}

/* A response head as the server sends it, with what follows in the same
 * send: well formed, nothing injected, Content-Length true. */
static void fx_check_head(const char *b, size_t n)
{
	struct conn *c = fx_peer.conn;
	size_t he, i;
	int status, ncl = 0;
	long long cl = -1;

	FUZZ_CHECK(c && n > 0);
	if (c->hoff != 0)	/* the rest of a head a short send left */
		return;
	fx_peer.responses++;
	he = http_head_end(b, n);
	FUZZ_CHECK(he >= 17 && !memcmp(b, "HTTP/1.1 ", 9));
	status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
	FUZZ_CHECK(status >= 200 && status <= 599 && b[12] == ' ');
	for (i = 0; i < he; i++) {
		unsigned char ch = (unsigned char)b[i];

		if (ch == '\n')
			FUZZ_CHECK(i > 0 && b[i - 1] == '\r');
		else if (ch == '\r')
			FUZZ_CHECK(i + 1 < he && b[i + 1] == '\n');
		else
			FUZZ_CHECK(ch >= 0x20 && ch != 0x7f);
	}
	for (i = 0; i + 18 < he; i++) {
		if (memcmp(b + i, "\r\nContent-Length: ", 18))
			continue;
		ncl++;
		cl = strtoll(b + i + 18, NULL, 10);
	}
	FUZZ_CHECK(ncl <= 1);
	if (status == 304)
		FUZZ_CHECK(ncl == 0 && he == n);
	if (c->file && c->boff < c->bend) {
		FUZZ_CHECK(status == 200 || status == 206);
		FUZZ_CHECK(docroot_inside(c->file->fd));
		FUZZ_CHECK(cl == c->bend - c->boff && he == n);
	} else if (he < n) {
		FUZZ_CHECK(cl == (long long)(n - he));	/* an error page */
	}
}

static struct tls_ctx fx_tls;

/* A worker as worker_run() sets one up, minus the event loop. */
static struct worker *fx_worker(int docfd, enum lua_mode lua, const char *script)
{
	static const char types[] = "text/html html htm\ntext/css css\n"
				    "text/javascript js\ntext/plain txt\n";
	struct worker *w = calloc(1, sizeof(*w));
	struct config *cf = calloc(1, sizeof(*cf));
	char err[512];

	if (!w || !cf)
		abort();
	if (!fx_tls.cred) {
		if (gnutls_certificate_allocate_credentials(&fx_tls.cred) < 0 ||
		    gnutls_priority_init(&fx_tls.prio, "NORMAL", NULL) < 0)
			abort();
	}
	*cf = (struct config){
		.port = 8443, .entry = "recv", .max_conns = 64, .workers = 1,
		.tls_kernel = 1, .lua = lua, .script = script,
		.t_handshake = 10000, .t_idle = 30000, .t_header = 10000,
		.t_grace = 1000, .t_linger = 2000,
		.lim = { .max_head = 8192, .max_uri = 4096, .max_headers = 64 },
		.lua_mem = 4 << 20, .lua_instr = 1000000,
	};
	w->cf = cf;
	w->tls = &fx_tls;
	w->lfd = w->sfd = w->ep = -1;
	w->kdev = w->hookfd = -1;
	w->rcap = cf->lim.max_head;
	w->tdur[T_HANDSHAKE] = cf->t_handshake;
	w->tdur[T_IDLE] = cf->t_idle;
	w->tdur[T_HEADER] = cf->t_header;
	w->tdur[T_WRITE] = cf->t_idle;
	w->tdur[T_LINGER] = cf->t_linger;
	w->docfd = docfd;
	w->mime = mime_parse(types, sizeof(types) - 1);
	if (!w->mime)
		abort();
	/* the access log is on, as by default, into /dev/null */
	w->logfd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	w->logbuf = malloc(LOGBUF_CAP);
	if (w->logfd < 0 || !w->logbuf)
		abort();
	if (lua != LUA_OFF) {
		w->ulua = ulua_new(script, "recv", cf->lua_mem, cf->lua_instr,
				   err, sizeof(err));
		if (!w->ulua) {
			fprintf(stderr, "fuzz: %s\n", err);
			abort();
		}
	}
	if (lua == LUA_KERNEL) {
		w->kdev = khook_open(err, sizeof(err));
		w->hookfd = khook_load(w->kdev, script, "recv", 0, 0, err, sizeof(err));
	}
	tick(w);
	return w;
}

/*
 * Serve one connection whose peer does what fx_peer says: accept, the
 * handshake's end (kTLS, the hook attached), then read events until the
 * server closes it or has nothing more to read.  Returns 1 if the server
 * closed it.
 */
static int fx_serve(struct worker *w, int fd)
{
	struct sockaddr_storage sa;
	struct sockaddr_in *in = (struct sockaddr_in *)&sa;
	struct conn *c;
	unsigned int before = w->nconns;
	int closed = 0;

	/* conn_new takes the head of the free list: know which it is */
	if (!w->free_conns) {
		c = calloc(1, sizeof(*c) + w->rcap);
		if (!c)
			abort();
		c->next_free = NULL;
		w->free_conns = c;
	}
	c = w->free_conns;
	memset(&sa, 0, sizeof(sa));
	in->sin_family = AF_INET;
	in->sin_addr.s_addr = htonl(0xc0000201);
	fx_peer.conn = c;
	conn_new(w, fd, &sa);
	if (w->nconns == before)
		return 1;
	if (c->state == ST_HANDSHAKE)	/* conn_new did not run the handshake */
		on_established(w, c);
	/* the fixture must reach the server's read path: if a change in
	 * worker.c breaks that, say so instead of fuzzing nothing */
	FUZZ_CHECK(w->nconns == before + 1 && c->state == ST_READ && c->ktls && !c->tls);
	for (int i = 0; i < 4 * FX_READS_MAX; i++) {
		int cur = fx_peer.cur;
		size_t off = fx_peer.off;

		if (w->nconns == before)
			break;
		on_conn_event(w, c, EPOLLIN);
		if (fx_peer.cur == cur && fx_peer.off == off)
			break;	/* nothing more was read */
	}
	closed = w->nconns == before;
	if (!closed && w->nconns > before)
		conn_close(w, c, 0);
	fx_peer.conn = NULL;
	return closed;
}

#endif
