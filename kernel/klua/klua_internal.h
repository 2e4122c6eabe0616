/* SPDX-License-Identifier: GPL-2.0 */
/* klua internals shared by the module's files. */
#ifndef _KLUA_INTERNAL_H
#define _KLUA_INTERNAL_H

#include <linux/types.h>
#include <linux/compiler.h>
#include "klua.h"

struct lua_State;

/* klua_alloc.c caches freed blocks of kmalloc's sizes up to this */
#define KLUA_SMALL_MAX 256
#define KLUA_CLASSES 7

struct klua_state {
	struct lua_State *L;
	size_t mem_used;
	size_t mem_limit;
	size_t mem_peak;
	u64 budget;		/* instructions per klua_pcall() */
	s64 budget_left;
	u32 match_steps;	/* pattern-matching steps since last charge */
	int parsing;		/* > 0 while a chunk is being compiled */
	bool exhausted;
	klua_print_fn print;
	void *print_ctx;
	void *cache[KLUA_CLASSES];	/* freed small blocks, by class */
	size_t cached;			/* bytes on those lists */
	size_t cache_limit;
};

/* module parameters (klua_main.c) */
extern unsigned long klua_param_mem;
extern unsigned long klua_param_insns;
extern unsigned int klua_param_stack_soft;
extern unsigned int klua_param_stack_hard;
extern unsigned int klua_param_max_script;

/* allocating this many bytes costs one instruction of the budget */
#define KLUA_ALLOC_COST_SHIFT 6
/* instructions between two count-hook calls */
#define KLUA_HOOK_INTERVAL 1000
/* instructions one compilation (load) costs, beyond its allocations */
#define KLUA_LOAD_COST 2000
/* pattern-matching steps charged as one hook interval */
#define KLUA_MATCH_CHUNK 1024

unsigned long klua_stack_left(void);
int klua_ccall_limit(unsigned int ncalls);
void klua_charge(struct lua_State *L, struct klua_state *ks, u64 n);
int klua_match_step(struct lua_State *L);
int klua_match_depth(struct lua_State *L);

/* klua_alloc.c */
void *klua_alloc(void *ud, void *ptr, size_t osize, size_t nsize);
void klua_alloc_init(struct klua_state *ks);
void klua_alloc_drain(struct klua_state *ks);

/* lua_one.c: the float hooks need the state behind a lua_State */
struct klua_state *klua_from_lua(struct lua_State *L);
const char *klua_push_line(struct lua_State *L, int n, size_t *len);
void klua_allow_hooks(struct lua_State *L);
void klua_hashptr_init(void);

/* raise a Lua error: luaL_error() and friends never return */
#define klua_raise(call) do { (call); unreachable(); } while (0)

/* klua_mathlib.c */
int klua_open_math(struct lua_State *L);

/* klua_dev.c */
int klua_dev_init(void);
void klua_dev_exit(void);

#endif
