/* SPDX-License-Identifier: GPL-2.0 */
/* klua libc shim: <stddef.h>. */
#ifndef _KLUA_SHIM_STDDEF_H
#define _KLUA_SHIM_STDDEF_H

#include <linux/stddef.h>
#include <linux/types.h>

#endif
