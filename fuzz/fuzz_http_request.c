// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: ktls-httpd's request head parser (server/http_parse.c:
 * http_head_end, http_parse_request).  The first input byte picks the
 * limits (the ranges ktls-httpd's flags allow), the rest is what a client
 * sent.  Invariants: only the documented results; every string the parser
 * returns lies inside the head; the head ends with CRLFCRLF within the
 * limits; no header value carries CR or LF; the result does not depend on
 * bytes after the head.
 */
#include "fuzz.h"
#include "../server/http_parse.c"

static const struct http_limits lims[4] = {
	{ 256, 224, 1 },		/* the smallest --max-head */
	{ 1024, 512, 8 },
	{ 8192, 4096, 64 },		/* the defaults */
	{ 65536, 4096, 10000 },
};

static void in_head(const char *buf, const struct http_req *q, struct http_str s)
{
	if (!s.n)
		return;
	FUZZ_CHECK(s.p >= buf && s.p + s.n <= buf + q->head_len);
}

static void no_crlf(struct http_str s)
{
	if (!s.n)
		return;
	FUZZ_CHECK(!memchr(s.p, '\r', s.n) && !memchr(s.p, '\n', s.n));
}

static size_t naive_head_end(const char *b, size_t n)
{
	for (size_t i = 0; i + 4 <= n; i++)
		if (!memcmp(b + i, "\r\n\r\n", 4))
			return i + 4;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin f = { data, size };
	const struct http_limits *lim = &lims[fin_u8(&f) & 3];
	char *buf = fin_dup(f.p, f.n);
	size_t len = f.n;
	struct http_req q, q2;
	int rc;

	FUZZ_CHECK(http_head_end(buf, len) == naive_head_end(buf, len));
	rc = http_parse_request(buf, len, lim, &q);
	FUZZ_CHECK(rc == HTTP_PARSE_AGAIN || rc == HTTP_PARSE_OK || rc == 400 ||
		   rc == 414 || rc == 431 || rc == 505);
	if (rc == HTTP_PARSE_AGAIN) {
		FUZZ_CHECK(len < lim->max_head);
		FUZZ_CHECK(!naive_head_end(buf, len));
	}
	if (rc == HTTP_PARSE_OK) {
		FUZZ_CHECK(q.head_len >= 4 && q.head_len <= len &&
			   q.head_len <= lim->max_head);
		FUZZ_CHECK(!memcmp(buf + q.head_len - 4, "\r\n\r\n", 4));
		FUZZ_CHECK(naive_head_end(buf, len) == q.head_len);
		FUZZ_CHECK(q.target.n > 0 && q.target.n <= lim->max_uri);
		FUZZ_CHECK(q.method_s.n > 0 && q.line.n > q.method_s.n);
		FUZZ_CHECK(q.minor >= 0 && q.minor <= 9);
		FUZZ_CHECK(q.content_length >= -1);
		FUZZ_CHECK(q.method == HTTP_M_OTHER ||
			   (q.method == HTTP_M_GET && q.method_s.n == 3) ||
			   (q.method == HTTP_M_HEAD && q.method_s.n == 4));
		in_head(buf, &q, q.line);
		in_head(buf, &q, q.method_s);
		in_head(buf, &q, q.target);
		struct http_str hv[] = { q.host, q.range, q.if_range, q.ims, q.inm,
					 q.ua, q.referer, q.line, q.target };
		for (size_t i = 0; i < sizeof(hv) / sizeof(hv[0]); i++) {
			in_head(buf, &q, hv[i]);
			no_crlf(hv[i]);
		}
		/* the same head alone parses the same */
		FUZZ_CHECK(http_parse_request(buf, q.head_len, lim, &q2) == rc);
		FUZZ_CHECK(q2.head_len == q.head_len && q2.target.n == q.target.n &&
			   q2.target.p == q.target.p && q2.keep_alive == q.keep_alive &&
			   q2.content_length == q.content_length);
	}
	free(buf);
	return 0;
}
