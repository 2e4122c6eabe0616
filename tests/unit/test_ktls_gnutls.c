// SPDX-License-Identifier: GPL-2.0
/*
 * libktlslua's GnuTLS-to-kTLS move, on the host: a suite the kernel cannot
 * take is refused before the socket is touched; a kernel without the tls
 * ULP gives a clear error and GnuTLS goes on; plaintext GnuTLS already
 * holds is handed over first.  (The move itself, every cipher, both
 * versions, is tested in the guest by tests/guest/hook/test_ciphers.)
 */
#include <pthread.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include "harness.h"
#include "../../lib/ktls_gnutls.c"

struct side {
	int fd;
	const char *prio;
	gnutls_session_t s;
	gnutls_psk_client_credentials_t cc;
	gnutls_psk_server_credentials_t sc;
	int rc;
};

static const gnutls_datum_t psk_key = { (unsigned char *)"0123456789abcdef", 16 };

static int server_psk(gnutls_session_t s, const char *user, gnutls_datum_t *key)
{
	(void)s;
	(void)user;
	key->data = gnutls_malloc(psk_key.size);
	memcpy(key->data, psk_key.data, psk_key.size);
	key->size = psk_key.size;
	return 0;
}

static void *client(void *p)
{
	struct side *c = p;

	gnutls_psk_allocate_client_credentials(&c->cc);
	gnutls_psk_set_client_credentials(c->cc, "u", &psk_key, GNUTLS_PSK_KEY_RAW);
	gnutls_init(&c->s, GNUTLS_CLIENT);
	gnutls_priority_set_direct(c->s, c->prio, NULL);
	gnutls_credentials_set(c->s, GNUTLS_CRD_PSK, c->cc);
	gnutls_transport_set_int(c->s, c->fd);
	do
		c->rc = gnutls_handshake(c->s);
	while (c->rc < 0 && !gnutls_error_is_fatal(c->rc));
	return NULL;
}

/* A TLS pair over loopback TCP; both handshakes done. */
static void pair(const char *prio, struct side *c, struct side *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	pthread_t t;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_EQ(0, bind(l, (void *)&a, sizeof(a)));
	ASSERT_EQ(0, listen(l, 1));
	ASSERT_EQ(0, getsockname(l, (void *)&a, &al));
	memset(c, 0, sizeof(*c));
	memset(s, 0, sizeof(*s));
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, connect(c->fd, (void *)&a, sizeof(a)));
	s->fd = accept(l, NULL, NULL);
	ASSERT_GE(s->fd, 0);
	close(l);
	c->prio = s->prio = prio;
	pthread_create(&t, NULL, client, c);
	gnutls_psk_allocate_server_credentials(&s->sc);
	gnutls_psk_set_server_credentials_function(s->sc, server_psk);
	gnutls_init(&s->s, GNUTLS_SERVER);
	gnutls_priority_set_direct(s->s, prio, NULL);
	gnutls_credentials_set(s->s, GNUTLS_CRD_PSK, s->sc);
	gnutls_transport_set_int(s->s, s->fd);
	do
		s->rc = gnutls_handshake(s->s);
	while (s->rc < 0 && !gnutls_error_is_fatal(s->rc));
	pthread_join(t, NULL);
	ASSERT_EQ(0, c->rc);
	ASSERT_EQ(0, s->rc);
}

#define PRIO13 "NORMAL:-VERS-ALL:+VERS-TLS1.3:+PSK:+ECDHE-PSK:-CIPHER-ALL:+AES-128-GCM"
#define PRIO12_CBC "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+PSK:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA1"

TEST(cbc_suite_is_refused_before_touching_the_socket)
{
	struct side c, s;
	char err[KTLS_GNUTLS_ERRLEN] = "";
	char buf[16];
	size_t n = 99;
	int ulp_len = 16;
	char ulp[16] = "";

	pair(PRIO12_CBC, &c, &s);
	EXPECT_EQ(-EOPNOTSUPP, ktls_gnutls_supported(s.s, err, sizeof(err)));
	EXPECT_EQ(-EOPNOTSUPP, ktls_gnutls_enable(s.s, s.fd, KTLS_GNUTLS_BOTH, buf,
						  sizeof(buf), &n, err, sizeof(err)));
	EXPECT_TRUE(strstr(err, "AES-128-CBC") != NULL);
	EXPECT_EQ(0, (int)n);
	/* no ULP was set, GnuTLS still works both ways */
	EXPECT_TRUE(getsockopt(s.fd, SOL_TCP, TCP_ULP, ulp, (socklen_t *)&ulp_len) < 0 ||
		    ulp[0] == '\0');
	EXPECT_EQ(5, gnutls_record_send(c.s, "hello", 5));
	EXPECT_EQ(5, gnutls_record_recv(s.s, buf, sizeof(buf)));
	EXPECT_EQ(2, gnutls_record_send(s.s, "ok", 2));
	EXPECT_EQ(2, gnutls_record_recv(c.s, buf, sizeof(buf)));
}

TEST(no_kernel_tls_is_a_clean_fallback)
{
	struct side c, s;
	char err[KTLS_GNUTLS_ERRLEN] = "";
	char buf[16];
	size_t n;
	int rc;

	if (ktls_gnutls_kernel_has_tls())
		SKIP("this kernel has kTLS: the fallback is not reachable");
	pair(PRIO13, &c, &s);
	EXPECT_EQ(0, ktls_gnutls_supported(s.s, err, sizeof(err)));
	rc = ktls_gnutls_enable(s.s, s.fd, KTLS_GNUTLS_BOTH, buf, sizeof(buf), &n,
				err, sizeof(err));
	EXPECT_LT(rc, 0);
	EXPECT_NE(-EIO, rc);
	EXPECT_TRUE(strstr(err, "tls ULP") != NULL);
	EXPECT_EQ(5, gnutls_record_send(c.s, "hello", 5));
	EXPECT_EQ(5, gnutls_record_recv(s.s, buf, sizeof(buf)));
	EXPECT_EQ(2, gnutls_record_send(s.s, "ok", 2));
	EXPECT_EQ(2, gnutls_record_recv(c.s, buf, sizeof(buf)));
}

TEST(buffered_plaintext_is_drained_first)
{
	struct side c, s;
	char err[KTLS_GNUTLS_ERRLEN] = "";
	char buf[64];
	size_t n = 0;

	pair(PRIO13, &c, &s);
	ASSERT_EQ(26, gnutls_record_send(c.s, "abcdefghijklmnopqrstuvwxyz", 26));
	ASSERT_EQ(6, gnutls_record_recv(s.s, buf, 6));	/* 20 bytes stay in GnuTLS */
	ktls_gnutls_enable(s.s, s.fd, KTLS_GNUTLS_BOTH, buf, sizeof(buf), &n,
			   err, sizeof(err));
	ASSERT_EQ(20, (int)n);
	EXPECT_EQ(0, memcmp(buf, "ghijklmnopqrstuvwxyz", 20));
}

TEST(too_much_buffered_plaintext_is_refused)
{
	struct side c, s;
	char err[KTLS_GNUTLS_ERRLEN] = "";
	char buf[64];
	size_t n = 0;

	pair(PRIO13, &c, &s);
	ASSERT_EQ(26, gnutls_record_send(c.s, "abcdefghijklmnopqrstuvwxyz", 26));
	ASSERT_EQ(6, gnutls_record_recv(s.s, buf, 6));
	EXPECT_EQ(-ENOBUFS, ktls_gnutls_enable(s.s, s.fd, KTLS_GNUTLS_BOTH, buf, 8, &n,
					       err, sizeof(err)));
}

TEST(no_direction_is_einval)
{
	char err[KTLS_GNUTLS_ERRLEN];

	EXPECT_EQ(-EINVAL, ktls_gnutls_enable(NULL, -1, 0, NULL, 0, NULL, err, sizeof(err)));
}

TEST_MAIN()
