// SPDX-License-Identifier: GPL-2.0
/* The hook on every cipher 6.1 kTLS takes from GnuTLS, TLS 1.2 and 1.3. */
#include <sys/socket.h>
#include <unistd.h>
#include <linux/tls.h>

#include "harness.h"
#include "common/tls_pair.h"
#include "common/hook_util.h"

static const char script[] =
	"function recv(d, c)\n"
	"  c.buf = (c.buf or '') .. d\n"
	"  local path = c.buf:match('^GET (%S+) HTTP/1%.1\\r\\n.-\\r\\n\\r\\n')\n"
	"  if path then c.buf = '' return 200, path end\n"
	"end\n";

static void check(int version, const char *cipher, int family)
{
	struct tls_pair_opts o = { .version = version, .cipher = cipher,
				   .family = family };
	const char *req = "GET /index.html HTTP/1.1\r\nHost: h\r\n\r\n";
	static char big[40000], in[40000];
	struct ktls_lua_verdict v;
	struct tls_pair p;
	size_t i;

	if (tls_pair_open(&p, &o))
		TH_FAIL_AT(1, "TLS 1.%d %s: %s", version % 10, cipher, p.err);
	ASSERT_EQ(0, hook_attach_script(p.srv, script, "recv"));
	/* a request in pieces, the verdict with the last */
	ASSERT_EQ(0, send_all(p.cli, req, 10));
	ASSERT_EQ(10, ktls_lua_recv(p.srv, in, sizeof(in), 0, &v, NULL));
	ASSERT_EQ(0, v.code);
	ASSERT_EQ(0, send_all(p.cli, req + 10, strlen(req) - 10));
	ASSERT_EQ((ssize_t)strlen(req) - 10,
		  ktls_lua_recv(p.srv, in, sizeof(in), 0, &v, NULL));
	ASSERT_EQ(200, v.code);
	ASSERT_STREQ("/index.html", v.file);
	/* multi-record payload both ways, byte-exact */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 13);
	ASSERT_EQ(0, send_all(p.srv, big, sizeof(big)));
	ASSERT_EQ((ssize_t)sizeof(in), recv_exact(p.cli, in, sizeof(in)));
	ASSERT_EQ(0, memcmp(big, in, sizeof(in)));
	ASSERT_EQ(0, send_all(p.cli, big, sizeof(big)));
	ASSERT_EQ((ssize_t)sizeof(in), recv_exact(p.srv, in, sizeof(in)));
	ASSERT_EQ(0, memcmp(big, in, sizeof(in)));
	tls_pair_close(&p);
}

TEST(tls13_aes_128_gcm) { check(13, "AES-128-GCM", AF_INET); }
TEST(tls13_aes_256_gcm) { check(13, "AES-256-GCM", AF_INET); }
TEST(tls13_aes_128_ccm) { check(13, "AES-128-CCM", AF_INET); }
TEST(tls13_chacha20_poly1305) { check(13, "CHACHA20-POLY1305", AF_INET); }
TEST(tls12_aes_128_gcm) { check(12, "AES-128-GCM", AF_INET); }
TEST(tls12_aes_256_gcm) { check(12, "AES-256-GCM", AF_INET); }
TEST(tls12_aes_128_ccm) { check(12, "AES-128-CCM", AF_INET); }
TEST(tls12_chacha20_poly1305) { check(12, "CHACHA20-POLY1305", AF_INET); }
TEST(tls13_aes_256_gcm_ipv6) { check(13, "AES-256-GCM", AF_INET6); }
TEST(tls12_chacha20_poly1305_ipv6) { check(12, "CHACHA20-POLY1305", AF_INET6); }

/* Every kernel cipher, keys set directly (GnuTLS has no SM4): the hook
 * sees the same plaintext. */
static void check_fixed(int version, int cipher)
{
	struct ktls_lua_verdict v;
	char in[256];
	int c, s;

	if (ktls_pair_fixed_cipher(AF_INET, version, cipher, &c, &s)) {
		if (errno == ENOENT)
			SKIP("the kernel has no crypto for cipher %d", cipher);
		TH_FAIL_AT(1, "cipher %d: %s", cipher, strerror(errno));
	}
	ASSERT_EQ(0, hook_attach_script(s, script, "recv"));
	ASSERT_EQ(0, send_all(c, "GET /x HTTP/1.1\r\nA: b\r\n\r\n", 27));
	ASSERT_EQ(27, ktls_lua_recv(s, in, sizeof(in), 0, &v, NULL));
	ASSERT_EQ(200, v.code);
	ASSERT_STREQ("/x", v.file);
	close(c);
	close(s);
}

TEST(fixed_keys_aes_128_gcm) { check_fixed(TLS_1_3_VERSION, TLS_CIPHER_AES_GCM_128); }
TEST(fixed_keys_aes_256_gcm) { check_fixed(TLS_1_2_VERSION, TLS_CIPHER_AES_GCM_256); }
TEST(fixed_keys_aes_128_ccm) { check_fixed(TLS_1_3_VERSION, TLS_CIPHER_AES_CCM_128); }
TEST(fixed_keys_chacha20_poly1305) { check_fixed(TLS_1_2_VERSION, TLS_CIPHER_CHACHA20_POLY1305); }
TEST(fixed_keys_sm4_gcm) { check_fixed(TLS_1_3_VERSION, TLS_CIPHER_SM4_GCM); }
TEST(fixed_keys_sm4_ccm) { check_fixed(TLS_1_3_VERSION, TLS_CIPHER_SM4_CCM); }

TEST_MAIN()
