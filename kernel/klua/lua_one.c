// SPDX-License-Identifier: GPL-2.0
/*
 * The Lua 5.4 core and the libraries klua offers, as ONE translation unit:
 * objtool then sees that Lua's error functions never return, and the
 * compiler can inline across Lua's files.  Lua's sources are not ours
 * and are not edited, except two files patched at build time by the
 * sed scripts in patches/ (see Kbuild).
 */
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/siphash.h>

/* every libc shim first, so no later include brings back 'current' */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "include/luaconf.h"
#include "lua_port.h"
#include "klua_internal.h"

/*
 * The hot checks, inline here: the kernel stack left (for every nested C
 * call and parser level) and the pattern-matching step count.
 */
static __always_inline unsigned long klua_stack_left_fast(void)
{
	unsigned long sp = (unsigned long)__builtin_frame_address(0);
	unsigned long base = (unsigned long)task_stack_page(current);

	if (sp < base || sp - base >= THREAD_SIZE)
		return 0;
	return sp - base;
}

static __always_inline int klua_ccall_limit_fast(unsigned int ncalls)
{
	if (likely(klua_stack_left_fast() > klua_param_stack_soft))
		return 200;	/* KLUA_MAXCCALLS */
	return klua_ccall_limit(ncalls);
}

#undef LUAI_MAXCCALLS
#define LUAI_MAXCCALLS klua_ccall_limit_fast(getCcalls(L))

/* Lua's lexer has a field named 'current'. */
#undef current

#define LUA_CORE

#include "lzio.c"
#include "lctype.c"
#include "lopcodes.c"
#include "lmem.c"
#include "lundump.c"
#include "ldump.c"
#include "lstate.c"
#include "gen/lgc.c"
#include "llex.c"
#include "lcode.c"
#include "lparser.c"
#include "ldebug.c"
#include "lfunc.c"
#include "lobject.c"
#include "ltm.c"
#include "lstring.c"
#include "ltable.c"
#include "gen/ldo.c"
#include "gen/lvm.c"

/*
 * Every chunk is compiled as text ("t"): binary chunks can crash the VM.
 * The parse is also marked, so that '/' and '^' are not folded.
 */
static int klua_protectedparser(lua_State *L, ZIO *z, const char *name,
				const char *mode)
{
	struct klua_state *ks = G(L)->ud;
	int status;

	(void)mode;
	ks->budget_left -= KLUA_LOAD_COST;	/* raised at the next check */
	ks->parsing++;
	status = luaD_protectedparser(L, z, name, "t");
	ks->parsing--;
	return status;
}

#define luaD_protectedparser(L, z, n, m) klua_protectedparser(L, z, n, m)
#include "lapi.c"
#undef luaD_protectedparser

#define panic klua_lauxlib_panic
#include "lauxlib.c"
#undef panic
#include "lbaselib.c"
#include "lcorolib.c"
#include "ltablib.c"

/*
 * lstrlib: float conversions refused, pattern matching bounded, and
 * format("%p") shows the same hash as tostring().
 */
#define lua_topointer(L, i) klua_topointer(L, i)
static const void *klua_topointer(lua_State *L, int idx)
{
	const void *p = (lua_topointer)(L, idx);

	return p ? (const void *)(uintptr_t)klua_hashptr(p) : NULL;
}

#define MAXCCALLS klua_match_depth(L)
static __always_inline int klua_match_step_fast(lua_State *L)
{
	struct klua_state *ks = G(L)->ud;

	if (likely(++ks->match_steps < KLUA_MATCH_CHUNK))
		return 0;
	ks->match_steps--;
	return klua_match_step(L);	/* charges the budget */
}

#define klua_match_step(L) klua_match_step_fast(L)
#define luaL_checknumber(L, a) \
	((void)(a), (lua_Number)klua_nofloat(L, "float conversion"))
#define lua_pushnumber(L, n) klua_nofloat(L, "float conversion")
#include "gen/lstrlib.c"
#undef lua_pushnumber
#undef luaL_checknumber
#undef lua_topointer
#undef klua_match_step
#undef MAXCCALLS

#include "lutf8lib.c"

struct klua_state *klua_from_lua(lua_State *L)
{
	return G(L)->ud;
}

/*
 * Lua runs hooks with hooks off and an error raised by a hook calls the
 * message handler before unwinding, so the handler would run unhooked
 * (and could loop forever): klua turns hooks back on before raising.
 */
void klua_allow_hooks(lua_State *L)
{
	L->allowhook = 1;
}

long long klua_fltarith(lua_State *L, int op)
{
	struct klua_state *ks = G(L)->ud;

	if (ks->parsing && !isLua(L->ci))
		return 0;	/* constant folding: do not fold */
	if (op == '/')
		luaG_runerror(L, "attempt to perform float division ('/'): klua numbers are integers (use '//')");
	luaG_runerror(L, "attempt to perform exponentiation ('^'): klua numbers are integers");
}

long long klua_fltidiv(lua_State *L, long long a, long long b)
{
	long long q;

	if (b == 0)
		luaG_runerror(L, "attempt to divide by zero");
	if (b == -1)
		return (long long)(0ULL - (unsigned long long)a);
	q = a / b;
	if ((a % b != 0) && ((a ^ b) < 0))
		q--;
	return q;
}

long long klua_fltmod(lua_State *L, long long a, long long b)
{
	long long r;

	if (b == 0)
		luaG_runerror(L, "attempt to perform 'n%%0'");
	if (b == -1)
		return 0;
	r = a % b;
	if (r != 0 && (r ^ b) < 0)
		r += b;
	return r;
}

int klua_nofloat(lua_State *L, const char *what)
{
	luaL_error(L, "%s needs floating point: klua numbers are integers",
		   what);
	unreachable();
}

int klua_str2number_fail(const char *s, char **endptr)
{
	*endptr = (char *)s;
	return 0;
}

unsigned int klua_seed(void)
{
	return get_random_u32();
}

static siphash_key_t klua_ptr_key;

void klua_hashptr_init(void)
{
	get_random_bytes(&klua_ptr_key, sizeof(klua_ptr_key));
}

unsigned long long klua_hashptr(const void *p)
{
	return siphash_1u64((unsigned long)p, &klua_ptr_key);
}
