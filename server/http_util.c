// SPDX-License-Identifier: GPL-2.0
/*
 * http_util.c: dates, entity tags, reason phrases and response heads.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http.h"

static const char wdays[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

void http_date_format(time_t t, char out[HTTP_DATE_LEN + 1])
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || tm.tm_year > 8099 || tm.tm_year < -1899) {
		memcpy(out, "Thu, 01 Jan 1970 00:00:00 GMT", HTTP_DATE_LEN + 1);
		return;
	}
	snprintf(out, HTTP_DATE_LEN + 1, "%s, %02d %s %04d %02d:%02d:%02d GMT",
		 wdays[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int num(const char *s, size_t n, size_t *i, size_t digits, int *v)
{
	int x = 0;

	if (*i + digits > n)
		return -1;
	for (size_t k = 0; k < digits; k++) {
		char c = s[*i + k];

		if (c < '0' || c > '9')
			return -1;
		x = x * 10 + (c - '0');
	}
	*i += digits;
	*v = x;
	return 0;
}

static int lit(const char *s, size_t n, size_t *i, const char *l)
{
	size_t k = strlen(l);

	if (*i + k > n || memcmp(s + *i, l, k))
		return -1;
	*i += k;
	return 0;
}

static int month(const char *s, size_t n, size_t *i, int *m)
{
	if (*i + 3 > n)
		return -1;
	for (int k = 0; k < 12; k++)
		if (!memcmp(s + *i, months[k], 3)) {
			*m = k;
			*i += 3;
			return 0;
		}
	return -1;
}

static int hms(const char *s, size_t n, size_t *i, struct tm *tm)
{
	if (num(s, n, i, 2, &tm->tm_hour) || lit(s, n, i, ":") ||
	    num(s, n, i, 2, &tm->tm_min) || lit(s, n, i, ":") ||
	    num(s, n, i, 2, &tm->tm_sec))
		return -1;
	return 0;
}

int http_date_parse(const char *s, size_t n, time_t *t)
{
	struct tm tm;
	size_t i = 0;
	const char *comma = memchr(s, ',', n);

	memset(&tm, 0, sizeof(tm));
	if (comma && comma - s == 3) {
		/* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
		i = 4;
		if (lit(s, n, &i, " ") || num(s, n, &i, 2, &tm.tm_mday) ||
		    lit(s, n, &i, " ") || month(s, n, &i, &tm.tm_mon) ||
		    lit(s, n, &i, " ") || num(s, n, &i, 4, &tm.tm_year) ||
		    lit(s, n, &i, " ") || hms(s, n, &i, &tm) ||
		    lit(s, n, &i, " GMT") || i != n)
			return -1;
		tm.tm_year -= 1900;
	} else if (comma) {
		/* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
		int yy;

		i = (size_t)(comma - s) + 1;
		if (lit(s, n, &i, " ") || num(s, n, &i, 2, &tm.tm_mday) ||
		    lit(s, n, &i, "-") || month(s, n, &i, &tm.tm_mon) ||
		    lit(s, n, &i, "-") || num(s, n, &i, 2, &yy) ||
		    lit(s, n, &i, " ") || hms(s, n, &i, &tm) ||
		    lit(s, n, &i, " GMT") || i != n)
			return -1;
		tm.tm_year = yy < 70 ? yy + 100 : yy;
	} else {
		/* asctime: Sun Nov  6 08:49:37 1994 */
		i = 4;
		if (n < 24 || lit(s, n, &i, "") || month(s, n, &i, &tm.tm_mon) ||
		    lit(s, n, &i, " "))
			return -1;
		if (s[i] == ' ') {
			i++;
			if (num(s, n, &i, 1, &tm.tm_mday))
				return -1;
		} else if (num(s, n, &i, 2, &tm.tm_mday)) {
			return -1;
		}
		if (lit(s, n, &i, " ") || hms(s, n, &i, &tm) ||
		    lit(s, n, &i, " ") || num(s, n, &i, 4, &tm.tm_year) || i != n)
			return -1;
		tm.tm_year -= 1900;
	}
	if (tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	*t = timegm(&tm);
	return *t == (time_t)-1 ? -1 : 0;
}

void http_etag_format(unsigned long long size, long long mtime_sec,
		      long mtime_nsec, unsigned long long ino,
		      char out[HTTP_ETAG_MAX])
{
	snprintf(out, HTTP_ETAG_MAX, "\"%llx-%llx-%llx\"", ino & 0xffffffffULL,
		 (unsigned long long)mtime_sec * 1000ULL +
			 (unsigned long long)(mtime_nsec / 1000000),
		 size);
}

int http_etag_match(const char *v, size_t n, const char *etag)
{
	size_t el = strlen(etag), i = 0;

	while (i < n) {
		size_t s;

		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		if (i >= n)
			break;
		if (v[i] == '*')
			return 1;
		if (n - i >= 2 && v[i] == 'W' && v[i + 1] == '/')
			i += 2;
		if (i >= n || v[i] != '"')
			return 0;
		s = i++;
		while (i < n && v[i] != '"')
			i++;
		if (i >= n)
			return 0;
		i++;
		if (i - s == el && !memcmp(v + s, etag, el))
			return 1;
	}
	return 0;
}

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 410: return "Gone";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 416: return "Range Not Satisfiable";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

struct obuf {
	char *p;
	size_t n, cap;
	int over;
};

static void put(struct obuf *b, const char *s, size_t n)
{
	if (b->over || n >= b->cap - b->n) {
		b->over = 1;
		return;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void puts_(struct obuf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void putnum(struct obuf *b, long long v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%lld", v);

	put(b, tmp, (size_t)n);
}

size_t http_resp_head(char *out, size_t cap, const struct http_resp *r)
{
	struct obuf b = { out, 0, cap, 0 };
	int st = r->status >= 100 && r->status <= 999 ? r->status : 500;

	puts_(&b, "HTTP/1.1 ");
	putnum(&b, st);
	puts_(&b, " ");
	puts_(&b, http_reason(st));
	puts_(&b, "\r\nServer: ktls-httpd\r\nDate: ");
	puts_(&b, r->date ? r->date : "Thu, 01 Jan 1970 00:00:00 GMT");
	if (r->content_type) {
		puts_(&b, "\r\nContent-Type: ");
		puts_(&b, r->content_type);
	}
	if (r->content_length >= 0 && st != 304) {
		puts_(&b, "\r\nContent-Length: ");
		putnum(&b, r->content_length);
	}
	if (r->last_modified) {
		puts_(&b, "\r\nLast-Modified: ");
		puts_(&b, r->last_modified);
	}
	if (r->etag) {
		puts_(&b, "\r\nETag: ");
		puts_(&b, r->etag);
	}
	if (st == 200 || st == 206)
		puts_(&b, "\r\nAccept-Ranges: bytes");
	if (st == 206) {
		puts_(&b, "\r\nContent-Range: bytes ");
		putnum(&b, r->range_start);
		puts_(&b, "-");
		putnum(&b, r->range_start + r->range_len - 1);
		puts_(&b, "/");
		putnum(&b, r->total);
	} else if (st == 416) {
		puts_(&b, "\r\nContent-Range: bytes */");
		putnum(&b, r->total);
	}
	if (st == 405)
		puts_(&b, "\r\nAllow: GET, HEAD");
	if (r->location && st >= 300 && st < 400) {
		/* never let a script split the head */
		for (size_t i = 0; i < r->location_len; i++)
			if ((unsigned char)r->location[i] < 0x20 ||
			    r->location[i] == 0x7f)
				return 0;
		puts_(&b, "\r\nLocation: ");
		put(&b, r->location, r->location_len);
	}
	if (!r->keep_alive)
		puts_(&b, "\r\nConnection: close\r\n\r\n");
	else if (r->http10)
		puts_(&b, "\r\nConnection: keep-alive\r\n\r\n");
	else
		puts_(&b, "\r\n\r\n");
	return b.over ? 0 : b.n;
}

size_t http_error_body(char *out, size_t cap, int status)
{
	int n = snprintf(out, cap,
			 "<!DOCTYPE html>\n<html><head><title>%d %s</title></head>"
			 "<body><h1>%d %s</h1></body></html>\n",
			 status, http_reason(status), status, http_reason(status));

	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : (cap ? cap - 1 : 0);
}
