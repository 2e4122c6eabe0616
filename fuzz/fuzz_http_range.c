// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: Range and conditional headers (server/http_parse.c:
 * http_parse_range; server/http_util.c: http_date_parse, http_date_format,
 * http_etag_format, http_etag_match).  Input: a file size, an entity tag's
 * ingredients, then header value bytes.  Invariants: a satisfiable range
 * lies inside the file; 416 only when nothing of the file can be served; a
 * parsed date prints and parses back to the same instant; an ETag always
 * matches itself, weak or strong, and never reads outside the value.
 */
#include <time.h>

#include "fuzz.h"
#include "../server/http_parse.c"
#include "../server/http_util.c"

static long long pick_size(uint64_t r)
{
	switch (r & 7) {
	case 0: return 0;
	case 1: return 1;
	case 2: return (long long)(r >> 3) % 100;
	case 3: return 0x7fffffffffffffffLL;
	case 4: return 0x7fffffffffffffffLL - (long long)((r >> 3) & 0xff);
	default: return (long long)(r >> 3);	/* up to 2^61 */
	}
}

static void check_range(const char *v, size_t n, long long size)
{
	long long start = -7, len = -7;
	int rc = http_parse_range(v, n, size, &start, &len);

	FUZZ_CHECK(rc == -1 || rc == 0 || rc == 1);
	if (rc == 1) {
		FUZZ_CHECK(start >= 0 && len >= 1 && start < size);
		FUZZ_CHECK(len <= size - start);
	}
	if (rc == -1)
		FUZZ_CHECK(start == -7 && len == -7);
}

static void check_date(const char *v, size_t n)
{
	char out[HTTP_DATE_LEN + 1];
	time_t t, t2;

	if (http_date_parse(v, n, &t))
		return;
	/* years 1..9999 print as themselves (year 0 prints as the epoch) */
	if (t < -62135596800LL)
		return;
	http_date_format(t, out);
	FUZZ_CHECK(strlen(out) == HTTP_DATE_LEN);
	FUZZ_CHECK(http_date_parse(out, HTTP_DATE_LEN, &t2) == 0);
	FUZZ_CHECK(t2 == t);
}

static void check_etag(struct fin *f, const char *v, size_t n)
{
	char etag[HTTP_ETAG_MAX], weak[HTTP_ETAG_MAX + 2];
	unsigned long long size = fin_u64(f);
	long long sec = (long long)fin_u64(f);
	long nsec = (long)(fin_u64(f) % 1000000000ULL);
	unsigned long long ino = fin_u64(f);
	int m;

	http_etag_format(size, sec, nsec, ino, etag);
	FUZZ_CHECK(strlen(etag) < HTTP_ETAG_MAX && etag[0] == '"' &&
		   etag[strlen(etag) - 1] == '"');
	FUZZ_CHECK(http_etag_match(etag, strlen(etag), etag) == 1);
	snprintf(weak, sizeof(weak), "W/%s", etag);
	FUZZ_CHECK(http_etag_match(weak, strlen(weak), etag) == 1);
	m = http_etag_match(v, n, etag);
	FUZZ_CHECK(m == 0 || m == 1);
	/* an unquoted value never matches (but "*" does) */
	if (!memchr(v, '"', n) && !memchr(v, '*', n))
		FUZZ_CHECK(m == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin f = { data, size };
	long long fsize = pick_size(fin_u64(&f));
	struct fin ef = f;
	char *v;

	/* the etag ingredients overlap the value: cheap and still varied */
	v = fin_dup(f.p, f.n);
	check_range(v, f.n, fsize);
	check_date(v, f.n);
	check_etag(&ef, v, f.n);
	/* the same value behind "bytes=" exercises the numbers more */
	if (f.n < 4096) {
		char *r = malloc(f.n + 6);

		if (!r)
			abort();
		memcpy(r, "bytes=", 6);
		memcpy(r + 6, f.p, f.n);
		check_range(r, f.n + 6, fsize);
		free(r);
	}
	free(v);
	return 0;
}
