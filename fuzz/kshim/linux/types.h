/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz/kshim/: just enough of the kernel's headers for
 * kernel/ktls_lua/kl_decode.c to compile unchanged in user space
 * (fuzz_kl_decode).  First on that target's include path only.
 *
 * <linux/types.h>: the uapi one, plus the kernel's short names and what
 * the kernel's version also brings (size_t, bool).
 */
#ifndef KSHIM_LINUX_TYPES_H
#define KSHIM_LINUX_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;

#endif
