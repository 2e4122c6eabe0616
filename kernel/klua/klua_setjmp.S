/* SPDX-License-Identifier: GPL-2.0 */
/*
 * setjmp/longjmp for Lua's error handling (x86-64): the callee-saved
 * registers, the stack pointer after the return and the return address.
 * longjmp returns through RET, so return thunks and objtool stay happy.
 */
#include <linux/linkage.h>
#include <asm/unwind_hints.h>

/* int klua_setjmp(jmp_buf env) */
SYM_FUNC_START(klua_setjmp)
	movq	%rbx, 0(%rdi)
	movq	%rbp, 8(%rdi)
	movq	%r12, 16(%rdi)
	movq	%r13, 24(%rdi)
	movq	%r14, 32(%rdi)
	movq	%r15, 40(%rdi)
	leaq	8(%rsp), %rdx
	movq	%rdx, 48(%rdi)
	movq	(%rsp), %rdx
	movq	%rdx, 56(%rdi)
	xorl	%eax, %eax
	RET
SYM_FUNC_END(klua_setjmp)

/* void klua_longjmp(jmp_buf env, int val): setjmp returns val (or 1) */
SYM_FUNC_START(klua_longjmp)
	movl	%esi, %eax
	testl	%eax, %eax
	jnz	1f
	movl	$1, %eax
1:	movq	0(%rdi), %rbx
	movq	8(%rdi), %rbp
	movq	16(%rdi), %r12
	movq	24(%rdi), %r13
	movq	32(%rdi), %r14
	movq	40(%rdi), %r15
	movq	48(%rdi), %rsp
	pushq	56(%rdi)
	UNWIND_HINT_FUNC
	RET
SYM_FUNC_END(klua_longjmp)
