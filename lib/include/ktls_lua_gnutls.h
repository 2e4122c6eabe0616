/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Moving a finished GnuTLS session into kernel TLS.
 *
 *   char err[KTLS_GNUTLS_ERRLEN];
 *   int rc = ktls_gnutls_enable(session, fd, KTLS_GNUTLS_BOTH,
 *                               drained, sizeof(drained), &ndrained,
 *                               err, sizeof(err));
 *
 * The session must have completed its handshake on the TCP socket fd.  The
 * plaintext GnuTLS has already decrypted but the caller has not read yet is
 * moved into `drained` first (TLS_RX takes over at the next record on the
 * wire; GnuTLS never reads ahead of the record it needs).
 *
 * Return values:
 *   0                  both directions (or those asked for) are in the kernel;
 *                      from now on use read/recv/send/sendfile on fd and only
 *                      gnutls_deinit() on the session (never gnutls_bye()).
 *   -EOPNOTSUPP,       nothing was changed on the socket: the suite, the
 *   -ENOENT,           protocol or the kernel cannot take this session (no
 *   -ENOPROTOOPT,      tls ULP, crypto module missing...); err says why and
 *   -ENOBUFS           the caller simply goes on with GnuTLS in user space.
 *   -EIO               a direction was set but a later step failed: the
 *                      connection is unusable, close it.
 */
#ifndef KTLS_LUA_GNUTLS_H
#define KTLS_LUA_GNUTLS_H

#include <stddef.h>
#include <gnutls/gnutls.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KTLS_GNUTLS_TX		0x1
#define KTLS_GNUTLS_RX		0x2
#define KTLS_GNUTLS_BOTH	(KTLS_GNUTLS_TX | KTLS_GNUTLS_RX)
#define KTLS_GNUTLS_ERRLEN	160

/* Can the kernel take this session's suite?  0, or -EOPNOTSUPP with err. */
int ktls_gnutls_supported(gnutls_session_t session, char *err, size_t errlen);

int ktls_gnutls_enable(gnutls_session_t session, int fd, unsigned int dirs,
		       void *drained, size_t drained_cap, size_t *drained_len,
		       char *err, size_t errlen);

/* Is the "tls" ULP available on this kernel (tcp_available_ulp)? */
int ktls_gnutls_kernel_has_tls(void);

#ifdef __cplusplus
}
#endif

#endif /* KTLS_LUA_GNUTLS_H */
