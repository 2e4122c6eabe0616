// SPDX-License-Identifier: GPL-2.0
/*
 * klua.ko: Lua 5.4 in the kernel.  States with a memory cap, an
 * instruction budget per call and a C-stack bound; the API of klua.h.
 */
#define pr_fmt(fmt) "klua: " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/ratelimit.h>
#include <linux/string.h>
#include <ctype.h>

#include "klua_lua.h"
#include "lualib.h"
#include "klua_internal.h"

unsigned long klua_param_mem = 16UL << 20;
module_param_named(mem_limit, klua_param_mem, ulong, 0644);
MODULE_PARM_DESC(mem_limit, "default memory cap per state, bytes (16 MiB)");

unsigned long klua_param_insns = 10000000;
module_param_named(instructions, klua_param_insns, ulong, 0644);
MODULE_PARM_DESC(instructions,
		 "default instruction budget per call (10,000,000)");

/*
 * The stack reserves cover the deepest kernel path Lua enters from a nested
 * C call: an allocation, with reclaim and the kernel's own hooks.  Under
 * KASAN (x86 doubles THREAD_SIZE for it) frames are larger and the
 * allocation path also saves stack traces and, with kmemleak and lockdep,
 * allocates and validates locks: a 5.6 KiB reserve overflowed there.
 */
#ifdef CONFIG_KASAN
#define KLUA_STACK_SCALE 3
#else
#define KLUA_STACK_SCALE 1
#endif

unsigned int klua_param_stack_soft = 5632 * KLUA_STACK_SCALE;
module_param_named(stack_reserve, klua_param_stack_soft, uint, 0444);
MODULE_PARM_DESC(stack_reserve,
		 "kernel stack bytes kept free: below it Lua raises 'C stack overflow'");

unsigned int klua_param_stack_hard = 3072 * KLUA_STACK_SCALE;
module_param_named(stack_hard_reserve, klua_param_stack_hard, uint, 0444);
MODULE_PARM_DESC(stack_hard_reserve,
		 "kernel stack bytes kept free even by error handling");

unsigned int klua_param_max_script = 1U << 20;
module_param_named(max_script, klua_param_max_script, uint, 0644);
MODULE_PARM_DESC(max_script, "largest script /dev/klua accepts, bytes (1 MiB)");

/* Lua's own limit on nested C calls and parser levels (as user space) */
#define KLUA_MAXCCALLS 200
/* a bound on the stack one pattern-matching level uses (match + helper) */
#define KLUA_MATCH_FRAME 256

unsigned long klua_stack_left(void)
{
	unsigned long sp = (unsigned long)__builtin_frame_address(0);
	unsigned long base = (unsigned long)task_stack_page(current);

	if (sp < base || sp - base >= THREAD_SIZE)
		return 0;	/* not on the task stack: allow nothing */
	return sp - base;
}

int klua_ccall_limit(unsigned int ncalls)
{
	unsigned long left = klua_stack_left();

	if (likely(left > klua_param_stack_soft))
		return KLUA_MAXCCALLS;
	if (left > klua_param_stack_hard)
		return ncalls;	/* "C stack overflow" */
	return 0;		/* error while handling the overflow */
}

int klua_match_depth(lua_State *L)
{
	unsigned long left = klua_stack_left();
	unsigned long depth;

	if (left <= klua_param_stack_hard)
		return 0;
	depth = (left - klua_param_stack_hard) / KLUA_MATCH_FRAME;
	return depth > KLUA_MAXCCALLS ? KLUA_MAXCCALLS : (int)depth;
}

static int klua_panic(lua_State *L)
{
	const char *msg = lua_tostring(L, -1);

	pr_crit("unprotected error in call to Lua API (%s)\n",
		msg ? msg : "?");
	return 0;
}

static void klua_count_hook(lua_State *L, struct lua_Debug *ar);

static void __noreturn klua_stop(lua_State *L, struct klua_state *ks,
				 int level, const char *why)
{
	ks->exhausted = true;
	/* from now on every instruction fails, in this thread at least */
	lua_sethook(L, klua_count_hook, LUA_MASKCOUNT, 1);
	luaL_where(L, level);
	lua_pushstring(L, why);
	lua_concat(L, 2);
	klua_allow_hooks(L);
	klua_raise(lua_error(L));
}

static void klua_charge_at(lua_State *L, struct klua_state *ks, u64 n,
			   int level)
{
	cond_resched();
	if (fatal_signal_pending(current))
		klua_stop(L, ks, level, "interrupted");
	if (ks->exhausted)
		klua_stop(L, ks, level, "instruction budget exceeded");
	ks->budget_left -= n;
	if (ks->budget_left < 0)
		klua_stop(L, ks, level, "instruction budget exceeded");
}

void klua_charge(lua_State *L, struct klua_state *ks, u64 n)
{
	klua_charge_at(L, ks, n, 1);
}

static void klua_count_hook(lua_State *L, struct lua_Debug *ar)
{
	struct klua_state *ks = klua_from_lua(L);

	if (!ks->exhausted && lua_gethookcount(L) != KLUA_HOOK_INTERVAL)
		lua_sethook(L, klua_count_hook, LUA_MASKCOUNT,
			    KLUA_HOOK_INTERVAL);
	klua_charge_at(L, ks, KLUA_HOOK_INTERVAL, 0);
}

int klua_match_step(lua_State *L)
{
	struct klua_state *ks = klua_from_lua(L);

	if (unlikely(++ks->match_steps >= KLUA_MATCH_CHUNK)) {
		ks->match_steps = 0;
		klua_charge_at(L, ks, KLUA_MATCH_CHUNK, 1);
	}
	return 0;
}

/* ---- what scripts get ---- */

/*
 * Push the values at stack slots 1..n as one line, tab-separated and
 * ending in a newline, as print() and the lua REPL show them.
 */
const char *klua_push_line(lua_State *L, int n, size_t *len)
{
	luaL_Buffer b;
	int i;

	luaL_buffinit(L, &b);
	for (i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, '\t');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_addchar(&b, '\n');
	luaL_pushresult(&b);
	return lua_tolstring(L, -1, len);
}

static int klua_print(lua_State *L)
{
	struct klua_state *ks = klua_from_lua(L);
	size_t len;
	const char *s = klua_push_line(L, lua_gettop(L), &len);

	if (ks->print)
		ks->print(ks->print_ctx, s, len);
	else
		pr_info_ratelimited("%.*s", (int)min_t(size_t, len, 512), s);
	return 0;
}

/*
 * Wrappers call the library's C function directly, in their own call
 * frame, so its argument errors name the function the script called.
 */
static int klua_orig(lua_State *L)
{
	return lua_tocfunction(L, lua_upvalueindex(1))(L);
}

/* Would strtod() (user-space Lua) take the whole string as a float? */
static bool klua_looks_float(const char *s, size_t len)
{
	const char *e = s + len;
	bool hex = false, digits = false;

	if (strlen(s) != len)
		return false;
	while (s < e && isspace(*s))
		s++;
	if (s < e && (*s == '-' || *s == '+'))
		s++;
	if (e - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		hex = true;
		s += 2;
	}
	while (s < e && (hex ? isxdigit(*s) : isdigit(*s))) {
		s++;
		digits = true;
	}
	if (s < e && *s == '.') {
		s++;
		while (s < e && (hex ? isxdigit(*s) : isdigit(*s))) {
			s++;
			digits = true;
		}
	}
	if (!digits)
		return false;
	if (s < e && (hex ? (*s == 'p' || *s == 'P') :
			    (*s == 'e' || *s == 'E'))) {
		const char *x = s + 1;

		if (x < e && (*x == '-' || *x == '+'))
			x++;
		if (x < e && isdigit(*x)) {
			while (x < e && isdigit(*x))
				x++;
			s = x;
		}
	}
	while (s < e && isspace(*s))
		s++;
	return s == e;
}

/* tonumber(), but a float string is an error rather than nil */
static int klua_tonumber(lua_State *L)
{
	bool nobase = lua_isnoneornil(L, 2);

	klua_orig(L);
	if (lua_isnil(L, -1) && nobase && lua_type(L, 1) == LUA_TSTRING) {
		size_t len;
		const char *s = lua_tolstring(L, 1, &len);

		if (klua_looks_float(s, len))
			klua_raise(luaL_error(L, "tonumber: '%s' is a float: klua numbers are integers",
					  s));
	}
	return 1;
}

/* a full collection costs in proportion to the heap */
static int klua_collectgarbage(lua_State *L)
{
	struct klua_state *ks = klua_from_lua(L);
	const char *opt = luaL_optstring(L, 1, "collect");

	if (!strcmp(opt, "collect") || !strcmp(opt, "step"))
		klua_charge(L, ks, 100 + (ks->mem_used >> KLUA_ALLOC_COST_SHIFT));
	return klua_orig(L);
}

/* string.rep of empty strings would loop n times doing nothing */
static int klua_str_rep(lua_State *L)
{
	size_t l, lsep = 0;

	luaL_checklstring(L, 1, &l);
	luaL_checkinteger(L, 2);
	luaL_optlstring(L, 3, "", &lsep);
	if (l + lsep == 0) {
		lua_pushliteral(L, "");
		return 1;
	}
	return klua_orig(L);
}

/*
 * string.find without pattern specials (or plain): the library's search
 * is O(n * m) without any instruction, so it is done here, charged.
 */
static int klua_str_find(lua_State *L)
{
	struct klua_state *ks = klua_from_lua(L);
	size_t ls, lp;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	lua_Integer init = luaL_optinteger(L, 3, 1);
	const char *at, *end;
	size_t i, cost;

	if (!lua_toboolean(L, 4) && strpbrk(p, "^$*+?.([%-"))
		return klua_orig(L);
	if (strlen(p) != lp && !lua_toboolean(L, 4))
		return klua_orig(L);	/* specials after a NUL: the library's */
	if (init < 0)
		init = (lua_Unsigned)-init > ls ? 1 : (lua_Integer)ls + init + 1;
	else if (init == 0)
		init = 1;
	if ((lua_Unsigned)init > ls + 1) {
		lua_pushnil(L);
		return 1;
	}
	if (lp == 0) {
		lua_pushinteger(L, init);
		lua_pushinteger(L, init - 1);
		return 2;
	}
	cost = lp / 256 + 1;
	at = s + init - 1;
	end = s + ls;
	while ((size_t)(end - at) >= lp) {
		at = memchr(at, p[0], end - at - lp + 1);
		if (!at)
			break;
		ks->match_steps += cost;
		if (ks->match_steps >= KLUA_MATCH_CHUNK)
			klua_match_step(L);
		if (memcmp(at, p, lp) == 0) {
			i = at - s;
			lua_pushinteger(L, i + 1);
			lua_pushinteger(L, i + lp);
			return 2;
		}
		at++;
	}
	lua_pushnil(L);
	return 1;
}

/* table.move over a huge empty range would loop without any instruction */
static int klua_tab_move(lua_State *L)
{
	struct klua_state *ks = klua_from_lua(L);
	lua_Integer f = luaL_checkinteger(L, 2);
	lua_Integer e = luaL_checkinteger(L, 3);

	if (e >= f && (lua_Unsigned)e - (lua_Unsigned)f >= ks->mem_limit / 16)
		klua_raise(luaL_argerror(L, 3, "too many elements to move"));
	return klua_orig(L);
}

static int klua_str_div(lua_State *L)
{
	klua_raise(luaL_error(L, "attempt to perform float division ('/'): klua numbers are integers (use '//')"));
}

static int klua_str_pow(lua_State *L)
{
	klua_raise(luaL_error(L, "attempt to perform exponentiation ('^'): klua numbers are integers"));
}

/* replace t[name] (t at the top) by f with the old value as upvalue */
static void klua_wrap(lua_State *L, const char *name, lua_CFunction f)
{
	lua_getfield(L, -1, name);
	lua_pushcclosure(L, f, 1);
	lua_setfield(L, -2, name);
}

static int klua_open_all(lua_State *L)
{
	luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
	lua_pushnil(L);
	lua_setfield(L, -2, "dofile");
	lua_pushnil(L);
	lua_setfield(L, -2, "loadfile");
	lua_pushcfunction(L, klua_print);
	lua_setfield(L, -2, "print");
	klua_wrap(L, "tonumber", klua_tonumber);
	klua_wrap(L, "collectgarbage", klua_collectgarbage);
	lua_pop(L, 1);

	luaL_requiref(L, LUA_COLIBNAME, luaopen_coroutine, 1);
	lua_pop(L, 1);
	luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
	klua_wrap(L, "move", klua_tab_move);
	lua_pop(L, 1);
	luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
	klua_wrap(L, "rep", klua_str_rep);
	klua_wrap(L, "find", klua_str_find);
	lua_pop(L, 1);
	luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
	lua_pop(L, 1);
	luaL_requiref(L, LUA_MATHLIBNAME, klua_open_math, 1);
	lua_pop(L, 1);

	/* arithmetic on strings: the float operators */
	lua_pushliteral(L, "");
	if (lua_getmetatable(L, -1)) {
		lua_pushcfunction(L, klua_str_div);
		lua_setfield(L, -2, "__div");
		lua_pushcfunction(L, klua_str_pow);
		lua_setfield(L, -2, "__pow");
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return 0;
}

/* ---- the API of klua.h ---- */

struct klua_state *klua_create(const struct klua_limits *limits,
			       klua_print_fn print, void *print_ctx)
{
	struct klua_state *ks;
	lua_State *L;

	ks = kzalloc(sizeof(*ks), GFP_KERNEL_ACCOUNT);
	if (!ks)
		return NULL;
	ks->mem_limit = limits && limits->mem_bytes ? limits->mem_bytes :
			READ_ONCE(klua_param_mem);
	ks->budget = limits && limits->instructions ? limits->instructions :
		     READ_ONCE(klua_param_insns);
	ks->print = print;
	ks->print_ctx = print_ctx;
	klua_alloc_init(ks);
	L = lua_newstate(klua_alloc, ks);
	if (!L) {
		klua_alloc_drain(ks);
		kfree(ks);
		return NULL;
	}
	ks->L = L;
	lua_atpanic(L, klua_panic);
	lua_sethook(L, klua_count_hook, LUA_MASKCOUNT, KLUA_HOOK_INTERVAL);
	lua_pushcfunction(L, klua_open_all);
	if (klua_pcall(ks, 0, 0) != LUA_OK) {
		pr_warn_ratelimited("cannot open the libraries: %s\n",
				    lua_tostring(L, -1));
		klua_destroy(ks);
		return NULL;
	}
	return ks;
}
EXPORT_SYMBOL_GPL(klua_create);

void klua_destroy(struct klua_state *ks)
{
	if (!ks)
		return;
	/* finalizers run now, under a fresh budget */
	ks->budget_left = ks->budget;
	ks->exhausted = false;
	lua_close(ks->L);
	klua_alloc_drain(ks);
	if (ks->mem_used)
		pr_warn_ratelimited("%zu bytes still counted after close\n",
				    ks->mem_used);
	kfree(ks);
}
EXPORT_SYMBOL_GPL(klua_destroy);

lua_State *klua_lua(struct klua_state *ks)
{
	return ks->L;
}
EXPORT_SYMBOL_GPL(klua_lua);

int klua_load(struct klua_state *ks, const char *buf, size_t len,
	      const char *chunkname)
{
	lua_State *L = ks->L;

	if (len > 0 && buf[0] == LUA_SIGNATURE[0]) {
		lua_pushliteral(L, "attempt to load a binary chunk (klua loads text only)");
		return LUA_ERRSYNTAX;
	}
	return luaL_loadbufferx(L, buf, len, chunkname ? chunkname : "=?", "t");
}
EXPORT_SYMBOL_GPL(klua_load);

/* any error value becomes a string (no traceback) */
static int klua_msgh(lua_State *L)
{
	if (lua_type(L, 1) == LUA_TSTRING)
		return 1;
	if (luaL_callmeta(L, 1, "__tostring") &&
	    lua_type(L, -1) == LUA_TSTRING)
		return 1;
	lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	return 1;
}

int klua_pcall(struct klua_state *ks, int nargs, int nresults)
{
	lua_State *L = ks->L;
	int status;

	ks->budget_left = ks->budget;
	ks->exhausted = false;
	ks->match_steps = 0;
	lua_sethook(L, klua_count_hook, LUA_MASKCOUNT, KLUA_HOOK_INTERVAL);
	/*
	 * No message handler: it would run at the depth of the error, where
	 * a C stack overflow leaves no room for it.  Non-string error values
	 * are converted afterwards.
	 */
	status = lua_pcall(L, nargs, nresults, 0);
	if (status != LUA_OK && lua_type(L, -1) != LUA_TSTRING) {
		lua_pushcfunction(L, klua_msgh);
		lua_insert(L, -2);
		if (lua_pcall(L, 1, 1, 0) != LUA_OK ||
		    lua_type(L, -1) != LUA_TSTRING) {
			lua_pop(L, 1);
			lua_pushliteral(L, "(error object is not a string)");
		}
	}
	return status;
}
EXPORT_SYMBOL_GPL(klua_pcall);

static int klua_cpcall_tramp(lua_State *L)
{
	lua_CFunction f = (lua_CFunction)lua_touserdata(L, 1);

	lua_remove(L, 1);
	return f(L);
}

int klua_cpcall(struct klua_state *ks, int (*f)(struct lua_State *L), void *ud,
		int nresults)
{
	lua_State *L = ks->L;

	lua_pushcfunction(L, klua_cpcall_tramp);
	lua_pushlightuserdata(L, (void *)f);
	lua_pushlightuserdata(L, ud);
	return klua_pcall(ks, 2, nresults);
}
EXPORT_SYMBOL_GPL(klua_cpcall);

size_t klua_mem_used(struct klua_state *ks)
{
	return ks->mem_used;
}
EXPORT_SYMBOL_GPL(klua_mem_used);

size_t klua_mem_peak(struct klua_state *ks)
{
	return ks->mem_peak;
}
EXPORT_SYMBOL_GPL(klua_mem_peak);

static int __init klua_init(void)
{
	if (klua_param_stack_hard < 1024)
		klua_param_stack_hard = 1024;
	if (klua_param_stack_soft < klua_param_stack_hard + 1024)
		klua_param_stack_soft = klua_param_stack_hard + 1024;
	klua_hashptr_init();
	return klua_dev_init();
}

static void __exit klua_exit(void)
{
	klua_dev_exit();
}

module_init(klua_init);
module_exit(klua_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Lua 5.4 in the kernel, integer-only and sandboxed");
