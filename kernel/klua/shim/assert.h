/* SPDX-License-Identifier: GPL-2.0 */
/* klua libc shim: <assert.h> (Lua's own asserts are compiled out). */
#ifndef _KLUA_SHIM_ASSERT_H
#define _KLUA_SHIM_ASSERT_H

#define assert(c) ((void)0)

#endif
