/* SPDX-License-Identifier: GPL-2.0 */
/* klua libc shim: <float.h>; klua has no floating point (see luaconf.h). */
#ifndef _KLUA_SHIM_FLOAT_H
#define _KLUA_SHIM_FLOAT_H

#endif
