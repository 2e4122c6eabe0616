/* SPDX-License-Identifier: GPL-2.0 */
/* klua libc shim: <locale.h>; the decimal point is always '.'. */
#ifndef _KLUA_SHIM_LOCALE_H
#define _KLUA_SHIM_LOCALE_H

#endif
