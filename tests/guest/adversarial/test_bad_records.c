// SPDX-License-Identifier: GPL-2.0
/*
 * Garbled and forged TLS records after the handshake, at the socket
 * (issue 7).  The receiving socket is a kTLS socket (TLS 1.3,
 * AES-128-GCM) with keys this test chose; the sender is a plain TCP socket
 * on which the test writes records it encrypted itself (GnuTLS AEAD), so
 * every byte can be forged.  Each case runs twice, on an unhooked and on a
 * hooked socket: the hook must change nothing (same bytes, same errno:
 * EBADMSG for a record that does not decrypt, EMSGSIZE/EINVAL for a bad
 * header, EIO for a non-data record on recv), must not see bad records,
 * and must see the good ones.
 */
#include <fcntl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/tls.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "common/tls_pair.h"
#include "common/hook_util.h"
#include "adv.h"

#ifndef TCP_ULP
#define TCP_ULP 31
#endif

static const unsigned char key[16] = "0123456789abcdef";
static const unsigned char salt[4] = { 1, 2, 3, 4 };
static const unsigned char ivx[8] = { 5, 6, 7, 8, 9, 10, 11, 12 };

/* One TLS 1.3 record: header, AEAD(data || type), with sequence seq. */
static size_t make_record(unsigned char *out, unsigned char type, const void *data,
			  size_t len, uint64_t seq)
{
	gnutls_aead_cipher_hd_t h;
	gnutls_datum_t k = { (unsigned char *)key, sizeof(key) };
	unsigned char nonce[12], inner[2048];
	size_t clen = len + 1 + 16;

	memcpy(nonce, salt, 4);
	memcpy(nonce + 4, ivx, 8);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] ^= (unsigned char)(seq >> (56 - 8 * i));
	memcpy(inner, data, len);
	inner[len] = type;
	out[0] = 0x17;
	out[1] = 3;
	out[2] = 3;
	out[3] = (unsigned char)(clen >> 8);
	out[4] = (unsigned char)clen;
	if (gnutls_aead_cipher_init(&h, GNUTLS_CIPHER_AES_128_GCM, &k))
		return 0;
	if (gnutls_aead_cipher_encrypt(h, nonce, 12, out, 5, 16, inner, len + 1,
				       out + 5, &clen)) {
		gnutls_aead_cipher_deinit(h);
		return 0;
	}
	gnutls_aead_cipher_deinit(h);
	return 5 + clen;
}

struct result {
	ssize_t n;
	int err;
	char data[64];
	int code;
	unsigned char rtype;
};

/* A kTLS RX socket with our key, hooked or not; cli is a plain TCP socket. */
static int setup(int hooked, int *cli, int *srv)
{
	struct tls12_crypto_info_aes_gcm_128 ci;
	struct timeval tv = { .tv_sec = 5 };

	if (tcp_pair_open(AF_INET, cli, srv))
		return -1;
	memset(&ci, 0, sizeof(ci));
	ci.info.version = TLS_1_3_VERSION;
	ci.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	memcpy(ci.key, key, 16);
	memcpy(ci.salt, salt, 4);
	memcpy(ci.iv, ivx, 8);
	if (setsockopt(*srv, SOL_TCP, TCP_ULP, "tls", sizeof("tls")) ||
	    setsockopt(*srv, SOL_TLS, TLS_RX, &ci, sizeof(ci)))
		return -1;
	setsockopt(*srv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (hooked && hook_attach_script(*srv,
			"calls = 0 function recv(d, c) calls = calls + 1 return 200, '/seen:' .. d end",
			"recv"))
		return -1;
	return 0;
}

typedef size_t (*forge_fn)(unsigned char *out);

static size_t f_valid(unsigned char *o) { return make_record(o, 23, "hello", 5, 0); }
static size_t f_tag(unsigned char *o)
{
	size_t n = make_record(o, 23, "hello", 5, 0);

	o[n - 1] ^= 0x80;
	return n;
}
static size_t f_cipher(unsigned char *o)
{
	size_t n = make_record(o, 23, "hello", 5, 0);

	o[6] ^= 1;
	return n;
}
static size_t f_seq(unsigned char *o) { return make_record(o, 23, "hello", 5, 7); }
static size_t f_header_len(unsigned char *o)
{
	size_t n = make_record(o, 23, "hello", 5, 0);

	o[3] = 0x48;	/* 18 KiB + : more than a record may hold */
	return n;
}
static size_t f_short_len(unsigned char *o)
{
	make_record(o, 23, "hello", 5, 0);
	o[3] = 0;
	o[4] = 8;	/* shorter than a tag */
	return 5 + 8;
}
static size_t f_version(unsigned char *o)
{
	size_t n = make_record(o, 23, "hello", 5, 0);

	o[2] = 1;
	return n;
}
static size_t f_plain(unsigned char *o)
{
	memcpy(o, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);
	return 27;
}
static size_t f_handshake(unsigned char *o) { return make_record(o, 22, "\x04\x00\x00\x00", 4, 0); }
static size_t f_alert(unsigned char *o) { return make_record(o, 21, "\x01\x00", 2, 0); }
static size_t f_no_type(unsigned char *o)
{
	/* all padding: the inner plaintext has no content type */
	static const unsigned char zeros[8];
	size_t n = make_record(o, 0, zeros, 7, 0);

	return n;
}
static size_t f_two_then_bad(unsigned char *o)
{
	size_t n = make_record(o, 23, "hello", 5, 0);

	n += make_record(o + n, 23, "world", 5, 3);	/* wrong sequence */
	return n;
}

static const struct {
	const char *name;
	forge_fn fn;
	int rst_after;	/* 1: the sender closes after sending */
} cases[] = {
	{ "valid record", f_valid, 0 },
	{ "flipped tag bit", f_tag, 0 },
	{ "flipped ciphertext bit", f_cipher, 0 },
	{ "wrong sequence number (replay/reorder)", f_seq, 0 },
	{ "header length over the limit", f_header_len, 0 },
	{ "header length shorter than a tag", f_short_len, 0 },
	{ "wrong version in the header", f_version, 0 },
	{ "plaintext instead of a record", f_plain, 0 },
	{ "handshake record (non-data)", f_handshake, 0 },
	{ "alert record (non-data)", f_alert, 0 },
	{ "padding only, no content type", f_no_type, 0 },
	{ "good record then a bad one", f_two_then_bad, 0 },
	{ "truncated record, then FIN", f_valid, 1 },
};

static void recv_one(int srv, struct result *r, int flags)
{
	struct ktls_lua_verdict v;

	memset(r, 0, sizeof(*r));
	errno = 0;
	r->n = ktls_lua_recv(srv, r->data, sizeof(r->data), flags, &v, &r->rtype);
	r->err = r->n < 0 ? errno : 0;
	r->code = v.code;
}

static void run_case(size_t i, int hooked, struct result res[3])
{
	unsigned char rec[4096];
	int cli, srv;
	size_t n;

	memset(res, 0, 3 * sizeof(*res));
	if (setup(hooked, &cli, &srv)) {
		res[0].n = -2;
		res[0].err = errno;
		return;
	}
	n = cases[i].fn(rec);
	if (cases[i].rst_after)
		n /= 2;
	send_all(cli, rec, n);
	if (cases[i].rst_after)
		shutdown(cli, SHUT_WR);
	recv_one(srv, &res[0], 0);
	recv_one(srv, &res[1], MSG_DONTWAIT);
	/* plain recv(): what an application without a control buffer sees */
	errno = 0;
	res[2].n = recv(srv, res[2].data, sizeof(res[2].data), MSG_DONTWAIT);
	res[2].err = res[2].n < 0 ? errno : 0;
	close(cli);
	close(srv);
}

static const char *ename(int e)
{
	return e ? (strerrorname_np(e) ? strerrorname_np(e) : "?") : "0";
}

int main(void)
{
	struct hook_counters c0, c1;
	long unrec0, unrec1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (access(KTLS_LUA_DEVICE, F_OK)) {
		adv_ok(0, "bad records: %s exists (ktls_lua.ko loaded)", KTLS_LUA_DEVICE);
		return adv_done();
	}
	gnutls_global_init();
	adv_settle();
	unrec0 = meminfo_kb("SUnreclaim");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct result plain[3], hooked[3];
		int same = 1;

		hook_counters(0, &c0);
		run_case(i, 0, plain);
		run_case(i, 1, hooked);
		hook_counters(0, &c1);
		for (int k = 0; k < 3; k++)
			if (plain[k].n != hooked[k].n || plain[k].err != hooked[k].err ||
			    (plain[k].n > 0 && memcmp(plain[k].data, hooked[k].data,
						      (size_t)plain[k].n)) ||
			    plain[k].rtype != hooked[k].rtype)
				same = 0;
		adv_ok(plain[0].n != -2 && hooked[0].n != -2 && same,
		       "bad records: %s: hooked socket behaves as plain kTLS "
		       "(reads: %zd/%s, %zd/%s, recv %zd/%s; hooked: %zd/%s, %zd/%s, %zd/%s)",
		       cases[i].name, plain[0].n, ename(plain[0].err), plain[1].n,
		       ename(plain[1].err), plain[2].n, ename(plain[2].err),
		       hooked[0].n, ename(hooked[0].err), hooked[1].n,
		       ename(hooked[1].err), hooked[2].n, ename(hooked[2].err));
		if (i == 0) {
			adv_ok(plain[0].n == 5 && !memcmp(plain[0].data, "hello", 5) &&
			       hooked[0].code == 200 && c1.calls > c0.calls,
			       "bad records: the test's own records decrypt, and the hook sees them "
			       "(verdict %d)", hooked[0].code);
		} else if (cases[i].fn == f_tag || cases[i].fn == f_cipher ||
			   cases[i].fn == f_seq) {
			adv_ok(plain[0].n < 0 && plain[0].err == EBADMSG,
			       "bad records: %s: the kernel reports EBADMSG (%s)",
			       cases[i].name, ename(plain[0].err));
		}
		if (i > 0 && cases[i].fn != f_two_then_bad && cases[i].fn != f_valid)
			adv_ok(c1.calls == c0.calls,
			       "bad records: %s: the hook is not run (%llu calls)",
			       cases[i].name, c1.calls - c0.calls);
	}
	adv_ok(hook_nsocks() == 0, "bad records: no socket left attached");
	adv_settle();
	unrec1 = meminfo_kb("SUnreclaim");
	adv_ok(unrec1 - unrec0 < 4096,
	       "bad records: unreclaimable slab back to baseline (+%ld KiB)", unrec1 - unrec0);
	return adv_done();
}
