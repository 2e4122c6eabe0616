/* SPDX-License-Identifier: GPL-2.0 */
/* klua libc shim: <string.h>; strcoll compares bytes, as the C locale. */
#ifndef _KLUA_SHIM_STRING_H
#define _KLUA_SHIM_STRING_H

#include <linux/string.h>

#define strcoll(a, b) strcmp(a, b)
#define strerror(e) ((void)(e), "I/O error")

#endif
