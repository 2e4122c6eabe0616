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

/* Bytes the state holds now. */
size_t klua_mem_used(struct klua_state *ks);

#endif /* _KLUA_H */
