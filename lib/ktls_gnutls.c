// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ktls_gnutls.c: hand a finished GnuTLS session's record state to the
 * kernel (TLS_TX / TLS_RX on the socket), both directions, TLS 1.2 / 1.3,
 * AES-128-GCM, AES-256-GCM, AES-128-CCM and ChaCha20-Poly1305.
 *
 * What GnuTLS gives (gnutls_record_get_state) and what the kernel wants:
 *  - TLS 1.3, every AEAD: a 12-byte static IV.  AES: salt = iv[0..3],
 *    iv = iv[4..11]; ChaCha20: iv = all 12 bytes, no salt.
 *  - TLS 1.2 AES-GCM/CCM: a 4-byte implicit salt; the explicit nonce GnuTLS
 *    puts on the wire is the record sequence number, so iv = seq.
 *  - TLS 1.2 ChaCha20: a 12-byte static IV, as in 1.3.
 *  - rec_seq: the big-endian sequence number of the next record.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <linux/tls.h>

#include "ktls_lua_gnutls.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif
#ifndef TCP_ULP
#define TCP_ULP 31
#endif

union ktls_crypto {
	struct tls_crypto_info info;
	struct tls12_crypto_info_aes_gcm_128 gcm128;
	struct tls12_crypto_info_aes_gcm_256 gcm256;
	struct tls12_crypto_info_aes_ccm_128 ccm128;
	struct tls12_crypto_info_chacha20_poly1305 chacha;
};

static int fail(int rc, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static int kernel_version(gnutls_session_t s, unsigned short *ver)
{
	switch (gnutls_protocol_get_version(s)) {
	case GNUTLS_TLS1_2:
		*ver = TLS_1_2_VERSION;
		return 0;
	case GNUTLS_TLS1_3:
		*ver = TLS_1_3_VERSION;
		return 0;
	default:
		return -1;
	}
}

int ktls_gnutls_supported(gnutls_session_t s, char *err, size_t errlen)
{
	unsigned short ver;

	if (kernel_version(s, &ver))
		return fail(-EOPNOTSUPP, err, errlen,
			    "kTLS takes TLS 1.2 and 1.3 only, not %s",
			    gnutls_protocol_get_name(gnutls_protocol_get_version(s)));
	switch (gnutls_cipher_get(s)) {
	case GNUTLS_CIPHER_AES_128_GCM:
	case GNUTLS_CIPHER_AES_256_GCM:
	case GNUTLS_CIPHER_AES_128_CCM:
	case GNUTLS_CIPHER_CHACHA20_POLY1305:
		return 0;
	default:
		return fail(-EOPNOTSUPP, err, errlen,
			    "kTLS cannot take the cipher %s",
			    gnutls_cipher_get_name(gnutls_cipher_get(s)));
	}
}

/* Fill *c for one direction (read = 1: what we receive). */
static int crypto_info(gnutls_session_t s, int read, union ktls_crypto *c,
		       socklen_t *len, char *err, size_t errlen)
{
	gnutls_datum_t mac, iv, key;
	unsigned char seq[8];
	unsigned short ver;
	int rc;

	memset(c, 0, sizeof(*c));
	if (kernel_version(s, &ver))
		return fail(-EOPNOTSUPP, err, errlen, "unsupported protocol");
	rc = gnutls_record_get_state(s, read, &mac, &iv, &key, seq);
	if (rc < 0)
		return fail(-EOPNOTSUPP, err, errlen,
			    "gnutls_record_get_state: %s", gnutls_strerror(rc));
	c->info.version = ver;

#define KEYS(field, ktype, nkey)					\
	do {								\
		if (key.size != (nkey))					\
			return fail(-EOPNOTSUPP, err, errlen,		\
				    "unexpected key size %u", key.size); \
		c->info.cipher_type = (ktype);				\
		memcpy(c->field.key, key.data, (nkey));			\
		memcpy(c->field.rec_seq, seq, 8);			\
		*len = sizeof(c->field);				\
	} while (0)

#define AES(field, ktype, nkey)						\
	do {								\
		KEYS(field, ktype, nkey);				\
		if (ver == TLS_1_3_VERSION && iv.size == 12) {		\
			memcpy(c->field.salt, iv.data, 4);		\
			memcpy(c->field.iv, iv.data + 4, 8);		\
		} else if (ver == TLS_1_2_VERSION && iv.size >= 4) {	\
			memcpy(c->field.salt, iv.data, 4);		\
			memcpy(c->field.iv, seq, 8);			\
		} else {						\
			return fail(-EOPNOTSUPP, err, errlen,		\
				    "unexpected IV size %u", iv.size);	\
		}							\
	} while (0)

	switch (gnutls_cipher_get(s)) {
	case GNUTLS_CIPHER_AES_128_GCM:
		AES(gcm128, TLS_CIPHER_AES_GCM_128, 16);
		break;
	case GNUTLS_CIPHER_AES_256_GCM:
		AES(gcm256, TLS_CIPHER_AES_GCM_256, 32);
		break;
	case GNUTLS_CIPHER_AES_128_CCM:
		AES(ccm128, TLS_CIPHER_AES_CCM_128, 16);
		break;
	case GNUTLS_CIPHER_CHACHA20_POLY1305:
		KEYS(chacha, TLS_CIPHER_CHACHA20_POLY1305, 32);
		if (iv.size != 12)
			return fail(-EOPNOTSUPP, err, errlen,
				    "unexpected IV size %u", iv.size);
		memcpy(c->chacha.iv, iv.data, 12);
		break;
	default:
		return fail(-EOPNOTSUPP, err, errlen, "kTLS cannot take the cipher %s",
			    gnutls_cipher_get_name(gnutls_cipher_get(s)));
	}
#undef AES
#undef KEYS
	return 0;
}

int ktls_gnutls_kernel_has_tls(void)
{
	char line[256];
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_available_ulp", "re");
	int found = 0;

	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f)) {
		for (char *t = strtok(line, " \n"); t; t = strtok(NULL, " \n"))
			if (!strcmp(t, "tls"))
				found = 1;
	}
	fclose(f);
	return found;
}

int ktls_gnutls_enable(gnutls_session_t s, int fd, unsigned int dirs,
		       void *drained, size_t drained_cap, size_t *drained_len,
		       char *err, size_t errlen)
{
	union ktls_crypto tx, rx;
	socklen_t txlen = 0, rxlen = 0;
	size_t have = 0;
	int rc;

	if (drained_len)
		*drained_len = 0;
	if (!(dirs & KTLS_GNUTLS_BOTH))
		return fail(-EINVAL, err, errlen, "no direction asked for");
	rc = ktls_gnutls_supported(s, err, errlen);
	if (rc)
		return rc;

	/* Plaintext GnuTLS decrypted already goes to the caller first. */
	if (dirs & KTLS_GNUTLS_RX) {
		for (int i = 0; i < 64 && gnutls_record_check_pending(s) > 0; i++) {
			ssize_t n;

			if (!drained || have >= drained_cap)
				return fail(-ENOBUFS, err, errlen,
					    "%zu bytes of plaintext are still in GnuTLS",
					    gnutls_record_check_pending(s));
			n = gnutls_record_recv(s, (char *)drained + have,
					       drained_cap - have);
			if (n <= 0)
				break;
			have += (size_t)n;
		}
		if (drained_len)
			*drained_len = have;
	}

	/* Both directions computed before anything touches the socket. */
	if (dirs & KTLS_GNUTLS_TX) {
		rc = crypto_info(s, 0, &tx, &txlen, err, errlen);
		if (rc)
			goto out;
	}
	if (dirs & KTLS_GNUTLS_RX) {
		rc = crypto_info(s, 1, &rx, &rxlen, err, errlen);
		if (rc)
			goto out;
	}

	if (setsockopt(fd, SOL_TCP, TCP_ULP, "tls", sizeof("tls")) < 0 &&
	    errno != EEXIST) {
		rc = -errno;
		fail(rc, err, errlen, "cannot set the tls ULP: %s%s", strerror(errno),
		     errno == ENOENT ? " (load it: modprobe tls)" : "");
		goto out;
	}
	/*
	 * TX first: if it fails nothing is set (a bare tls ULP passes data
	 * through), so GnuTLS can go on.  Once TX is set, a failing RX leaves
	 * a socket neither side can use.
	 */
	if (dirs & KTLS_GNUTLS_TX) {
		if (setsockopt(fd, SOL_TLS, TLS_TX, &tx, txlen) < 0) {
			rc = -errno;
			fail(rc, err, errlen, "setsockopt(TLS_TX, %s): %s",
			     gnutls_cipher_get_name(gnutls_cipher_get(s)),
			     strerror(errno));
			goto out;
		}
	}
	if (dirs & KTLS_GNUTLS_RX) {
		if (setsockopt(fd, SOL_TLS, TLS_RX, &rx, rxlen) < 0) {
			int e = errno;

			if (dirs & KTLS_GNUTLS_TX) {
				rc = -EIO;
			} else {
				rc = -e;
			}
			fail(rc, err, errlen, "setsockopt(TLS_RX, %s): %s",
			     gnutls_cipher_get_name(gnutls_cipher_get(s)),
			     strerror(e));
			goto out;
		}
	}
	rc = 0;
out:
	explicit_bzero(&tx, sizeof(tx));	/* key material */
	explicit_bzero(&rx, sizeof(rx));
	return rc;
}
