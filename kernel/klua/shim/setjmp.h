/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klua libc shim: <setjmp.h>, on klua_setjmp.S (x86-64): the callee-saved
 * registers, the stack pointer and the return address.
 */
#ifndef _KLUA_SHIM_SETJMP_H
#define _KLUA_SHIM_SETJMP_H

#include <linux/compiler.h>

struct klua_jmp_buf {
	unsigned long regs[8];
};

int klua_setjmp(struct klua_jmp_buf *env) __attribute__((returns_twice));
void __noreturn klua_longjmp(struct klua_jmp_buf *env, int val);

#endif
