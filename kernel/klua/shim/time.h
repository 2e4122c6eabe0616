/* SPDX-License-Identifier: GPL-2.0 */
/* klua libc shim: <time.h>; klua has no clock (the hash seed is random). */
#ifndef _KLUA_SHIM_TIME_H
#define _KLUA_SHIM_TIME_H

#endif
