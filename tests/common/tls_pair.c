// SPDX-License-Identifier: GPL-2.0
/* tls_pair: see tls_pair.h. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/tls.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ktls_lua_gnutls.h"
#include "tls_pair.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif
#ifndef TCP_ULP
#define TCP_ULP 31
#endif

static gnutls_certificate_credentials_t srv_cred, cli_cred;
static gnutls_datum_t ticket_key;

static void perr(struct tls_pair *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
}

/* A self-signed ECDSA P-256 certificate, made once per process. */
static int make_creds(struct tls_pair *p)
{
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
	unsigned char serial[4] = { 1, 2, 3, 4 };
	time_t now = time(NULL);
	int rc;

	if (srv_cred)
		return 0;
	gnutls_global_init();
	if ((rc = gnutls_x509_privkey_init(&key)) ||
	    (rc = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
			GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) ||
	    (rc = gnutls_x509_crt_init(&crt)) ||
	    (rc = gnutls_x509_crt_set_version(crt, 3)) ||
	    (rc = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial))) ||
	    (rc = gnutls_x509_crt_set_activation_time(crt, now - 3600)) ||
	    (rc = gnutls_x509_crt_set_expiration_time(crt, now + 86400)) ||
	    (rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
						0, "localhost", 9)) ||
	    (rc = gnutls_x509_crt_set_key(crt, key)) ||
	    (rc = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) ||
	    (rc = gnutls_certificate_allocate_credentials(&srv_cred)) ||
	    (rc = gnutls_certificate_set_x509_key(srv_cred, &crt, 1, key)) ||
	    (rc = gnutls_certificate_allocate_credentials(&cli_cred))) {
		perr(p, "certificate: %s", gnutls_strerror(rc));
		return -1;
	}
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	rc = gnutls_session_ticket_key_generate(&ticket_key);
	if (rc) {
		perr(p, "ticket key: %s", gnutls_strerror(rc));
		return -1;
	}
	return 0;
}

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int tcp_listen_any(int family)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if ((family == AF_INET6 ? bind(fd, (void *)&a6, sizeof(a6)) :
				  bind(fd, (void *)&a4, sizeof(a4))) < 0 ||
	    listen(fd, 128) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int tcp_pair_open(int family, int *cli, int *srv)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int l, c, s;

	if (!family)
		family = AF_INET;
	l = tcp_listen_any(family);
	if (l < 0)
		return -1;
	if (getsockname(l, (void *)&ss, &len) < 0)
		goto fail_l;
	c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0)
		goto fail_l;
	if (connect(c, (void *)&ss, len) < 0)
		goto fail_c;
	s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0)
		goto fail_c;
	close(l);
	*cli = c;
	*srv = s;
	return 0;
fail_c:
	close(c);
fail_l:
	close(l);
	return -1;
}

/* Lay out a crypto_info: info, iv, key, salt, rec_seq (linux/tls.h). */
static int fixed_info(unsigned char *b, int version, int cipher,
		      unsigned char k)
{
	struct tls_crypto_info info = { .version = version,
					.cipher_type = cipher };
	int iv, key, salt;

	switch (cipher) {
	case TLS_CIPHER_AES_GCM_128:
	case TLS_CIPHER_AES_CCM_128:
	case TLS_CIPHER_SM4_GCM:
	case TLS_CIPHER_SM4_CCM:
		iv = 8, key = 16, salt = 4;
		break;
	case TLS_CIPHER_AES_GCM_256:
		iv = 8, key = 32, salt = 4;
		break;
	case TLS_CIPHER_CHACHA20_POLY1305:
		iv = 12, key = 32, salt = 0;
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	memcpy(b, &info, sizeof(info));
	memset(b + sizeof(info), k ^ 0x5a, iv);
	memset(b + sizeof(info) + iv, k, key);
	memset(b + sizeof(info) + iv + key, k ^ 0xa5, salt);
	memset(b + sizeof(info) + iv + key + salt, 0, 8);
	return (int)sizeof(info) + iv + key + salt + 8;
}

static int set_fixed_keys(int fd, int version, int cipher, unsigned char txk,
			  unsigned char rxk)
{
	unsigned char b[128];
	int n;

	if (setsockopt(fd, SOL_TCP, TCP_ULP, "tls", sizeof("tls")) < 0)
		return -1;
	n = fixed_info(b, version, cipher, txk);
	if (n < 0 || setsockopt(fd, SOL_TLS, TLS_TX, b, n) < 0)
		return -1;
	n = fixed_info(b, version, cipher, rxk);
	if (n < 0 || setsockopt(fd, SOL_TLS, TLS_RX, b, n) < 0)
		return -1;
	return 0;
}

int ktls_pair_fixed_cipher(int family, int version, int cipher, int *cli,
			   int *srv)
{
	int e;

	if (tcp_pair_open(family, cli, srv))
		return -1;
	if (set_fixed_keys(*cli, version, cipher, 1, 2) ||
	    set_fixed_keys(*srv, version, cipher, 2, 1)) {
		e = errno;
		close(*cli);
		close(*srv);
		errno = e;
		return -1;
	}
	return 0;
}

int ktls_pair_fixed_keys(int family, int *cli, int *srv)
{
	return ktls_pair_fixed_cipher(family, TLS_1_3_VERSION,
				      TLS_CIPHER_AES_GCM_128, cli, srv);
}

struct side {
	struct tls_pair *p;
	const struct tls_pair_opts *o;
	int fd;
	int server;
	int rc;
	char err[200];
};

static void *handshake(void *arg)
{
	struct side *sd = arg;
	const struct tls_pair_opts *o = sd->o;
	gnutls_session_t s;
	char prio[256], buf[64];
	size_t ndrained = 0;
	int rc, version = o->version ? o->version : 13;
	unsigned int flags = sd->server ? GNUTLS_SERVER : GNUTLS_CLIENT;

	sd->rc = -1;
	if (sd->server && !o->tickets)
		flags |= GNUTLS_NO_TICKETS;
	if (gnutls_init(&s, flags)) {
		snprintf(sd->err, sizeof(sd->err), "gnutls_init");
		return NULL;
	}
	snprintf(prio, sizeof(prio),
		 "NORMAL:-VERS-ALL:+VERS-TLS1.%d:-CIPHER-ALL:+%s",
		 version == 12 ? 2 : 3, o->cipher ? o->cipher : "AES-128-GCM");
	rc = gnutls_priority_set_direct(s, prio, NULL);
	if (!rc)
		rc = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE,
					    sd->server ? srv_cred : cli_cred);
	if (!rc && sd->server && o->tickets)
		rc = gnutls_session_ticket_enable_server(s, &ticket_key);
	if (rc) {
		snprintf(sd->err, sizeof(sd->err), "%.100s: %.80s", prio,
			 gnutls_strerror(rc));
		goto out;
	}
	gnutls_transport_set_int(s, sd->fd);
	gnutls_handshake_set_timeout(s, 20000);
	do {
		rc = gnutls_handshake(s);
	} while (rc < 0 && !gnutls_error_is_fatal(rc));
	if (rc < 0) {
		snprintf(sd->err, sizeof(sd->err), "%s handshake: %s",
			 sd->server ? "server" : "client", gnutls_strerror(rc));
		goto out;
	}
	if (o->no_ktls) {
		sd->rc = 0;
		goto out;
	}
	if (setsockopt(sd->fd, SOL_TCP, TCP_ULP, "tls", sizeof("tls")) < 0) {
		snprintf(sd->err, sizeof(sd->err), "TCP_ULP tls: %s",
			 strerror(errno));
		goto out;
	}
	if (sd->server && o->before_keys && o->before_keys(sd->fd, o->arg)) {
		snprintf(sd->err, sizeof(sd->err), "before_keys: %s",
			 strerror(errno));
		goto out;
	}
	rc = ktls_gnutls_enable(s, sd->fd, KTLS_GNUTLS_BOTH, buf, sizeof(buf),
				&ndrained, sd->err, sizeof(sd->err));
	if (rc)
		goto out;
	if (ndrained) {
		snprintf(sd->err, sizeof(sd->err), "%zu bytes drained", ndrained);
		goto out;
	}
	sd->rc = 0;
out:
	gnutls_deinit(s);
	return NULL;
}

int tls_pair_open(struct tls_pair *p, const struct tls_pair_opts *o)
{
	static const struct tls_pair_opts defaults;
	struct timeval tv = { .tv_sec = 20 };
	struct side cs = { 0 }, ss = { 0 };
	pthread_t th;

	memset(p, 0, sizeof(*p));
	p->cli = p->srv = -1;
	if (!o)
		o = &defaults;
	if (make_creds(p))
		return -1;
	if (tcp_pair_open(o->family ? o->family : AF_INET, &p->cli, &p->srv)) {
		perr(p, "tcp pair: %s", strerror(errno));
		return -1;
	}
	setsockopt(p->cli, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(p->srv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	cs.p = ss.p = p;
	cs.o = ss.o = o;
	cs.fd = p->cli;
	ss.fd = p->srv;
	ss.server = 1;
	if (pthread_create(&th, NULL, handshake, &ss)) {
		perr(p, "pthread_create");
		goto fail;
	}
	handshake(&cs);
	pthread_join(th, NULL);
	if (ss.rc || cs.rc) {
		perr(p, "%s", ss.rc ? ss.err : cs.err);
		goto fail;
	}
	tv.tv_sec = 0;
	setsockopt(p->cli, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(p->srv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return 0;
fail:
	tls_pair_close(p);
	return -1;
}

void tls_pair_close(struct tls_pair *p)
{
	if (p->cli >= 0)
		close(p->cli);
	if (p->srv >= 0)
		close(p->srv);
	p->cli = p->srv = -1;
}

int send_all(int fd, const void *buf, size_t len)
{
	const char *b = buf;

	while (len) {
		ssize_t n = send(fd, b, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t send_record_type(int fd, unsigned char type, const void *buf,
			 size_t len)
{
	union {
		char buf[CMSG_SPACE(1)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_TLS;
	c->cmsg_type = TLS_SET_RECORD_TYPE;
	c->cmsg_len = CMSG_LEN(1);
	*CMSG_DATA(c) = type;
	return sendmsg(fd, &msg, MSG_NOSIGNAL);
}

ssize_t recv_exact(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(fd, (char *)buf + got, len - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}
