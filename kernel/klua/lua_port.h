/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel port of the Lua core: the macros Lua's sources leave to the
 * platform.  Included by lua_one.c only, before any Lua source.
 */
#ifndef _KLUA_LUA_PORT_H
#define _KLUA_LUA_PORT_H

#include <linux/compiler.h>

/* errors: our own setjmp/longjmp (klua_setjmp.S) */
#define LUAI_THROW(L, c) \
	do { \
		klua_unpoison_below(&(c)->b); \
		klua_longjmp(&(c)->b, 1); \
		unreachable(); \
	} while (0)
#define LUAI_TRY(L, c, a) \
	do { if (klua_setjmp(&(c)->b) != 0) break; a } while (0)
#define luai_jmpbuf struct klua_jmp_buf

/*
 * Float arithmetic: '/' and '^' raise errors (klua_fltarith), except
 * while a chunk is being compiled, where they return 0 so that the code
 * generator does not fold them (the error then happens at run time, with
 * the line number).  '//' and '%' on the float subtype (which only C code
 * can create) are integer operations, checked like the integer ones.
 */
struct lua_State;
long long klua_fltarith(struct lua_State *L, int op);
long long klua_fltidiv(struct lua_State *L, long long a, long long b);
long long klua_fltmod(struct lua_State *L, long long a, long long b);
#define luai_numdiv(L, a, b) ((void)(a), (void)(b), klua_fltarith(L, '/'))
#define luai_numpow(L, a, b) ((void)(a), (void)(b), klua_fltarith(L, '^'))
#define luai_numidiv(L, a, b) klua_fltidiv(L, a, b)
#define luai_nummod(L, a, b, m) ((m) = klua_fltmod(L, a, b))
#define luai_numadd(L, a, b) ((a) + (b))
#define luai_numsub(L, a, b) ((a) - (b))
#define luai_nummul(L, a, b) ((a) * (b))
#define luai_numunm(L, a) (-(a))
#define luai_numeq(a, b) ((a) == (b))
#define luai_numlt(a, b) ((a) < (b))
#define luai_numle(a, b) ((a) <= (b))
#define luai_numgt(a, b) ((a) > (b))
#define luai_numge(a, b) ((a) >= (b))
#define luai_numisnan(a) 0
#define l_hashfloat(n) ((int)((unsigned long long)(n) % INT_MAX))

/* computed gotos become retpoline calls objtool rejects: use the switch */
#define LUA_USE_JUMPTABLE 0

/* the hook flag: no signals here */
#define l_signalT int

/* the string hash seed: random */
unsigned int klua_seed(void);
#define luai_makeseed(L) klua_seed()
#define l_randomizePivot() klua_seed()

/*
 * C recursion: Lua counts nested C calls (and parser levels) against
 * LUAI_MAXCCALLS.  klua also measures the kernel stack left: below a soft
 * reserve the limit becomes the current count ("C stack overflow"), below
 * a hard reserve it becomes 0 (the error is thrown without calling a
 * message handler).
 */
int klua_ccall_limit(unsigned int ncalls);
#define LUAI_MAXCCALLS klua_ccall_limit(getCcalls(L))

/* where print() and warnings would write: replaced in klua_main.c */
#define lua_writestring(s, l) ((void)(s), (void)(l))
#define lua_writeline() ((void)0)
#define lua_writestringerror(s, p) ((void)(s), (void)(p))

#endif
