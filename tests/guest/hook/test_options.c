// SPDX-License-Identifier: GPL-2.0
/* The SOL_TLS options of an attached socket: bounds and errnos. */
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/tls.h>

#include "harness.h"
#include "common/tls_pair.h"
#include "common/hook_util.h"

FIXTURE(att) {
	struct tls_pair p;
};

FIXTURE_SETUP(att)
{
	if (tls_pair_open(&self->p, NULL))
		TH_FAIL_AT(1, "tls_pair_open: %s", self->p.err);
	ASSERT_EQ(0, ktls_lua_attach(self->p.srv));
}

FIXTURE_TEARDOWN(att)
{
	tls_pair_close(&self->p);
}

static int setopt(int fd, int opt, const void *v, socklen_t len)
{
	errno = 0;
	return setsockopt(fd, SOL_TLS, opt, v, len);
}

TEST_F(att, seed_style_options_work)
{
	const char *s = "function recv(m) return 200, 'f' end";
	char buf[16];
	int code = 0;
	socklen_t len = sizeof(code);

	/* As the seed passed them: strlen + 1. */
	ASSERT_EQ(0, setopt(self->p.srv, TLS_LUA_LOADSCRIPT, s, strlen(s) + 1));
	ASSERT_EQ(0, setopt(self->p.srv, TLS_LUA_RECVENTRY, "recv", 5));
	ASSERT_EQ(0, send_all(self->p.cli, "x", 1));
	ASSERT_EQ(1, recv(self->p.srv, buf, sizeof(buf), 0));
	ASSERT_EQ(0, getsockopt(self->p.srv, SOL_TLS, TLS_LUA_CODE, &code, &len));
	ASSERT_EQ(200, code);
	len = sizeof(buf);
	ASSERT_EQ(0, getsockopt(self->p.srv, SOL_TLS, TLS_LUA_FILE, buf, &len));
	ASSERT_STREQ("f", buf);
	ASSERT_EQ(2, len);
}

TEST_F(att, entry_name_too_long_is_e2big)
{
	char name[TLS_LUA_ENTRY_MAX + 8];

	memset(name, 'a', sizeof(name));
	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_RECVENTRY, name, sizeof(name)));
	ASSERT_EQ(E2BIG, errno);
	/* exactly ENTRY_MAX bytes without a NUL: too long too */
	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_RECVENTRY, name, TLS_LUA_ENTRY_MAX));
	ASSERT_EQ(E2BIG, errno);
}

TEST_F(att, entry_name_empty_is_einval)
{
	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_RECVENTRY, "", 0));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_RECVENTRY, "", 1));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(att, entry_name_not_identifier_is_einval)
{
	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_RECVENTRY, "a b", 4));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_RECVENTRY, "1x", 3));
	ASSERT_EQ(EINVAL, errno);
}

/* Lua names are ASCII; the kernel's isalpha() also takes Latin-1 (F4). */
TEST_F(att, entry_name_latin1_is_einval)
{
	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_RECVENTRY, "caf\xe9", 5));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_RECVENTRY, "\xea", 1));
	ASSERT_EQ(EINVAL, errno);
}

TEST(hook_load_entry_latin1_is_einval)
{
	const char *s = "_G['caf\\xe9'] = function() return 200 end";
	struct ktls_lua_hook_opts o = { .entry = "caf\xe9" };

	errno = 0;
	ASSERT_EQ(-1, ktls_lua_hook_load(s, strlen(s), &o));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(att, entry_name_readable_back)
{
	char name[TLS_LUA_ENTRY_MAX];
	socklen_t len = sizeof(name);

	ASSERT_EQ(0, ktls_lua_set_entry(self->p.srv, "on_data"));
	ASSERT_EQ(0, getsockopt(self->p.srv, SOL_TLS, TLS_LUA_RECVENTRY, name, &len));
	ASSERT_STREQ("on_data", name);
}

TEST_F(att, entry_bad_pointer_is_efault)
{
	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_RECVENTRY, (void *)8, 5));
	ASSERT_EQ(EFAULT, errno);
}

TEST_F(att, script_empty_is_einval)
{
	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_LOADSCRIPT, "", 0));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(att, script_too_big_is_e2big)
{
	size_t n = (1 << 20) + 1;
	char *big = malloc(n);

	ASSERT_TRUE(big != NULL);
	memset(big, ' ', n);
	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_LOADSCRIPT, big, n));
	ASSERT_EQ(E2BIG, errno);
	free(big);
}

TEST_F(att, script_bad_pointer_is_efault)
{
	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_LOADSCRIPT, (void *)8, 100));
	ASSERT_EQ(EFAULT, errno);
}

TEST_F(att, script_half_unmapped_is_efault)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(m != MAP_FAILED);
	memset(m, ' ', pg);
	ASSERT_EQ(0, munmap(m + pg, pg));
	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_LOADSCRIPT, m, 2 * pg));
	ASSERT_EQ(EFAULT, errno);
	munmap(m, pg);
}

TEST_F(att, syntax_error_is_einval_with_message)
{
	const char *s = "x = 1\nfunction (\n";
	char msg[TLS_LUA_ERRMSG_MAX];
	int err = 0;

	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_LOADSCRIPT, s, strlen(s)));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, ktls_lua_get_error(self->p.srv, &err, msg, sizeof(msg)));
	ASSERT_EQ(EINVAL, err);
	TH_LOG("message: %s", msg);
	ASSERT_TRUE(strstr(msg, ":2:") != NULL);
}

TEST_F(att, binary_chunk_is_refused)
{
	static const char chunk[] = "\x1bLua\x54\x00\x19\x93\r\n\x1a\n";

	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_LOADSCRIPT, chunk, sizeof(chunk) - 1));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(att, runtime_error_at_load_is_einval)
{
	const char *s = "error('boom at load')";
	char msg[TLS_LUA_ERRMSG_MAX];
	int err;

	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_LOADSCRIPT, s, strlen(s)));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, ktls_lua_get_error(self->p.srv, &err, msg, sizeof(msg)));
	ASSERT_TRUE(strstr(msg, "boom at load") != NULL);
}

TEST_F(att, scripts_accumulate_in_the_state)
{
	const char *a = "base = 40";
	const char *b = "function recv(d) return base + #d end";
	char buf[8];
	int code = 0;
	socklen_t len = sizeof(code);

	ASSERT_EQ(0, ktls_lua_load_script(self->p.srv, a, strlen(a)));
	ASSERT_EQ(0, ktls_lua_load_script(self->p.srv, b, strlen(b)));
	ASSERT_EQ(0, ktls_lua_set_entry(self->p.srv, "recv"));
	ASSERT_EQ(0, send_all(self->p.cli, "xy", 2));
	ASSERT_EQ(2, recv(self->p.srv, buf, sizeof(buf), 0));
	ASSERT_EQ(0, getsockopt(self->p.srv, SOL_TLS, TLS_LUA_CODE, &code, &len));
	ASSERT_EQ(42, code);
}

TEST_F(att, int_option_short_length_is_einval)
{
	char c;
	socklen_t len = 1;
	int v = 404;

	errno = 0;
	ASSERT_EQ(-1, getsockopt(self->p.srv, SOL_TLS, TLS_LUA_CODE, &c, &len));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_ERROR_CODE, &v, 2));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(att, file_buffer_too_small_is_erange)
{
	const char *s = "function recv(d) return 200, '/a/long/file/name' end";
	char buf[8];
	socklen_t len = 4;

	ASSERT_EQ(0, ktls_lua_load_script(self->p.srv, s, strlen(s)));
	ASSERT_EQ(0, ktls_lua_set_entry(self->p.srv, "recv"));
	ASSERT_EQ(0, send_all(self->p.cli, "x", 1));
	ASSERT_EQ(1, recv(self->p.srv, buf, sizeof(buf), 0));
	errno = 0;
	ASSERT_EQ(-1, getsockopt(self->p.srv, SOL_TLS, TLS_LUA_FILE, buf, &len));
	ASSERT_EQ(ERANGE, errno);
}

TEST_F(att, file_without_verdict_is_empty)
{
	char buf[8] = "zzz";
	socklen_t len = sizeof(buf);

	ASSERT_EQ(0, getsockopt(self->p.srv, SOL_TLS, TLS_LUA_FILE, buf, &len));
	ASSERT_EQ(1, len);
	ASSERT_STREQ("", buf);
}

TEST_F(att, error_code_zero_is_einval)
{
	int v = 0;

	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_ERROR_CODE, &v, sizeof(v)));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(att, error_code_default_and_set)
{
	int v = 0;
	socklen_t len = sizeof(v);

	ASSERT_EQ(0, getsockopt(self->p.srv, SOL_TLS, TLS_LUA_ERROR_CODE, &v, &len));
	ASSERT_EQ(500, v);
	ASSERT_EQ(0, ktls_lua_set_error_code(self->p.srv, 503));
	ASSERT_EQ(0, getsockopt(self->p.srv, SOL_TLS, TLS_LUA_ERROR_CODE, &v, &len));
	ASSERT_EQ(503, v);
}

TEST_F(att, get_only_options_refuse_set)
{
	int v = 1;

	ASSERT_EQ(-1, setopt(self->p.srv, TLS_LUA_CODE, &v, sizeof(v)));
	ASSERT_EQ(ENOPROTOOPT, errno);
}

TEST_F(att, unknown_option_in_our_range_is_enoprotoopt)
{
	int v = 1;
	socklen_t len = sizeof(v);

	ASSERT_EQ(-1, setopt(self->p.srv, 0x4c7f, &v, sizeof(v)));
	ASSERT_EQ(ENOPROTOOPT, errno);
	errno = 0;
	ASSERT_EQ(-1, getsockopt(self->p.srv, SOL_TLS, 0x4c7f, &v, &len));
	ASSERT_EQ(ENOPROTOOPT, errno);
}

/* The kernel's own SOL_TLS options still work on an attached socket. */
TEST_F(att, kernel_tls_options_pass_through)
{
	struct tls_crypto_info info = { 0 };
	socklen_t len = sizeof(info);

	ASSERT_EQ(0, getsockopt(self->p.srv, SOL_TLS, TLS_RX, &info, &len));
	ASSERT_EQ(TLS_1_3_VERSION, info.version);
	ASSERT_EQ(TLS_CIPHER_AES_GCM_128, info.cipher_type);
}

TEST_F(att, garbage_in_every_option_is_clean)
{
	unsigned char junk[300];
	socklen_t len;
	int opt;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 37 + 11);
	for (opt = 0x4c00; opt <= 0x4c20; opt++) {
		for (socklen_t l = 0; l <= sizeof(junk); l += 37) {
			setsockopt(self->p.srv, SOL_TLS, opt, junk, l);
			len = l;
			getsockopt(self->p.srv, SOL_TLS, opt, junk, &len);
		}
	}
	/* still attached and usable */
	ASSERT_EQ(0, send_all(self->p.cli, "ok", 2));
	ASSERT_EQ(2, recv(self->p.srv, junk, sizeof(junk), 0));
}

TEST_MAIN()
