/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the libFuzzer targets in fuzz/.  A target includes the
 * source file it tests (like tests/unit does), so static functions are
 * reachable, and checks its invariants with FUZZ_CHECK: a violated one
 * aborts, which libFuzzer reports as a crash with the input saved.
 */
#ifndef KTLS_LUA_FUZZ_H
#define KTLS_LUA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond) do {						\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: invariant broken: %s\n", \
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

/* A cursor over the fuzz input: fixed-size fields first, the rest after. */
struct fin {
	const uint8_t *p;
	size_t n;
};

static inline unsigned int fin_u8(struct fin *f)
{
	unsigned int v = 0;

	if (f->n) {
		v = f->p[0];
		f->p++;
		f->n--;
	}
	return v;
}

static inline unsigned int fin_u16(struct fin *f)
{
	unsigned int hi = fin_u8(f);

	return hi << 8 | fin_u8(f);
}

static inline uint64_t fin_u64(struct fin *f)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | fin_u8(f);
	return v;
}

/* Up to max bytes, the length taken from one input byte (scaled). */
static inline size_t fin_take(struct fin *f, size_t max, const uint8_t **out)
{
	size_t len = fin_u8(f);

	len = len * max / 255;
	if (len > f->n)
		len = f->n;
	*out = f->p;
	f->p += len;
	f->n -= len;
	return len;
}

/* A heap copy of exactly n bytes, so ASan sees reads past the end. */
static inline char *fin_dup(const uint8_t *p, size_t n)
{
	char *s = malloc(n ? n : 1);

	if (!s)
		abort();
	if (n)
		memcpy(s, p, n);
	return s;
}

#endif
