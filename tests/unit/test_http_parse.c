// SPDX-License-Identifier: GPL-2.0
/* ktls-httpd's request parser, path confinement and Range parsing. */
#include "harness.h"
#include "../../server/http_parse.c"

static const struct http_limits lim = { 8192, 4096, 64 };

static int parse(const char *s, struct http_req *q)
{
	return http_parse_request(s, strlen(s), &lim, q);
}

TEST(simple_get)
{
	struct http_req q;

	ASSERT_EQ(HTTP_PARSE_OK, parse("GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\n\r\n", &q));
	EXPECT_EQ(HTTP_M_GET, q.method);
	EXPECT_EQ(1, q.minor);
	EXPECT_EQ(1, q.keep_alive);
	EXPECT_EQ(8, (int)q.target.n);
	EXPECT_EQ(0, memcmp(q.target.p, "/a/b?x=1", 8));
	EXPECT_EQ(1, (int)q.host.n);
	EXPECT_EQ(34, (int)q.head_len);
}

TEST(incomplete_head_waits)
{
	struct http_req q;

	EXPECT_EQ(HTTP_PARSE_AGAIN, parse("GET / HTTP/1.1\r\nHost: h\r\n", &q));
	EXPECT_EQ(HTTP_PARSE_AGAIN, parse("GET / HTTP/1.1\r\nHost: h\r\n\r", &q));
	EXPECT_EQ(HTTP_PARSE_AGAIN, parse("", &q));
}

TEST(pipelined_head_length)
{
	struct http_req q;
	const char *s = "HEAD /x HTTP/1.1\r\nHost: h\r\n\r\nGET /y HTTP/1.1\r\n";

	ASSERT_EQ(HTTP_PARSE_OK, parse(s, &q));
	EXPECT_EQ(HTTP_M_HEAD, q.method);
	EXPECT_EQ(29, (int)q.head_len);
}

TEST(http10_closes_unless_keepalive)
{
	struct http_req q;

	ASSERT_EQ(HTTP_PARSE_OK, parse("GET / HTTP/1.0\r\n\r\n", &q));
	EXPECT_EQ(0, q.keep_alive);
	ASSERT_EQ(HTTP_PARSE_OK, parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &q));
	EXPECT_EQ(1, q.keep_alive);
	ASSERT_EQ(HTTP_PARSE_OK, parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\n", &q));
	EXPECT_EQ(0, q.keep_alive);
}

TEST(other_method_parsed)
{
	struct http_req q;

	ASSERT_EQ(HTTP_PARSE_OK, parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n", &q));
	EXPECT_EQ(HTTP_M_OTHER, q.method);
	EXPECT_EQ(1, q.has_body);
	EXPECT_EQ(3, q.content_length);
}

TEST(malformed_is_400)
{
	struct http_req q;

	EXPECT_EQ(400, parse("GET / HTTP/1.1\r\n\r\n", &q));	/* no Host */
	EXPECT_EQ(400, parse("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", &q));
	EXPECT_EQ(400, parse("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", &q));
	EXPECT_EQ(400, parse("GET / XTTP/1.1\r\nHost: h\r\n\r\n", &q));
	EXPECT_EQ(400, parse("GET / HTTP/1.1\r\nHost : h\r\n\r\n", &q));
	EXPECT_EQ(400, parse("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", &q));
	EXPECT_EQ(400, parse("GET / HTTP/1.1\nHost: h\r\n\r\n", &q));
	EXPECT_EQ(400, parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", &q));
	EXPECT_EQ(400, parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n", &q));
	EXPECT_EQ(400, parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", &q));
	EXPECT_EQ(400, parse("GET /\x01 HTTP/1.1\r\nHost: h\r\n\r\n", &q));
	EXPECT_EQ(400, parse("\r\n\r\n", &q));
}

TEST(version_2_is_505)
{
	struct http_req q;

	EXPECT_EQ(505, parse("GET / HTTP/2.0\r\nHost: h\r\n\r\n", &q));
}

TEST(long_uri_is_414)
{
	struct http_req q;
	static char buf[9000];

	strcpy(buf, "GET /");
	memset(buf + 5, 'a', 5000);
	strcpy(buf + 5005, " HTTP/1.1\r\nHost: h\r\n\r\n");
	EXPECT_EQ(414, parse(buf, &q));
	buf[5005] = '\0';	/* no end of line yet, already too long */
	EXPECT_EQ(414, parse(buf, &q));
}

TEST(big_head_is_431)
{
	struct http_req q;
	static char buf[9000];

	strcpy(buf, "GET / HTTP/1.1\r\nX: ");
	memset(buf + 19, 'a', 8500);
	buf[8519] = '\0';
	EXPECT_EQ(431, parse(buf, &q));
}

TEST(too_many_headers_is_431)
{
	struct http_req q;
	static char buf[4096];
	size_t n = (size_t)sprintf(buf, "GET / HTTP/1.1\r\nHost: h\r\n");

	for (int i = 0; i < 70; i++)
		n += (size_t)sprintf(buf + n, "X%d: y\r\n", i);
	strcpy(buf + n, "\r\n");
	EXPECT_EQ(431, parse(buf, &q));
}

TEST(conditional_and_range_headers)
{
	struct http_req q;

	ASSERT_EQ(HTTP_PARSE_OK, parse("GET / HTTP/1.1\r\nhost: h\r\nRANGE: bytes=1-2\r\n"
				       "If-None-Match: \"x\"\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT \r\n"
				       "If-Range: \"e\"\r\nUser-Agent: ua\r\nReferer: r\r\n\r\n", &q));
	EXPECT_EQ(9, (int)q.range.n);
	EXPECT_EQ(3, (int)q.inm.n);
	EXPECT_EQ(29, (int)q.ims.n);
	EXPECT_EQ(3, (int)q.if_range.n);
	EXPECT_EQ(2, (int)q.ua.n);
	EXPECT_EQ(1, (int)q.referer.n);
}

static int decode(const char *t, char *out, int *dir)
{
	size_t n;

	return http_path_decode(t, strlen(t), out, 256, &n, dir);
}

TEST(path_plain)
{
	char out[256];
	int dir;

	ASSERT_EQ(0, decode("/a/b.html?q=1#f", out, &dir));
	EXPECT_STREQ("a/b.html", out);
	EXPECT_EQ(0, dir);
	ASSERT_EQ(0, decode("/", out, &dir));
	EXPECT_STREQ("", out);
	EXPECT_EQ(1, dir);
	ASSERT_EQ(0, decode("/sub/", out, &dir));
	EXPECT_STREQ("sub", out);
	EXPECT_EQ(1, dir);
}

TEST(path_collapses_slashes_and_dots)
{
	char out[256];
	int dir;

	ASSERT_EQ(0, decode("//a///./b/.", out, &dir));
	EXPECT_STREQ("a/b", out);
	EXPECT_EQ(1, dir);
	ASSERT_EQ(0, decode("/a%2fb", out, &dir));
	EXPECT_STREQ("a/b", out);
	ASSERT_EQ(0, decode("/%2E/x", out, &dir));
	EXPECT_STREQ("x", out);
}

TEST(path_refuses_traversal)
{
	char out[256];
	int dir;

	EXPECT_EQ(403, decode("/../etc/passwd", out, &dir));
	EXPECT_EQ(403, decode("/a/..", out, &dir));
	EXPECT_EQ(403, decode("/%2e%2e/etc/passwd", out, &dir));
	EXPECT_EQ(403, decode("/%2E%2e%2fetc", out, &dir));
	EXPECT_EQ(403, decode("/a/.%2e/b", out, &dir));
	EXPECT_EQ(403, decode("http://h/../x", out, &dir));
}

TEST(path_refuses_nul_and_bad_escapes)
{
	char out[256];
	int dir;

	EXPECT_EQ(400, decode("/a%00b", out, &dir));
	EXPECT_EQ(400, decode("/a%0", out, &dir));
	EXPECT_EQ(400, decode("/a%zz", out, &dir));
	EXPECT_EQ(400, decode("a", out, &dir));
	EXPECT_EQ(400, decode("*", out, &dir));
	EXPECT_EQ(400, decode("", out, &dir));
}

TEST(path_absolute_form)
{
	char out[256];
	int dir;

	ASSERT_EQ(0, decode("https://example.org/x/y", out, &dir));
	EXPECT_STREQ("x/y", out);
	EXPECT_EQ(400, decode("http://example.org", out, &dir));
}

TEST(path_too_long_is_414)
{
	char out[8];
	size_t n;
	int dir;

	EXPECT_EQ(414, http_path_decode("/abcdefghij", 11, out, sizeof(out), &n, &dir));
}

static int range(const char *v, long long size, long long *s, long long *l)
{
	return http_parse_range(v, strlen(v), size, s, l);
}

TEST(range_forms)
{
	long long s, l;

	ASSERT_EQ(1, range("bytes=0-0", 10, &s, &l));
	EXPECT_EQ(0, s);
	EXPECT_EQ(1, l);
	ASSERT_EQ(1, range("bytes=5-", 10, &s, &l));
	EXPECT_EQ(5, s);
	EXPECT_EQ(5, l);
	ASSERT_EQ(1, range("bytes=-3", 10, &s, &l));
	EXPECT_EQ(7, s);
	EXPECT_EQ(3, l);
	ASSERT_EQ(1, range("bytes=-30", 10, &s, &l));
	EXPECT_EQ(0, s);
	EXPECT_EQ(10, l);
	ASSERT_EQ(1, range("bytes=2-99999999999999999999999", 10, &s, &l));
	EXPECT_EQ(2, s);
	EXPECT_EQ(8, l);
}

TEST(range_unsatisfiable)
{
	long long s, l;

	EXPECT_EQ(-1, range("bytes=10-", 10, &s, &l));
	EXPECT_EQ(-1, range("bytes=-0", 10, &s, &l));
	EXPECT_EQ(-1, range("bytes=0-", 0, &s, &l));
}

TEST(range_ignored)
{
	long long s, l;

	EXPECT_EQ(0, range("bytes=1-2,4-5", 10, &s, &l));
	EXPECT_EQ(0, range("bytes=5-2", 10, &s, &l));
	EXPECT_EQ(0, range("items=1-2", 10, &s, &l));
	EXPECT_EQ(0, range("bytes=a-b", 10, &s, &l));
	EXPECT_EQ(0, range("bytes=", 10, &s, &l));
	EXPECT_EQ(0, range("bytes=-", 10, &s, &l));
}

TEST(head_end_search)
{
	EXPECT_EQ(4, (int)http_head_end("\r\n\r\nx", 5));
	EXPECT_EQ(0, (int)http_head_end("\r\n\r", 3));
	EXPECT_EQ(0, (int)http_head_end("", 0));
	EXPECT_EQ(7, (int)http_head_end("abc\r\n\r\n", 7));
}

TEST_MAIN()
