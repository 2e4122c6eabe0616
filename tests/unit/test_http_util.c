// SPDX-License-Identifier: GPL-2.0
/* ktls-httpd: dates, entity tags, response heads and the mime table. */
#include "harness.h"
#include "../../server/http_util.c"
#include "../../server/mime.c"

TEST(date_format)
{
	char d[HTTP_DATE_LEN + 1];

	http_date_format(784111777, d);
	EXPECT_STREQ("Sun, 06 Nov 1994 08:49:37 GMT", d);
}

TEST(date_parse_three_forms)
{
	time_t t;
	const char *a = "Sun, 06 Nov 1994 08:49:37 GMT";
	const char *b = "Sunday, 06-Nov-94 08:49:37 GMT";
	const char *c = "Sun Nov  6 08:49:37 1994";

	ASSERT_EQ(0, http_date_parse(a, strlen(a), &t));
	EXPECT_EQ(784111777, (long long)t);
	ASSERT_EQ(0, http_date_parse(b, strlen(b), &t));
	EXPECT_EQ(784111777, (long long)t);
	ASSERT_EQ(0, http_date_parse(c, strlen(c), &t));
	EXPECT_EQ(784111777, (long long)t);
}

TEST(date_parse_rejects_junk)
{
	time_t t;
	const char *bad[] = { "", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Foo 1994 08:49:37 GMT",
			      "Sun, 36 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMTX",
			      "yesterday", "Sun Nov 6 08:49:37 1994" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-1, http_date_parse(bad[i], strlen(bad[i]), &t));
}

TEST(etag_match)
{
	char e[HTTP_ETAG_MAX];
	char inm[128];

	http_etag_format(100, 5, 0, 7, e);
	EXPECT_EQ(1, http_etag_match(e, strlen(e), e));
	snprintf(inm, sizeof(inm), "\"x\", W/%s", e);
	EXPECT_EQ(1, http_etag_match(inm, strlen(inm), e));
	EXPECT_EQ(1, http_etag_match("*", 1, e));
	EXPECT_EQ(0, http_etag_match("\"x\"", 3, e));
	EXPECT_EQ(0, http_etag_match("\"unterminated", 13, e));
	EXPECT_EQ(0, http_etag_match("garbage", 7, e));
}

TEST(resp_head_200)
{
	char out[512];
	struct http_resp r = { .status = 200, .keep_alive = 1, .date = "D",
			       .content_type = "text/html", .content_length = 5,
			       .last_modified = "L", .etag = "\"e\"" };
	size_t n = http_resp_head(out, sizeof(out), &r);

	ASSERT_GT(n, 0);
	out[n] = '\0';
	EXPECT_STREQ("HTTP/1.1 200 OK\r\nServer: ktls-httpd\r\nDate: D\r\n"
		     "Content-Type: text/html\r\nContent-Length: 5\r\n"
		     "Last-Modified: L\r\nETag: \"e\"\r\nAccept-Ranges: bytes\r\n\r\n", out);
}

TEST(resp_head_206_and_close)
{
	char out[512];
	struct http_resp r = { .status = 206, .date = "D", .content_length = 4,
			       .range_start = 2, .range_len = 4, .total = 10 };
	size_t n = http_resp_head(out, sizeof(out), &r);

	ASSERT_GT(n, 0);
	out[n] = '\0';
	EXPECT_TRUE(strstr(out, "Content-Range: bytes 2-5/10\r\n") != NULL);
	EXPECT_TRUE(strstr(out, "Connection: close\r\n\r\n") != NULL);
}

TEST(resp_head_refuses_crlf_in_location)
{
	char out[512];
	struct http_resp r = { .status = 302, .date = "D", .content_length = 0,
			       .location = "/a\r\nSet-Cookie: x", .location_len = 17 };

	EXPECT_EQ(0, (int)http_resp_head(out, sizeof(out), &r));
}

TEST(resp_head_too_small)
{
	char out[16];
	struct http_resp r = { .status = 200, .date = "D", .content_length = 1 };

	EXPECT_EQ(0, (int)http_resp_head(out, sizeof(out), &r));
}

TEST(error_body_fits)
{
	char out[512];
	size_t n = http_error_body(out, sizeof(out), 404);

	EXPECT_GT(n, 0);
	EXPECT_TRUE(strstr(out, "404 Not Found") != NULL);
	{
		volatile size_t small = 10;	/* truncation stays in bounds */

		EXPECT_EQ(9, (int)http_error_body(out, small, 404));
	}
}

TEST(mime_parse_and_lookup)
{
	const char *txt = "# comment\ntext/x-foo\tfoo FOO2\n\napplication/x-bar bar # tail\nbroken\n";
	struct mime_table *t = mime_parse(txt, strlen(txt));

	ASSERT_TRUE(t != NULL);
	EXPECT_STREQ("text/x-foo", mime_lookup(t, "a/b.foo", 7));
	EXPECT_STREQ("text/x-foo", mime_lookup(t, "x.Foo2", 6));
	EXPECT_STREQ("application/x-bar", mime_lookup(t, "x.bar", 5));
	EXPECT_STREQ("text/html", mime_lookup(t, "index.html", 10));
	EXPECT_STREQ(MIME_DEFAULT, mime_lookup(t, "noext", 5));
	EXPECT_STREQ(MIME_DEFAULT, mime_lookup(t, "dir.d/noext", 11));
	EXPECT_STREQ(MIME_DEFAULT, mime_lookup(t, "x.", 2));
	mime_free(t);
}

TEST(mime_debian_file)
{
	struct mime_table *t = mime_load("/etc/mime.types");

	if (!t)
		SKIP("no /etc/mime.types");
	EXPECT_STREQ("text/css", mime_lookup(t, "a.css", 5));
	EXPECT_STREQ("image/png", mime_lookup(t, "a.png", 5));
	mime_free(t);
}

TEST_MAIN()
