// SPDX-License-Identifier: GPL-2.0
/*
 * ktls_lua: the checks of socket-option and ioctl arguments.
 *
 * Everything here works on bytes the callers (kl_sock.c, kl_hook.c) have
 * already copied in: no kernel objects, no user memory, no locks.  That
 * keeps the decoding of what user space hands us in one place that the
 * fuzz target fuzz/fuzz_kl_decode.c compiles unchanged in user space
 * (with fuzz/kshim/ standing in for the kernel headers below).  Callers
 * call these at the very point the check always had, so every errno, and
 * which of two errnos wins, is what it was.
 */
#include <linux/socket.h>
#include <linux/string.h>
#include <linux/tls.h>

#include "kl_decode.h"

/*
 * Lua's name characters: ASCII letters, '_' and, but first, digits.  Not
 * the kernel's isalpha()/isalnum(): their table is Latin-1 and took
 * 0xc0-0xff for letters, which no Lua name has (klua's ctype is ASCII).
 */
static bool kl_name_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return true;
	return !first && c >= '0' && c <= '9';
}

/* The first n bytes of s spell a Lua name. */
static bool kl_is_ident(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++)
		if (!kl_name_char(s[i], i == 0))
			return false;
	return true;
}

/*
 * An entry name ends at its first NUL or after len bytes; with the NUL it
 * must fit in TLS_LUA_ENTRY_MAX (hook->entry's size).
 */
int kl_check_entry(const char *buf, size_t len)
{
	size_t n = strnlen(buf, len);

	if (n >= TLS_LUA_ENTRY_MAX)
		return -E2BIG;
	return kl_is_ident(buf, n) ? 0 : -EINVAL;
}

/* Any bytes (they are only shown), but NUL-terminated within the field. */
int kl_check_name(const char *buf, size_t cap)
{
	return strnlen(buf, cap) == cap ? -E2BIG : 0;
}

int kl_check_hook_load(const struct ktls_lua_hook_load *a, u32 max_script)
{
	int err;

	if (a->flags || a->reserved || !a->script_len)
		return -EINVAL;
	err = kl_check_entry(a->entry, sizeof(a->entry));
	if (err)
		return err;
	err = kl_check_name(a->name, sizeof(a->name));
	if (err)
		return err;
	return a->script_len > max_script ? -E2BIG : 0;
}

/*
 * hookfd is a shared hook's fd or -1 for a private state.  A caller that
 * looks the socket up first reports -EBADF only after that lookup.
 */
int kl_check_attach(const struct ktls_lua_attach *a)
{
	if (a->flags || a->reserved)
		return -EINVAL;
	return a->hookfd < -1 ? -EBADF : 0;
}

/* Checked before anything is copied from optval; get-only options fail. */
int kl_check_setopt_len(int optname, unsigned int optlen, u32 max_script)
{
	switch (optname) {
	case TLS_LUA_LOADSCRIPT:
		if (!optlen)
			return -EINVAL;
		return optlen > max_script ? -E2BIG : 0;
	case TLS_LUA_RECVENTRY:
		if (!optlen)
			return -EINVAL;
		return optlen > TLS_LUA_ENTRY_MAX ? -E2BIG : 0;
	case TLS_LUA_HOOK:
	case TLS_LUA_ERROR_CODE:
		return optlen < sizeof(int) ? -EINVAL : 0;
	default:
		return -ENOPROTOOPT;
	}
}

/*
 * optlen is what the caller's optlen pointed to.  A string option needs
 * room for the string and its NUL.  For TLS_LUA_FILE/ERRMSG value_len 0
 * fits every buffer the option takes, so kl_get_str() checks the buffer
 * before it has the value; an empty entry name with a 0-byte buffer is
 * -ERANGE, not -EINVAL: it always was.
 */
int kl_check_getopt_len(int optname, int optlen, size_t value_len)
{
	switch (optname) {
	case TLS_LUA_CODE:
	case TLS_LUA_ERRNO:
	case TLS_LUA_ERROR_CODE:
		return optlen < (int)sizeof(int) ? -EINVAL : 0;
	case TLS_LUA_FILE:
	case TLS_LUA_ERRMSG:
		if (optlen <= 0)
			return -EINVAL;
		break;
	case TLS_LUA_RECVENTRY:
		if (optlen < 0)
			return -EINVAL;
		break;
	default:
		return -ENOPROTOOPT;
	}
	/* <= rather than < value_len + 1: no wrap for any value_len */
	return (size_t)optlen <= value_len ? -ERANGE : 0;
}

/*
 * put_cmsg() only ever writes a message whose cmsg_len fits in what is
 * left, but the walk does not rely on it: a header that does not fit, or
 * a length shorter than the header or past the used bytes, ends the walk.
 */
const struct cmsghdr *kl_cmsg_next(const void *ctl, size_t used, size_t *off)
{
	const struct cmsghdr *c;
	size_t left;

	if (*off > used)
		return NULL;
	left = used - *off;
	if (left < sizeof(*c))
		return NULL;
	c = (const struct cmsghdr *)((const u8 *)ctl + *off);
	if (c->cmsg_len < sizeof(*c) || c->cmsg_len > left)
		return NULL;
	*off += CMSG_ALIGN(c->cmsg_len);
	return c;
}

/* tls.ko reports the type of the record it returned as one byte. */
int kl_cmsg_record_type(const void *ctl, size_t used, u8 *type)
{
	const struct cmsghdr *c;
	size_t off = 0;
	int err = -ENOMSG;

	for (c = kl_cmsg_next(ctl, used, &off); c;
	     c = kl_cmsg_next(ctl, used, &off)) {
		if (c->cmsg_level != SOL_TLS ||
		    c->cmsg_type != TLS_GET_RECORD_TYPE ||
		    c->cmsg_len == sizeof(*c))
			continue;
		*type = *(const u8 *)CMSG_DATA(c);
		err = 0;
	}
	return err;
}

size_t kl_script_len(const char *buf, size_t len)
{
	while (len && !buf[len - 1])
		len--;
	return len;
}
