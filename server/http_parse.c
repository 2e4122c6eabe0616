// SPDX-License-Identifier: GPL-2.0
/*
 * http_parse.c: the request head, the request target and Range.
 * Everything is bounded by the lengths given; nothing is allocated.
 */
#include <string.h>
#include <strings.h>

#include "http.h"

static int is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int str_ieq(struct http_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n == n && !strncasecmp(s.p, lit, n);
}

size_t http_head_end(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while (p + 4 <= end) {
		p = memchr(p, '\r', (size_t)(end - p) - 3);
		if (!p)
			return 0;
		if (p[1] == '\n' && p[2] == '\r' && p[3] == '\n')
			return (size_t)(p - buf) + 4;
		p++;
	}
	return 0;
}

/* Comma-separated tokens of a Connection header. */
static void parse_connection(struct http_str v, struct http_req *req)
{
	size_t i = 0;

	while (i < v.n) {
		size_t s, e;

		while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t' || v.p[i] == ','))
			i++;
		s = i;
		while (i < v.n && v.p[i] != ',')
			i++;
		e = i;
		while (e > s && (v.p[e - 1] == ' ' || v.p[e - 1] == '\t'))
			e--;
		struct http_str t = { v.p + s, e - s };
		if (str_ieq(t, "close"))
			req->keep_alive = 0;
		else if (str_ieq(t, "keep-alive"))
			req->keep_alive = 1;
	}
}

static int parse_content_length(struct http_str v, long long *out)
{
	long long n = 0;

	if (!v.n)
		return -1;
	for (size_t i = 0; i < v.n; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -1;
		if (n > (0x7fffffffffffffffLL - 9) / 10)
			return -1;
		n = n * 10 + (v.p[i] - '0');
	}
	*out = n;
	return 0;
}

static int parse_request_line(const char *p, size_t n,
			      const struct http_limits *lim, struct http_req *req)
{
	size_t i = 0, s;

	while (i < n && is_tchar((unsigned char)p[i]))
		i++;
	if (i == 0 || i >= n || p[i] != ' ')
		return 400;
	req->method_s = (struct http_str){ p, i };
	if (i == 3 && !memcmp(p, "GET", 3))
		req->method = HTTP_M_GET;
	else if (i == 4 && !memcmp(p, "HEAD", 4))
		req->method = HTTP_M_HEAD;
	else
		req->method = HTTP_M_OTHER;
	s = ++i;
	while (i < n && p[i] != ' ') {
		unsigned char c = (unsigned char)p[i];

		if (c <= 0x20 || c == 0x7f)
			return 400;
		i++;
	}
	if (i == s)
		return 400;
	if (i - s > lim->max_uri)
		return 414;
	req->target = (struct http_str){ p + s, i - s };
	if (i >= n || p[i] != ' ')
		return 400;
	i++;
	if (n - i != 8 || memcmp(p + i, "HTTP/", 5) || p[i + 6] != '.' ||
	    p[i + 5] < '0' || p[i + 5] > '9' || p[i + 7] < '0' || p[i + 7] > '9')
		return 400;
	if (p[i + 5] != '1')
		return 505;
	req->minor = p[i + 7] - '0';
	req->keep_alive = req->minor >= 1;
	return 0;
}

int http_parse_request(const char *buf, size_t len,
		       const struct http_limits *lim, struct http_req *req)
{
	size_t end, pos, eol;
	const char *nl;
	unsigned int nhdr = 0;
	int seen_host = 0, rc;

	memset(req, 0, sizeof(*req));
	req->content_length = -1;
	end = http_head_end(buf, len < lim->max_head ? len : lim->max_head);
	if (!end) {
		nl = memchr(buf, '\n', len);
		if (!nl && len > lim->max_uri + 16)
			return 414;
		if (len >= lim->max_head)
			return nl ? 431 : 414;
		return HTTP_PARSE_AGAIN;
	}
	req->head_len = end;
	nl = memchr(buf, '\n', end);
	eol = (size_t)(nl - buf);
	if (eol == 0 || buf[eol - 1] != '\r')
		return 400;
	req->line = (struct http_str){ buf, eol - 1 };
	rc = parse_request_line(buf, eol - 1, lim, req);
	if (rc)
		return rc;

	pos = eol + 1;
	while (pos < end - 2) {
		const char *line = buf + pos;
		size_t ln, c, vs, ve;

		nl = memchr(line, '\n', end - pos);
		ln = (size_t)(nl - line);
		if (ln == 0 || line[ln - 1] != '\r')
			return 400;
		ln--;
		if (++nhdr > lim->max_headers)
			return 431;
		for (c = 0; c < ln && is_tchar((unsigned char)line[c]); c++)
			;
		if (c == 0 || c >= ln || line[c] != ':')
			return 400;	/* also obs-fold and space before ':' */
		vs = c + 1;
		while (vs < ln && (line[vs] == ' ' || line[vs] == '\t'))
			vs++;
		ve = ln;
		while (ve > vs && (line[ve - 1] == ' ' || line[ve - 1] == '\t'))
			ve--;
		for (size_t k = vs; k < ve; k++) {
			unsigned char ch = (unsigned char)line[k];

			if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
				return 400;
		}
		struct http_str name = { line, c }, v = { line + vs, ve - vs };

		switch (c) {
		case 4:
			if (str_ieq(name, "host")) {
				if (seen_host++)
					return 400;
				req->host = v;
			}
			break;
		case 5:
			if (str_ieq(name, "range"))
				req->range = v;
			break;
		case 7:
			if (str_ieq(name, "referer"))
				req->referer = v;
			break;
		case 8:
			if (str_ieq(name, "if-range"))
				req->if_range = v;
			break;
		case 10:
			if (str_ieq(name, "connection"))
				parse_connection(v, req);
			else if (str_ieq(name, "user-agent"))
				req->ua = v;
			break;
		case 13:
			if (str_ieq(name, "if-none-match"))
				req->inm = v;
			break;
		case 14:
			if (str_ieq(name, "content-length")) {
				long long cl;

				if (parse_content_length(v, &cl) ||
				    (req->content_length >= 0 && req->content_length != cl))
					return 400;
				req->content_length = cl;
				if (cl > 0)
					req->has_body = 1;
			}
			break;
		case 17:
			if (str_ieq(name, "if-modified-since"))
				req->ims = v;
			else if (str_ieq(name, "transfer-encoding"))
				req->has_body = 1;
			break;
		}
		pos += ln + 2;
	}
	if (req->minor >= 1 && !seen_host)
		return 400;
	return HTTP_PARSE_OK;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int http_path_decode(const char *t, size_t n, char *out, size_t cap,
		     size_t *outlen, int *dir)
{
	size_t i = 0, o = 0, seg = 0;

	*outlen = 0;
	*dir = 0;
	if (!cap)
		return 414;
	/* absolute-form: scheme://authority/path */
	if (n > 7 && (!strncasecmp(t, "http://", 7) || !strncasecmp(t, "https://", 8))) {
		i = t[4] == ':' ? 7 : 8;
		while (i < n && t[i] != '/' && t[i] != '?')
			i++;
		if (i >= n || t[i] != '/')
			return 400;
	}
	if (i >= n || t[i] != '/')
		return 400;
	/* Each segment is decoded, then judged: empty and "." dropped, ".." refused. */
	while (i < n && t[i] != '?' && t[i] != '#') {
		unsigned char c = (unsigned char)t[i];

		if (c == '%') {
			int h, l;

			if (n - i < 3)
				return 400;
			h = hexval((unsigned char)t[i + 1]);
			l = hexval((unsigned char)t[i + 2]);
			if (h < 0 || l < 0)
				return 400;
			c = (unsigned char)(h << 4 | l);
			i += 3;
		} else {
			i++;
		}
		if (c == 0)
			return 400;
		if (c == '/') {
			/* end of segment at out[seg..o) */
			size_t sl = o - seg;

			if (sl == 0 || (sl == 1 && out[seg] == '.')) {
				o = seg;
			} else if (sl == 2 && out[seg] == '.' && out[seg + 1] == '.') {
				return 403;
			} else {
				if (o + 1 >= cap)
					return 414;
				out[o++] = '/';
				seg = o;
			}
			continue;
		}
		if (o + 1 >= cap)
			return 414;
		out[o++] = (char)c;
	}
	/* the last segment */
	{
		size_t sl = o - seg;

		if (sl == 2 && out[seg] == '.' && out[seg + 1] == '.')
			return 403;
		if (sl == 1 && out[seg] == '.')
			o = seg;
		if (o == seg)
			*dir = 1;
	}
	/* drop the trailing '/' of a directory */
	if (o > 0 && out[o - 1] == '/')
		o--;
	out[o] = '\0';
	*outlen = o;
	return 0;
}

static int parse_num(const char *p, size_t n, long long *v)
{
	long long x = 0;

	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		if (x > (0x7fffffffffffffffLL - 9) / 10)
			x = 0x7fffffffffffffffLL / 10;	/* saturate */
		else
			x = x * 10 + (p[i] - '0');
	}
	*v = x;
	return 0;
}

int http_parse_range(const char *v, size_t n, long long size,
		     long long *start, long long *len)
{
	const char *dash;
	long long a, b;

	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n < 7 || strncasecmp(v, "bytes=", 6))
		return 0;
	v += 6;
	n -= 6;
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	if (memchr(v, ',', n))
		return 0;	/* several ranges: the whole file */
	dash = memchr(v, '-', n);
	if (!dash)
		return 0;
	if (dash == v) {	/* suffix: the last b bytes */
		if (parse_num(v + 1, n - 1, &b))
			return 0;
		if (b == 0 || size == 0)
			return -1;
		if (b > size)
			b = size;
		*start = size - b;
		*len = b;
		return 1;
	}
	if (parse_num(v, (size_t)(dash - v), &a))
		return 0;
	if ((size_t)(dash - v) + 1 == n) {
		b = size - 1;
	} else {
		if (parse_num(dash + 1, n - (size_t)(dash - v) - 1, &b))
			return 0;
		if (b < a)
			return 0;
		if (b >= size)
			b = size - 1;
	}
	if (a >= size)
		return -1;
	*start = a;
	*len = b - a + 1;
	return 1;
}
