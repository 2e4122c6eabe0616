// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: path resolution and docroot confinement
 * (server/http_parse.c: http_path_decode; server/worker.c: file_get, which
 * opens beneath the docroot with openat2(RESOLVE_BENEATH)).  Input: byte 0
 * picks the output capacity, the rest is a request target (or a verdict's
 * file).  Invariants: a decoded path is relative, without empty, "." or
 * ".." segments and without NUL, and fits; whatever file_get opens, from a
 * decoded path or from the raw bytes, is a regular file inside the
 * docroot (symlinks leading out, "..", absolute paths never escape).
 */
#include "fuzz.h"
#include "worker_fixture.h"

static struct worker *w;

static void check_decoded(const char *out, size_t outlen, size_t cap, int dir)
{
	size_t seg = 0;

	FUZZ_CHECK(outlen < cap && out[outlen] == '\0' && strlen(out) == outlen);
	FUZZ_CHECK(outlen == 0 || (out[0] != '/' && out[outlen - 1] != '/'));
	FUZZ_CHECK(dir == 0 || dir == 1);
	for (size_t i = 0; i <= outlen; i++) {
		if (i < outlen && out[i] != '/')
			continue;
		/* segment out[seg..i) */
		FUZZ_CHECK(outlen == 0 || i > seg);
		FUZZ_CHECK(!(i - seg == 1 && out[seg] == '.'));
		FUZZ_CHECK(!(i - seg == 2 && out[seg] == '.' && out[seg + 1] == '.'));
		seg = i + 1;
	}
}

static void try_open(const char *path, size_t plen)
{
	int st = -1, is_dir = -1;
	struct fentry *e = file_get(w, path, plen, &st, &is_dir);

	if (e) {
		FUZZ_CHECK(docroot_inside(e->fd));
		FUZZ_CHECK(e->plen == plen && !memcmp(e->path, path, plen));
		fentry_put(e);
	} else {
		FUZZ_CHECK(is_dir == 1 || st == 403 || st == 404 || st == 414 ||
			   st == 500);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[4] = { 1, 16, PATH_CAP - 12, 4096 };
	struct fin f = { data, size };
	size_t cap = caps[fin_u8(&f) & 3], outlen = 99;
	char *t = fin_dup(f.p, f.n);
	char *out = malloc(cap);
	int dir = -1, rc;

	if (!w)
		w = fx_worker(docroot_make(), LUA_OFF, NULL);
	w->now_ms += 2000;	/* the open-file cache expires: open for real */
	if (!out)
		abort();
	rc = http_path_decode(t, f.n, out, cap, &outlen, &dir);
	FUZZ_CHECK(rc == 0 || rc == 400 || rc == 403 || rc == 414);
	if (rc == 0) {
		check_decoded(out, outlen, cap, dir);
		if (outlen < PATH_CAP - 12)
			try_open(out, outlen);
	}
	/* the raw bytes as a path, up to a NUL: openat2 alone is the wall */
	if (f.n && f.n < PATH_CAP) {
		size_t n = strnlen(t, f.n);
		char *raw = malloc(n + 1);

		if (!raw)
			abort();
		memcpy(raw, t, n);
		raw[n] = '\0';
		try_open(raw, n);
		free(raw);
	}
	free(out);
	free(t);
	return 0;
}
