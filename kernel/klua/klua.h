/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klua: Lua 5.4 in the kernel, the API for other modules.
 *
 * Locking: a klua_state is not thread-safe.  Every call on one state, and
 * every use of its lua_State, must be serialized by the caller (one mutex
 * per state is the intended model).  Calls may sleep: process context only.
 *
 * Limits: each state has a memory cap (allocation beyond it fails with
 * "not enough memory") and an instruction budget that klua_pcall() resets
 * on every call.  A spent budget or a fatal signal raises a Lua error.
 * The kernel stack is measured: deep C recursion raises "C stack
 * overflow" while enough stack is left to unwind.
 *
 * Errors: Lua API calls that can raise an error (anything that allocates)
 * must run inside klua_pcall() or klua_cpcall(); an error outside any
 * protected call is a kernel BUG().
 *
 * Consumers: include "klua_lua.h" (our luaconf.h, then lua.h and
 * lauxlib.h) and add to the module's Kbuild (see consumer.mk):
 *   include $(KTLS_LUA_TOP)/kernel/klua/consumer.mk
 * which sets
 *   ccflags-y += -I$(KTLS_LUA_TOP)/kernel/klua \
 *                -I$(KTLS_LUA_TOP)/kernel/klua/include \
 *                -I$(KTLS_LUA_TOP)/kernel/klua/shim -I$(LUA_SRC)/src
 * Numbers are integers only: lua_pushnumber/lua_tonumberx and
 * luaL_checknumber are not exported; use the integer functions.
 */
#ifndef _KLUA_H
#define _KLUA_H

#include <linux/types.h>

struct lua_State;
struct klua_state;

struct klua_limits {
	size_t mem_bytes;	/* 0: module parameter default */
	u64 instructions;	/* per klua_pcall(); 0: module parameter default */
};

/* Where print() output goes; NULL: the kernel log, rate-limited. */
typedef void (*klua_print_fn)(void *ctx, const char *s, size_t len);

/* Returns NULL when out of memory. */
struct klua_state *klua_create(const struct klua_limits *limits,
			       klua_print_fn print, void *print_ctx);
void klua_destroy(struct klua_state *ks);

/* The interpreter, for the Lua C API (exported by klua.ko). */
struct lua_State *klua_lua(struct klua_state *ks);

/*
 * Compile a text chunk (binary chunks are refused) and push it as a
 * function; on failure push the message.  Returns a LUA_* status.
 */
int klua_load(struct klua_state *ks, const char *buf, size_t len,
	      const char *chunkname);

/*
 * lua_pcall() under the state's limits, with a traceback-free message on
 * the stack on failure.  Returns a LUA_* status.
 */
int klua_pcall(struct klua_state *ks, int nargs, int nresults);

/*
 * Call f(L) protected, under the state's limits, with 'ud' as a light
 * userdata at stack index 1; nresults as for klua_pcall().
 */
int klua_cpcall(struct klua_state *ks, int (*f)(struct lua_State *L),
		void *ud, int nresults);

/* Bytes the state holds now. */
size_t klua_mem_used(struct klua_state *ks);

/* Most bytes the state held since it was created. */
size_t klua_mem_peak(struct klua_state *ks);

#endif /* _KLUA_H */
