/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klua libc shim: <setjmp.h>, on klua_setjmp.S (x86-64): the callee-saved
 * registers, the stack pointer and the return address.
 */
#ifndef _KLUA_SHIM_SETJMP_H
#define _KLUA_SHIM_SETJMP_H

#include <linux/compiler.h>

typedef unsigned long jmp_buf[8];

int klua_setjmp(jmp_buf env) __attribute__((returns_twice));
void __noreturn klua_longjmp(jmp_buf env, int val);

#define setjmp(env) klua_setjmp(env)
#define longjmp(env, val) klua_longjmp(env, val)

#endif
