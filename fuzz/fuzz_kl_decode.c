// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: ktls_lua.ko's checks of socket-option and ioctl arguments,
 * kernel/ktls_lua/kl_decode.c compiled unchanged (fuzz/kshim/ stands in
 * for the kernel headers it includes).  The first input byte picks a
 * function, the rest is its argument, handed over as an exactly-sized heap
 * copy so that ASan sees any read past it: the entry and name fields of a
 * hook load, the whole ioctl structs, an option's value, a control buffer.
 *
 * Invariants, besides no out-of-bounds read for any length:
 *  - every rejection is one of the errnos the function documents, and the
 *    one its rules give (which of two wins included): each function is
 *    checked against a model written here from the documented rules;
 *  - an accepted entry is a Lua name (ASCII letters, digits and '_', not
 *    starting with a digit: Lua 5.4's lexer as klua builds it) shorter
 *    than TLS_LUA_ENTRY_MAX; reserved words have that shape and pass (the
 *    entry is looked up as a global by string, so _G["end"] works);
 *  - an accepted hook load has zero flags and reserved, 1 <= script_len
 *    <= max_script, an entry as above and a NUL in its name; an accepted
 *    attach has zero flags and reserved and hookfd >= -1;
 *  - accepted option lengths obey the option's rule; the control-message
 *    walk only returns whole messages inside the used bytes, in order, and
 *    the record type is the last one reported.
 */
#include "fuzz.h"
#include "../kernel/ktls_lua/kl_decode.c"

/* Bytes a fuzzed value, buffer or control buffer may take. */
#define KD_MAX_BUF	4096

enum { KD_ENTRY, KD_NAME, KD_HOOK_LOAD, KD_ATTACH, KD_SETOPT, KD_GETOPT,
       KD_CMSG, KD_SCRIPT, KD_NFUNCS };

/* Lua 5.4's name characters without LUA_UCID (klua's ctype is ASCII). */
static const char lua_alpha[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
static const char lua_alnum[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789";

static int in_set(const char *set, size_t setlen, char c)
{
	return memchr(set, c, setlen) != NULL;	/* setlen leaves out the NUL */
}

static int lua_name(const char *s, size_t n)
{
	if (!n || !in_set(lua_alpha, sizeof(lua_alpha) - 1, s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!in_set(lua_alnum, sizeof(lua_alnum) - 1, s[i]))
			return 0;
	return 1;
}

/* The documented answer for an entry of len bytes (ends at a NUL). */
static int model_entry(const char *s, size_t len)
{
	const char *nul = memchr(s, 0, len);
	size_t n = nul ? (size_t)(nul - s) : len;

	if (n >= TLS_LUA_ENTRY_MAX)
		return -E2BIG;
	return lua_name(s, n) ? 0 : -EINVAL;
}

/* n input bytes into a new exactly-sized buffer, zeros past the input. */
static char *take_exact(struct fin *f, size_t n)
{
	size_t have = n < f->n ? n : f->n;
	char *b = malloc(n ? n : 1);

	if (!b)
		abort();
	memset(b, 0, n ? n : 1);
	memcpy(b, f->p, have);
	f->p += have;
	f->n -= have;
	return b;
}

static uint32_t fin_u32(struct fin *f)
{
	uint32_t hi = fin_u16(f);

	return hi << 16 | fin_u16(f);
}

/* A script limit: the module's default, the extremes, or any. */
static uint32_t pick_max_script(struct fin *f)
{
	static const uint32_t lim[] = { 1u << 20, 1, 0, UINT32_MAX };
	unsigned int k = fin_u8(f);

	return k < 4 ? lim[k] : fin_u32(f);
}

static void check_entry(const char *buf, size_t len)
{
	int rc = kl_check_entry(buf, len);

	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -E2BIG);
	FUZZ_CHECK(rc == model_entry(buf, len));
	if (rc == 0) {
		size_t n = strnlen(buf, len);

		FUZZ_CHECK(n < TLS_LUA_ENTRY_MAX && lua_name(buf, n));
	}
}

static void fuzz_entry(struct fin *f)
{
	size_t len = f->n < KD_MAX_BUF ? f->n : KD_MAX_BUF;
	char *buf = take_exact(f, len);

	check_entry(buf, len);
	free(buf);
}

static void fuzz_name(struct fin *f)
{
	size_t cap = f->n < KD_MAX_BUF ? f->n : KD_MAX_BUF;
	char *buf = take_exact(f, cap);
	int rc = kl_check_name(buf, cap);

	FUZZ_CHECK(rc == 0 || rc == -E2BIG);
	FUZZ_CHECK((rc == 0) == (memchr(buf, 0, cap) != NULL));
	free(buf);
}

static int model_hook_load(const struct ktls_lua_hook_load *a, uint32_t max)
{
	int err;

	if (a->flags || a->reserved || !a->script_len)
		return -EINVAL;
	err = model_entry(a->entry, sizeof(a->entry));
	if (err)
		return err;
	if (!memchr(a->name, 0, sizeof(a->name)))
		return -E2BIG;
	return a->script_len > max ? -E2BIG : 0;
}

static void fuzz_hook_load(struct fin *f)
{
	unsigned int steer = fin_u8(f);
	uint32_t max = pick_max_script(f);
	struct ktls_lua_hook_load *a = (void *)take_exact(f, sizeof(*a));
	int rc;

	/* get past the first checks often enough to reach the names */
	if (steer & 1) {
		a->flags = 0;
		a->reserved = 0;
	}
	if ((steer & 2) && max)
		a->script_len = 1 + a->script_len % max;
	rc = kl_check_hook_load(a, max);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -E2BIG);
	FUZZ_CHECK(rc == model_hook_load(a, max));
	if (rc == 0) {
		FUZZ_CHECK(!a->flags && !a->reserved);
		FUZZ_CHECK(a->script_len >= 1 && a->script_len <= max);
		FUZZ_CHECK(memchr(a->name, 0, sizeof(a->name)) != NULL);
		check_entry(a->entry, sizeof(a->entry));
	}
	free(a);
}

static void fuzz_attach(struct fin *f)
{
	unsigned int steer = fin_u8(f);
	struct ktls_lua_attach *a = (void *)take_exact(f, sizeof(*a));
	int rc;

	if (steer & 1) {
		a->flags = 0;
		a->reserved = 0;
	}
	rc = kl_check_attach(a);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -EBADF);
	/* EINVAL first: the kernel returns it before privilege and lookup */
	FUZZ_CHECK((rc == -EINVAL) == (a->flags || a->reserved));
	if (!a->flags && !a->reserved)
		FUZZ_CHECK((rc == -EBADF) == (a->hookfd < -1));
	if (rc == 0)
		FUZZ_CHECK(!a->flags && !a->reserved && a->hookfd >= -1);
	free(a);
}

/* One of our options (or a neighbour) mostly, any int sometimes. */
static int pick_optname(struct fin *f)
{
	unsigned int k = fin_u8(f);

	if (k < 0xf0)
		return 0x4c00 + k % 0x20;
	return (int)fin_u32(f);
}

static void check_script_len(const char *buf, size_t len)
{
	size_t r = kl_script_len(buf, len);

	FUZZ_CHECK(r <= len);
	FUZZ_CHECK(r == 0 || buf[r - 1] != 0);
	for (size_t i = r; i < len; i++)
		FUZZ_CHECK(buf[i] == 0);
}

static void fuzz_setopt(struct fin *f)
{
	int opt = pick_optname(f);
	uint32_t max = pick_max_script(f);
	unsigned int steer = fin_u8(f);
	unsigned int len = steer & 1 ? fin_u8(f) : fin_u32(f);
	int rc = kl_check_setopt_len(opt, len, max);
	int want;

	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -E2BIG ||
		   rc == -ENOPROTOOPT);
	switch (opt) {
	case TLS_LUA_LOADSCRIPT:
		want = !len ? -EINVAL : len > max ? -E2BIG : 0;
		break;
	case TLS_LUA_RECVENTRY:
		want = !len ? -EINVAL : len > TLS_LUA_ENTRY_MAX ? -E2BIG : 0;
		break;
	case TLS_LUA_HOOK:
	case TLS_LUA_ERROR_CODE:
		want = len < sizeof(int) ? -EINVAL : 0;
		break;
	default:	/* get-only options too */
		want = -ENOPROTOOPT;
	}
	FUZZ_CHECK(rc == want);
	if (rc)
		return;
	/* what the kernel then does with an accepted value of len bytes */
	if (opt == TLS_LUA_RECVENTRY) {
		char *buf = take_exact(f, len);

		check_entry(buf, len);
		free(buf);
	} else if (opt == TLS_LUA_LOADSCRIPT && len <= KD_MAX_BUF) {
		char *buf = take_exact(f, len);

		check_script_len(buf, len);
		free(buf);
	}
}

static void fuzz_getopt(struct fin *f)
{
	int opt = pick_optname(f);
	unsigned int steer = fin_u8(f);
	int len = steer & 1 ? (int)(signed char)fin_u8(f) : (int)fin_u32(f);
	size_t vlen = steer & 2 ? fin_u16(f) : (size_t)fin_u64(f);
	int rc = kl_check_getopt_len(opt, len, vlen);
	int want;

	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ERANGE ||
		   rc == -ENOPROTOOPT);
	switch (opt) {
	case TLS_LUA_CODE:
	case TLS_LUA_ERRNO:
	case TLS_LUA_ERROR_CODE:
		want = len < (int)sizeof(int) ? -EINVAL : 0;
		break;
	case TLS_LUA_FILE:
	case TLS_LUA_ERRMSG:
		want = len <= 0 ? -EINVAL : (size_t)len <= vlen ? -ERANGE : 0;
		break;
	case TLS_LUA_RECVENTRY:
		want = len < 0 ? -EINVAL : (size_t)len <= vlen ? -ERANGE : 0;
		break;
	default:	/* set-only options too */
		want = -ENOPROTOOPT;
	}
	FUZZ_CHECK(rc == want);
	/* kl_get_str checks the buffer before the value: 0 must fit */
	rc = kl_check_getopt_len(opt, len, 0);
	if (opt == TLS_LUA_FILE || opt == TLS_LUA_ERRMSG)
		FUZZ_CHECK(rc != -ERANGE);
	/* a shorter value fits where a longer one did */
	if (want == 0)
		FUZZ_CHECK(rc == 0);
}

/*
 * Make the buffer look like what tls.ko writes (a record-type message,
 * lengths that fit) more often than chance would, without ever relying
 * on it: the walk must cope with any bytes.
 */
static void steer_cmsgs(char *ctl, size_t used, unsigned int steer)
{
	size_t off = 0;

	while (off <= used && used - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr *c = (struct cmsghdr *)(void *)(ctl + off);
		size_t left = used - off;

		if (steer & 2) {
			c->cmsg_level = SOL_TLS;
			c->cmsg_type = TLS_GET_RECORD_TYPE;
		}
		if (c->cmsg_len < sizeof(*c) || c->cmsg_len > left)
			c->cmsg_len = sizeof(*c) + c->cmsg_len % (left - sizeof(*c) + 1);
		off += CMSG_ALIGN(c->cmsg_len);
	}
}

/* The record type by an independent walk: -1 when none is reported. */
static int model_record_type(const unsigned char *ctl, size_t used)
{
	int type = -1;
	size_t off = 0;

	for (;;) {
		struct cmsghdr h;

		if (used < off || used - off < sizeof(h))
			return type;
		memcpy(&h, ctl + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > used - off)
			return type;
		if (h.cmsg_level == SOL_TLS && h.cmsg_type == TLS_GET_RECORD_TYPE &&
		    h.cmsg_len > sizeof(h))
			type = ctl[off + sizeof(h)];
		off += (h.cmsg_len + sizeof(size_t) - 1) & ~(sizeof(size_t) - 1);
	}
}

static void fuzz_cmsg(struct fin *f)
{
	unsigned int steer = fin_u8(f);
	size_t used = f->n < KD_MAX_BUF ? f->n : KD_MAX_BUF;
	char *ctl = take_exact(f, used);
	const struct cmsghdr *c;
	size_t off = 0, prev_end = 0, count = 0;
	int want, rc;
	u8 type = 0xa5;

	if (steer & 1)
		steer_cmsgs(ctl, used, steer);
	for (c = kl_cmsg_next(ctl, used, &off); c;
	     c = kl_cmsg_next(ctl, used, &off)) {
		size_t at = (size_t)((const char *)c - ctl);

		FUZZ_CHECK(++count <= used / sizeof(*c));
		FUZZ_CHECK(at >= prev_end && at % sizeof(size_t) == 0);
		FUZZ_CHECK(c->cmsg_len >= sizeof(*c));
		FUZZ_CHECK(c->cmsg_len <= used - at);
		FUZZ_CHECK(off == at + CMSG_ALIGN(c->cmsg_len));
		prev_end = at + c->cmsg_len;
	}
	/* the end stays the end */
	FUZZ_CHECK(kl_cmsg_next(ctl, used, &off) == NULL);

	want = model_record_type((const unsigned char *)ctl, used);
	rc = kl_cmsg_record_type(ctl, used, &type);
	FUZZ_CHECK(rc == 0 || rc == -ENOMSG);
	if (want < 0) {
		FUZZ_CHECK(rc == -ENOMSG && type == 0xa5);
	} else {
		FUZZ_CHECK(rc == 0 && type == want);
	}
	free(ctl);
}

static void fuzz_script(struct fin *f)
{
	size_t len = f->n < KD_MAX_BUF ? f->n : KD_MAX_BUF;
	char *buf = take_exact(f, len);

	check_script_len(buf, len);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin f = { data, size };

	switch (fin_u8(&f) % KD_NFUNCS) {
	case KD_ENTRY:
		fuzz_entry(&f);
		break;
	case KD_NAME:
		fuzz_name(&f);
		break;
	case KD_HOOK_LOAD:
		fuzz_hook_load(&f);
		break;
	case KD_ATTACH:
		fuzz_attach(&f);
		break;
	case KD_SETOPT:
		fuzz_setopt(&f);
		break;
	case KD_GETOPT:
		fuzz_getopt(&f);
		break;
	case KD_CMSG:
		fuzz_cmsg(&f);
		break;
	default:
		fuzz_script(&f);
	}
	return 0;
}
