/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klua libc shim: <math.h>.  lua_Number is an integer type in klua and
 * every operation that would need floating point raises a Lua error, so
 * these only have to compile (they are reached from float-only paths).
 */
#ifndef _KLUA_SHIM_MATH_H
#define _KLUA_SHIM_MATH_H

#define HUGE_VAL 9223372036854775807LL

#define floor(x) (x)
#define ceil(x) (x)
#define fabs(x) ((x) < 0 ? -(x) : (x))
#define ldexp(x, e) ((void)(e), (long long)(x))
#define frexp(x, e) (*(e) = 0, (long long)(x))
#define fmod(a, b) ((void)(a), (void)(b), 0LL)
#define pow(a, b) ((void)(a), (void)(b), 0LL)

#endif
