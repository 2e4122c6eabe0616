/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tls_pair: two connected TCP sockets over loopback, a real GnuTLS
 * handshake between them (server in a thread), then the keys moved into
 * kTLS on both (libktlslua's ktls_gnutls_enable).  For guest tests.
 *
 *   struct tls_pair p;
 *   struct tls_pair_opts o = { .family = AF_INET6, .version = 13,
 *                              .cipher = "AES-256-GCM" };
 *   if (tls_pair_open(&p, &o)) ... p.err says why
 *   send(p.cli, ...); recv(p.srv, ...);
 *   tls_pair_close(&p);
 */
#ifndef TESTS_TLS_PAIR_H
#define TESTS_TLS_PAIR_H

#include <stddef.h>
#include <sys/types.h>

struct tls_pair_opts {
	int family;		/* AF_INET (0 too) or AF_INET6 */
	int version;		/* 12 or 13 (0: 13) */
	const char *cipher;	/* GnuTLS name: AES-128-GCM (default), AES-256-GCM,
				 * AES-128-CCM, CHACHA20-POLY1305 */
	int tickets;		/* 1: the server sends TLS 1.3 session tickets */
	int no_ktls;		/* 1: handshake only, sockets left plain */
	/* Called on the server socket after the tls ULP is set and before
	 * TLS_TX/TLS_RX: for attaching early.  Returns 0 or -1. */
	int (*before_keys)(int srvfd, void *arg);
	void *arg;
};

struct tls_pair {
	int cli;		/* the client's socket, kTLS TX+RX */
	int srv;		/* the server's (accepted) socket, kTLS TX+RX */
	char err[256];
};

int tls_pair_open(struct tls_pair *p, const struct tls_pair_opts *o);
void tls_pair_close(struct tls_pair *p);

/*
 * A kTLS pair without a handshake: TLS 1.3 AES-128-GCM with fixed keys set
 * directly on both sockets (each side's TX key is the other's RX key).
 * Fast, for tests that need many connections.  0 or -1.
 */
int ktls_pair_fixed_keys(int family, int *cli, int *srv);
/* The same with a chosen kernel cipher (TLS_CIPHER_*) and version
 * (TLS_1_2_VERSION or TLS_1_3_VERSION).  -1 with errno from setsockopt
 * (ENOENT: the kernel lacks the crypto). */
int ktls_pair_fixed_cipher(int family, int version, int cipher, int *cli,
			   int *srv);

/* A plain TCP connected pair on loopback (no TLS). */
int tcp_pair_open(int family, int *cli, int *srv);
/* A listening TCP socket on loopback. */
int tcp_listen_any(int family);

/* Write all of buf; 0 or -1. */
int send_all(int fd, const void *buf, size_t len);
/* Send one record of the given TLS type (21 alert, 22 handshake, 23 data). */
ssize_t send_record_type(int fd, unsigned char type, const void *buf,
			 size_t len);
/* Read exactly len bytes (loops over recv); returns bytes read. */
ssize_t recv_exact(int fd, void *buf, size_t len);
/* Milliseconds since some fixed point. */
long long now_ms(void);

#endif /* TESTS_TLS_PAIR_H */
