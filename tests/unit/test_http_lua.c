// SPDX-License-Identifier: GPL-2.0
/*
 * The routing scripts (scripts/http.lua and the examples) in ktls-httpd's
 * user-space Lua runner: the same scripts run in the kernel hook.
 */
#include "harness.h"
#include "../../server/lua.c"

struct got {
	int n;
	int code[8];
	char file[8][256];
};

static void collect(void *p, int code, const char *file, size_t n)
{
	struct got *g = p;

	if (g->n < 8) {
		g->code[g->n] = code;
		snprintf(g->file[g->n], sizeof(g->file[0]), "%.*s", (int)n, file);
		g->n++;
	}
}

static struct ulua *load(const char *rel)
{
	char path[512], err[512];
	const char *f = __FILE__, *slash = strrchr(f, '/');
	struct ulua *u;

	snprintf(path, sizeof(path), "%.*s/../../%s", (int)(slash - f), f, rel);
	u = ulua_new(path, "recv", 1 << 20, 1000000, err, sizeof(err));
	if (!u)
		TH_LOG("%s", err);
	return u;
}

static int call(struct ulua *u, int ref, const char *s, struct got *g)
{
	char err[256];
	int n;

	memset(g, 0, sizeof(*g));
	n = ulua_call(u, ref, s, strlen(s), collect, g, err, sizeof(err));
	if (n < 0)
		TH_LOG("script error: %s", err);
	return n;
}

TEST(default_routes_path)
{
	struct ulua *u = load("scripts/http.lua");
	struct got g;

	ASSERT_TRUE(u != NULL);
	ASSERT_EQ(1, call(u, -1, "GET /a/b.html?x=1 HTTP/1.1\r\nHost: h\r\n\r\n", &g));
	EXPECT_EQ(200, g.code[0]);
	EXPECT_STREQ("/a/b.html", g.file[0]);
	ulua_free(u);
}

TEST(default_waits_for_whole_head_across_reads)
{
	struct ulua *u = load("scripts/http.lua");
	struct got g;
	int ref;

	ASSERT_TRUE(u != NULL);
	ref = ulua_conn_new(u);
	EXPECT_EQ(0, call(u, ref, "GET /x HT", &g));
	EXPECT_EQ(0, call(u, ref, "TP/1.1\r\nHost: h\r\n", &g));
	ASSERT_EQ(1, call(u, ref, "\r\n", &g));
	EXPECT_STREQ("/x", g.file[0]);
	/* the conn table starts clean for the next request */
	ASSERT_EQ(1, call(u, ref, "HEAD /y HTTP/1.0\r\n\r\n", &g));
	EXPECT_STREQ("/y", g.file[0]);
	ulua_free(u);
}

TEST(default_one_verdict_per_pipelined_head)
{
	struct ulua *u = load("scripts/http.lua");
	struct got g;
	int ref;

	ASSERT_TRUE(u != NULL);
	ref = ulua_conn_new(u);
	ASSERT_EQ(3, call(u, ref, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"
			  "DELETE /3 HTTP/1.1\r\n\r\nGET /4 HTTP/1.1\r\n", &g));
	EXPECT_STREQ("/1", g.file[0]);
	EXPECT_STREQ("/2", g.file[1]);
	EXPECT_EQ(405, g.code[2]);
	ASSERT_EQ(1, call(u, ref, "Host: h\r\n\r\n", &g));
	EXPECT_STREQ("/4", g.file[0]);
	ulua_free(u);
}

TEST(default_refuses_garbage_and_giants)
{
	struct ulua *u = load("scripts/http.lua");
	struct got g;
	static char big[9000];
	int ref;

	ASSERT_TRUE(u != NULL);
	ASSERT_EQ(1, call(u, -1, "NOT HTTP\r\n\r\n", &g));
	EXPECT_EQ(400, g.code[0]);
	ASSERT_EQ(1, call(u, -1, "GET relative HTTP/1.1\r\n\r\n", &g));
	EXPECT_EQ(400, g.code[0]);
	ref = ulua_conn_new(u);
	memset(big, 'a', sizeof(big) - 1);
	ASSERT_EQ(1, call(u, ref, big, &g));
	EXPECT_EQ(431, g.code[0]);
	ulua_free(u);
}

TEST(default_absolute_form)
{
	struct ulua *u = load("scripts/http.lua");
	struct got g;

	ASSERT_TRUE(u != NULL);
	ASSERT_EQ(1, call(u, -1, "GET https://h:1/p/q?z HTTP/1.1\r\n\r\n", &g));
	EXPECT_STREQ("/p/q", g.file[0]);
	ulua_free(u);
}

TEST(example_rewrite)
{
	struct ulua *u = load("scripts/examples/rewrite.lua");
	struct got g;

	ASSERT_TRUE(u != NULL);
	ASSERT_EQ(3, call(u, -1, "GET /old/a HTTP/1.1\r\n\r\nGET /docs HTTP/1.1\r\n\r\n"
			  "GET /latest.txt HTTP/1.1\r\n\r\n", &g));
	EXPECT_EQ(301, g.code[0]);
	EXPECT_STREQ("/new/a", g.file[0]);
	EXPECT_EQ(302, g.code[1]);
	EXPECT_STREQ("https://example.org/docs", g.file[1]);
	EXPECT_EQ(200, g.code[2]);
	EXPECT_STREQ("/releases/v2.txt", g.file[2]);
	ulua_free(u);
}

TEST(example_deny)
{
	struct ulua *u = load("scripts/examples/deny.lua");
	struct got g;

	ASSERT_TRUE(u != NULL);
	ASSERT_EQ(1, call(u, -1, "GET / HTTP/1.1\r\nUser-Agent: xBADBOTx\r\n\r\n", &g));
	EXPECT_EQ(403, g.code[0]);
	ASSERT_EQ(1, call(u, -1, "GET /private/k HTTP/1.1\r\n\r\n", &g));
	EXPECT_EQ(403, g.code[0]);
	ASSERT_EQ(1, call(u, -1, "GET /private/k HTTP/1.1\r\nx-api-key: let-me-in\r\n\r\n", &g));
	EXPECT_EQ(200, g.code[0]);
	ASSERT_EQ(1, call(u, -1, "GET /img/a HTTP/1.1\r\nReferer: https://evil/\r\n\r\n", &g));
	EXPECT_EQ(403, g.code[0]);
	ulua_free(u);
}

TEST(example_vhosts)
{
	struct ulua *u = load("scripts/examples/vhosts.lua");
	struct got g;

	ASSERT_TRUE(u != NULL);
	ASSERT_EQ(1, call(u, -1, "GET /x HTTP/1.1\r\nHost: A.Example:8443\r\n\r\n", &g));
	EXPECT_STREQ("/a.example/x", g.file[0]);
	ASSERT_EQ(1, call(u, -1, "GET /x HTTP/1.1\r\nHost: other\r\n\r\n", &g));
	EXPECT_STREQ("/default/x", g.file[0]);
	ASSERT_EQ(1, call(u, -1, "GET /x HTTP/1.1\r\nHost: ..\r\n\r\n", &g));
	EXPECT_EQ(400, g.code[0]);
	ASSERT_EQ(1, call(u, -1, "GET /x HTTP/1.1\r\nHost: a/b\r\n\r\n", &g));
	EXPECT_EQ(400, g.code[0]);
	ulua_free(u);
}

TEST(runner_contains_errors_and_loops)
{
	char path[] = "/tmp/ktls-httpd-lua-XXXXXX";
	int fd = mkstemp(path);
	char err[256];
	struct ulua *u;
	struct got g;
	const char *src =
		"function recv(d, c)\n"
		"  if d == 'loop' then while true do end end\n"
		"  if d == 'err' then error('boom') end\n"
		"  if d == 'mem' then local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 100) .. i end end\n"
		"  if d == 'float' then return 200.5 end\n"
		"  return 200, '/ok'\n"
		"end\n";

	ASSERT_GE(fd, 0);
	ASSERT_EQ((ssize_t)strlen(src), write(fd, src, strlen(src)));
	close(fd);
	u = ulua_new(path, "recv", 1 << 20, 100000, err, sizeof(err));
	unlink(path);
	ASSERT_TRUE(u != NULL);
	EXPECT_EQ(-1, call(u, -1, "loop", &g));
	EXPECT_EQ(-1, call(u, -1, "err", &g));
	EXPECT_EQ(-1, call(u, -1, "mem", &g));
	EXPECT_EQ(-1, call(u, -1, "float", &g));
	ASSERT_EQ(1, call(u, -1, "fine", &g));
	EXPECT_STREQ("/ok", g.file[0]);
	ulua_free(u);
}

TEST(runner_survives_a_full_state)
{
	struct ulua *u = load("scripts/http.lua");
	struct got g;
	int i, ref = 0;

	ASSERT_TRUE(u != NULL);
	ulua_free(u);
	{
		char path[512], err[512];
		const char *f = __FILE__, *slash = strrchr(f, '/');

		snprintf(path, sizeof(path), "%.*s/../../scripts/http.lua",
			 (int)(slash - f), f);
		u = ulua_new(path, "recv", 256 << 10, 1000000, err, sizeof(err));
		ASSERT_TRUE(u != NULL);
	}
	/* conn tables until the 256 KiB cap refuses one: no panic */
	for (i = 0; i < 100000 && ref >= 0; i++) {
		ref = ulua_conn_new(u);
		if (ref >= 0) {
			char err[256];
			const char *d = "GET /partial-request-kept-in-the-conn-table";

			ulua_call(u, ref, d, strlen(d), collect, &g, err, sizeof(err));
		}
	}
	EXPECT_EQ(-1, ref);
	EXPECT_LT(i, 100000);
	/* a call without a table of its own still answers or fails cleanly */
	EXPECT_GE(1, call(u, -1, "GET / HTTP/1.1\r\n\r\n", &g));
	ulua_free(u);
}

TEST(runner_reports_load_errors)
{
	char err[256];
	struct ulua *u = ulua_new("/nonexistent.lua", "recv", 0, 0, err, sizeof(err));

	EXPECT_TRUE(u == NULL);
	EXPECT_TRUE(strstr(err, "cannot open the script /nonexistent.lua") != NULL);
}

TEST_MAIN()
