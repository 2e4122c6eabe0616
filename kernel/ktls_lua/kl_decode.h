/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktls_lua: the checks of socket-option and ioctl arguments, on values
 * already copied in.  No kernel objects, no user memory, no locks: the
 * fuzz target fuzz/fuzz_kl_decode.c compiles kl_decode.c in user space.
 * Every function returns 0 or a negative errno (the ones named below).
 */
#ifndef _KL_DECODE_H
#define _KL_DECODE_H

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/ktls_lua.h>

struct cmsghdr;

/* TLS_LUA_RECVENTRY value, ktls_lua_hook_load.entry: -E2BIG, -EINVAL. */
int kl_check_entry(const char *buf, size_t len);
/* ktls_lua_hook_load.name: a NUL within cap bytes, else -E2BIG. */
int kl_check_name(const char *buf, size_t cap);
/* The fixed fields of a hook load: -EINVAL, -E2BIG. */
int kl_check_hook_load(const struct ktls_lua_hook_load *a, u32 max_script);
/* flags and reserved (-EINVAL, checked first), hookfd >= -1 (-EBADF). */
int kl_check_attach(const struct ktls_lua_attach *a);
/* Length rules of our SOL_TLS options: -EINVAL, -E2BIG, -ENOPROTOOPT. */
int kl_check_setopt_len(int optname, unsigned int optlen, u32 max_script);
/*
 * The caller's buffer length for a getsockopt; value_len is the string's
 * length without its NUL (ignored for int options): -EINVAL, -ERANGE,
 * -ENOPROTOOPT.
 */
int kl_check_getopt_len(int optname, int optlen, size_t value_len);
/*
 * The next control message at *off of the used bytes of a control buffer
 * the original recvmsg filled (its start aligned for a cmsghdr), or NULL
 * at the end or at the first malformed one; *off moves past it.
 */
const struct cmsghdr *kl_cmsg_next(const void *ctl, size_t used, size_t *off);
/* The last record type reported in such a buffer; -ENOMSG if none. */
int kl_cmsg_record_type(const void *ctl, size_t used, u8 *type);
/* Bytes of a script without its trailing NULs (the seed passes strlen + 1). */
size_t kl_script_len(const char *buf, size_t len);

#endif /* _KL_DECODE_H */
