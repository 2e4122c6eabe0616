/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HTTP/1.1 pieces of ktls-httpd: request head parsing, path confinement,
 * Range and conditional headers, dates, response heads.  No global state
 * and no allocation: every function works on the caller's buffers, so each
 * can be unit-tested and fuzzed alone.
 */
#ifndef KTLS_HTTPD_HTTP_H
#define KTLS_HTTPD_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct http_str {
	const char *p;
	size_t n;
};

enum http_method { HTTP_M_OTHER = 0, HTTP_M_GET, HTTP_M_HEAD };

struct http_limits {
	size_t max_head;	/* request line + headers, with the final CRLFCRLF */
	size_t max_uri;		/* request target */
	unsigned int max_headers;
};

struct http_req {
	enum http_method method;
	int minor;			/* HTTP/1.<minor> */
	int keep_alive;			/* after the Connection header */
	int has_body;			/* Content-Length > 0 or Transfer-Encoding */
	long long content_length;	/* -1: none */
	size_t head_len;		/* bytes of the head, CRLFCRLF included */
	struct http_str line;		/* request line without CRLF */
	struct http_str method_s, target;
	struct http_str host, range, if_range, ims, inm, ua, referer;
};

/* http_parse_request() results; errors are HTTP status codes (>= 400). */
#define HTTP_PARSE_AGAIN	0	/* no complete head yet, within limits */
#define HTTP_PARSE_OK		1

/* Offset just past the first CRLFCRLF in buf, or 0. */
size_t http_head_end(const char *buf, size_t len);
int http_parse_request(const char *buf, size_t len,
		       const struct http_limits *lim, struct http_req *req);

/*
 * Decode a request target (origin-form or absolute-form, query dropped)
 * into a path relative to the docroot: no leading '/', no empty, "." or
 * ".." segments, no NUL.  "" is the docroot itself.  *dir is set when the
 * path ended with '/'.  Returns 0, or 400 (malformed), 403 (".."), 414.
 */
int http_path_decode(const char *target, size_t n, char *out, size_t cap,
		     size_t *outlen, int *dir);

/* Range: 0 = serve it all (absent, multiple or malformed), 1 = one range
 * [*start, *start + *len), -1 = not satisfiable (416). */
int http_parse_range(const char *v, size_t n, long long size,
		     long long *start, long long *len);

#define HTTP_DATE_LEN 29	/* "Sun, 06 Nov 1994 08:49:37 GMT" */
void http_date_format(time_t t, char out[HTTP_DATE_LEN + 1]);
/* IMF-fixdate, RFC 850 and asctime forms.  0 on success. */
int http_date_parse(const char *s, size_t n, time_t *t);

#define HTTP_ETAG_MAX 48
void http_etag_format(unsigned long long size, long long mtime_sec,
		      long mtime_nsec, unsigned long long ino,
		      char out[HTTP_ETAG_MAX]);
/* If-None-Match value against an ETag: 1 if it matches (weak compare). */
int http_etag_match(const char *inm, size_t n, const char *etag);

const char *http_reason(int status);

struct http_resp {
	int status;
	int keep_alive;
	int http10;			/* an HTTP/1.0 client: say keep-alive */
	int head_only;			/* HEAD: headers for the body, no body */
	const char *date;		/* HTTP date */
	const char *content_type;	/* NULL: none */
	long long content_length;	/* -1: none */
	const char *last_modified;	/* NULL: none */
	const char *etag;		/* NULL: none */
	long long range_start, range_len, total;	/* 206 / 416 */
	const char *location;		/* 3xx */
	size_t location_len;
};

/* The response head; returns its length or 0 if cap is too small. */
size_t http_resp_head(char *out, size_t cap, const struct http_resp *r);
/* A small HTML error body for status; returns its length (< cap). */
size_t http_error_body(char *out, size_t cap, int status);

#endif /* KTLS_HTTPD_HTTP_H */
