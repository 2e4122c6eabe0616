/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klua libc shim: <setjmp.h>, on klua_setjmp.S (x86-64): the callee-saved
 * registers, the stack pointer and the return address.
 */
#ifndef _KLUA_SHIM_SETJMP_H
#define _KLUA_SHIM_SETJMP_H

#include <linux/compiler.h>
#include <linux/kasan.h>
#include <linux/thread_info.h>

struct klua_jmp_buf {
	unsigned long regs[8];	/* rbx rbp r12-r15, sp, return address */
};

#define KLUA_JMP_SP 6

int klua_setjmp(struct klua_jmp_buf *env) __attribute__((returns_twice));
void __noreturn klua_longjmp(struct klua_jmp_buf *env, int val);

#ifdef CONFIG_KASAN_GENERIC
/* From mm/kasan: sets shadow bytes [addr, addr + size) to 0. */
void __asan_set_shadow_00(const void *addr, size_t size);

/*
 * The frames a longjmp abandons keep their KASAN redzones poisoned, and a
 * later call would trip over them: clear the shadow of the stack below
 * the frame we jump back to, as the kernel does for its own unwinding.
 */
static __always_inline void klua_unpoison_below(const struct klua_jmp_buf *env)
{
	unsigned long sp = env->regs[KLUA_JMP_SP];
	unsigned long base = sp & ~(THREAD_SIZE - 1);
	void *from = kasan_mem_to_shadow((void *)base);
	void *to = kasan_mem_to_shadow((void *)sp);

	__asan_set_shadow_00(from, to - from);
}
#else
static inline void klua_unpoison_below(const struct klua_jmp_buf *env)
{
}
#endif

#endif
