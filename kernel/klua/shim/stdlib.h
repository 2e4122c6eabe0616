/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klua libc shim: <stdlib.h>.  klua never uses luaL_newstate(), but it is
 * compiled, so realloc/free exist (on the kernel heap).
 */
#ifndef _KLUA_SHIM_STDLIB_H
#define _KLUA_SHIM_STDLIB_H

#include <linux/slab.h>
#include <linux/bug.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

#define realloc(p, n) krealloc(p, n, GFP_KERNEL | __GFP_NOWARN)
#define free(p) kfree(p)

/* an error outside any protected call (see klua.h): a kernel bug */
#define abort() BUG()

#endif
