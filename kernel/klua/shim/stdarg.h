/* SPDX-License-Identifier: GPL-2.0 */
/* klua libc shim: <stdarg.h>. */
#ifndef _KLUA_SHIM_STDARG_H
#define _KLUA_SHIM_STDARG_H

#include <linux/stdarg.h>

#endif
