// SPDX-License-Identifier: GPL-2.0
/* Script failures at read time: error verdict, errno, message, and the
 * connection stays usable. */
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "common/tls_pair.h"
#include "common/hook_util.h"

static const char script[] =
	"function boom(d, c) if d == 'ok' then return 200, '/fine' end\n"
	"  error('boom: ' .. d) end\n"
	"function spin(d, c) if d == 'ok' then return 200, '/fine' end\n"
	"  while true do end end\n"
	"function hog(d, c) if d == 'ok' then return 200, '/fine' end\n"
	"  local t = {} for i = 1, 1 << 40 do t[i] = string.rep('x', 1000) .. i end end\n"
	"function badcode(d) return {} end\n"
	"function bigcode(d) return 1 << 40 end\n"
	"function badfile(d) return 200, {} end\n"
	"function longfile(d) return 200, string.rep('a', 5000) end\n"
	"function nulfile(d) return 200, 'a\\0b' end\n"
	"function errobj(d) error({}) end\n"
	"function deep(d, c) if d == 'ok' then return 200, '/fine' end\n"
	"  local function f(n) return f(n + 1) + 1 end return f(1) end\n"
	"function cdeep(d, c) if d == 'ok' then return 200, '/fine' end\n"
	"  local function f() return pcall(f) end return f() end\n"
	"function floaty(d) return 7 / 2 end\n"
	"function prints(d) print('hello from the hook') return 204 end\n";

FIXTURE(err) {
	struct tls_pair p;
};

FIXTURE_SETUP(err)
{
	if (tls_pair_open(&self->p, NULL))
		TH_FAIL_AT(1, "tls_pair_open: %s", self->p.err);
	ASSERT_EQ(0, hook_attach_script(self->p.srv, script, NULL));
}

FIXTURE_TEARDOWN(err)
{
	tls_pair_close(&self->p);
}

/* Send data, read it back with its verdict. */
static int roundtrip(struct tls_pair *p, const char *data,
		     struct ktls_lua_verdict *v)
{
	char buf[256];
	size_t n = strlen(data);

	if (send_all(p->cli, data, n))
		return -1;
	if (ktls_lua_recv(p->srv, buf, sizeof(buf), 0, v, NULL) != (ssize_t)n)
		return -1;
	return memcmp(buf, data, n) ? -1 : 0;
}

static void expect_error(struct tls_pair *p, const char *entry, int want_errno,
			 const char *want_msg)
{
	struct ktls_lua_verdict v;
	char msg[TLS_LUA_ERRMSG_MAX] = "";
	int e = 0;

	ASSERT_EQ(0, ktls_lua_set_entry(p->srv, entry));
	ASSERT_EQ(0, roundtrip(p, "data", &v));
	ASSERT_EQ(500, v.code);
	ASSERT_EQ(TLS_LUA_VERDICT_ERROR, v.flags);
	ASSERT_EQ(0, ktls_lua_get_error(p->srv, &e, msg, sizeof(msg)));
	TH_LOG("%s: errno %d, %s", entry, e, msg);
	if (want_errno)
		ASSERT_EQ(want_errno, e);
	else
		ASSERT_NE(0, e);
	if (want_msg)
		ASSERT_TRUE(strstr(msg, want_msg) != NULL);
	/* the connection goes on */
	ASSERT_EQ(0, roundtrip(p, "ok", &v));
}

TEST_F(err, runtime_error_gives_500_and_message)
{
	expect_error(&self->p, "boom", 0, "boom: data");
}

TEST_F(err, connection_usable_after_error)
{
	struct ktls_lua_verdict v;

	expect_error(&self->p, "boom", 0, NULL);
	ASSERT_EQ(0, roundtrip(&self->p, "ok", &v));
	ASSERT_EQ(200, v.code);
	ASSERT_STREQ("/fine", v.file);
}

TEST_F(err, spent_budget_is_an_error)
{
	expect_error(&self->p, "spin", 0, NULL);
}

TEST_F(err, memory_cap_is_an_error)
{
	expect_error(&self->p, "hog", ENOMEM, NULL);
}

TEST_F(err, deep_lua_recursion_is_an_error)
{
	expect_error(&self->p, "deep", 0, NULL);
}

TEST_F(err, deep_c_recursion_is_an_error)
{
	struct ktls_lua_verdict v;

	ASSERT_EQ(0, ktls_lua_set_entry(self->p.srv, "cdeep"));
	/* pcall catches its own overflow: a value or an error, never a crash */
	ASSERT_EQ(0, roundtrip(&self->p, "data", &v));
	ASSERT_EQ(0, roundtrip(&self->p, "ok", &v));
	ASSERT_EQ(200, v.code);
}

TEST_F(err, missing_entry_is_enoent)
{
	expect_error(&self->p, "nosuchfunction", ENOENT, "nosuchfunction");
}

TEST_F(err, non_integer_code_is_einval)
{
	expect_error(&self->p, "badcode", EINVAL, "integer");
}

TEST_F(err, code_out_of_range_is_erange)
{
	expect_error(&self->p, "bigcode", ERANGE, NULL);
}

TEST_F(err, non_string_file_is_einval)
{
	expect_error(&self->p, "badfile", EINVAL, "string");
}

TEST_F(err, file_too_long_is_enametoolong)
{
	expect_error(&self->p, "longfile", ENAMETOOLONG, NULL);
}

TEST_F(err, file_with_nul_is_einval)
{
	expect_error(&self->p, "nulfile", EINVAL, "NUL");
}

TEST_F(err, error_object_not_a_string)
{
	expect_error(&self->p, "errobj", 0, "table");
}

TEST_F(err, float_arithmetic_is_an_error)
{
	expect_error(&self->p, "floaty", 0, NULL);
}

TEST_F(err, custom_error_code)
{
	struct ktls_lua_verdict v;

	ASSERT_EQ(0, ktls_lua_set_error_code(self->p.srv, 599));
	ASSERT_EQ(0, ktls_lua_set_entry(self->p.srv, "boom"));
	ASSERT_EQ(0, roundtrip(&self->p, "data", &v));
	ASSERT_EQ(599, v.code);
	ASSERT_EQ(TLS_LUA_VERDICT_ERROR, v.flags);
}

TEST_F(err, print_does_not_break_the_hook)
{
	struct ktls_lua_verdict v;

	ASSERT_EQ(0, ktls_lua_set_entry(self->p.srv, "prints"));
	ASSERT_EQ(0, roundtrip(&self->p, "data", &v));
	ASSERT_EQ(204, v.code);
}

TEST_F(err, no_error_means_errno_zero)
{
	struct ktls_lua_verdict v;
	int e = -1;

	ASSERT_EQ(0, ktls_lua_set_entry(self->p.srv, "boom"));
	ASSERT_EQ(0, roundtrip(&self->p, "ok", &v));
	ASSERT_EQ(0, ktls_lua_get_error(self->p.srv, &e, NULL, 0));
	ASSERT_EQ(0, e);
}

TEST_F(err, errors_counted_in_proc)
{
	struct hook_counters a, b;
	struct ktls_lua_verdict v;

	ASSERT_EQ(0, hook_counters(0, &a));
	ASSERT_EQ(0, ktls_lua_set_entry(self->p.srv, "boom"));
	ASSERT_EQ(0, roundtrip(&self->p, "data", &v));
	ASSERT_EQ(0, hook_counters(0, &b));
	ASSERT_EQ(a.errors + 1, b.errors);
	ASSERT_EQ(a.calls + 1, b.calls);
}

TEST_MAIN()
