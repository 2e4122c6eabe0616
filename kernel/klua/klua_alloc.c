// SPDX-License-Identifier: GPL-2.0
/*
 * The Lua allocator: kernel memory with a cap per state, and a bounded
 * per-state cache of freed small blocks.
 *
 * Lua allocates and frees small blocks (strings, tables, closures) at a high
 * rate.  A freed block of one of kmalloc's small sizes stays on a list of
 * its state and serves the next request of that size: no slab call, no
 * memcg charge and no zeroing (init_on_alloc, Debian's default).  Zeroing
 * protects against reading another user's stale data; a cached block only
 * ever held data of the same state.  The cache is bounded per state and
 * emptied when the state closes.
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "klua_internal.h"

/* KASAN checks every slab object: there, blocks go back to the slab */
unsigned int klua_param_cache = IS_ENABLED(CONFIG_KASAN) ? 0 : 64 << 10;
module_param_named(cache_bytes, klua_param_cache, uint, 0644);
MODULE_PARM_DESC(cache_bytes,
		 "freed small blocks a state keeps for reuse, bytes (64 KiB; 0 under KASAN)");

/* stack kept for direct reclaim when Lua allocates */
#define KLUA_RECLAIM_STACK 2048

#define KLUA_GFP (GFP_KERNEL_ACCOUNT | __GFP_NOWARN)
#define KLUA_GFP_SHALLOW (GFP_NOWAIT | __GFP_ACCOUNT | __GFP_NOWARN)

/* kmalloc's own sizes up to KLUA_SMALL_MAX, so a class wastes nothing */
static const unsigned short klua_class_size[KLUA_CLASSES] = {
	16, 32, 64, 96, 128, 192, 256
};

/* class of a request of n bytes (1..KLUA_SMALL_MAX), by 16-byte steps */
static const unsigned char klua_class_of16[KLUA_SMALL_MAX / 16] = {
	0, 1, 2, 2, 3, 3, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6
};

static inline int klua_class(size_t n)
{
	return klua_class_of16[(n - 1) >> 4];
}

static bool klua_same_class(size_t a, size_t b)
{
	if (a == b)
		return true;
	return a <= KLUA_SMALL_MAX && b <= KLUA_SMALL_MAX &&
	       klua_class(a) == klua_class(b);
}

/* the lists are singly linked through the blocks' first word */
struct klua_free_block {
	struct klua_free_block *next;
};

/* with little stack left, no direct reclaim (it can go deep) */
static bool klua_stack_shallow(void)
{
	return unlikely(klua_stack_left() <
			klua_param_stack_soft + KLUA_RECLAIM_STACK);
}

static void *klua_get_block(struct klua_state *ks, size_t n)
{
	int c;

	if (n > KLUA_SMALL_MAX)
		return klua_stack_shallow() ? kmalloc(n, KLUA_GFP_SHALLOW) :
					      kvmalloc(n, KLUA_GFP);
	c = klua_class(n);
	if (ks->cache[c]) {	/* a cache hit needs no stack check */
		struct klua_free_block *b = ks->cache[c];

		ks->cache[c] = b->next;
		ks->cached -= klua_class_size[c];
		return b;
	}
	return kmalloc(klua_class_size[c],
		       klua_stack_shallow() ? KLUA_GFP_SHALLOW : KLUA_GFP);
}

/* n: the size Lua knows the block by (its class, for a small block) */
static void klua_put_block(struct klua_state *ks, void *p, size_t n)
{
	struct klua_free_block *b = p;
	int c;

	if (n > KLUA_SMALL_MAX ||
	    ks->cached + KLUA_SMALL_MAX > ks->cache_limit) {
		kvfree(p);
		return;
	}
	c = klua_class(n);
	b->next = ks->cache[c];
	ks->cache[c] = b;
	ks->cached += klua_class_size[c];
}

void *klua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct klua_state *ks = ud;
	void *p;

	if (!ptr)
		osize = 0;	/* then osize is a type tag */
	if (nsize == 0) {
		if (ptr)
			klua_put_block(ks, ptr, osize);
		ks->mem_used -= osize;
		return NULL;
	}
	if (nsize > osize && ks->mem_used + (nsize - osize) > ks->mem_limit)
		return NULL;	/* Lua collects garbage and retries once */
	/* C functions that allocate (string.rep, concat, ...) pay for it */
	ks->budget_left -= nsize >> KLUA_ALLOC_COST_SHIFT;
	if (ptr && klua_same_class(osize, nsize))
		goto resized;	/* the block already has room */
	p = klua_get_block(ks, nsize);
	if (!p) {
		if (nsize > osize)
			return NULL;
		/* Lua assumes shrinking never fails: keep the larger block */
		goto resized;
	}
	if (ptr) {
		memcpy(p, ptr, min(osize, nsize));
		klua_put_block(ks, ptr, osize);
	}
	ptr = p;
resized:
	ks->mem_used = ks->mem_used - osize + nsize;
	if (ks->mem_used > ks->mem_peak)
		ks->mem_peak = ks->mem_used;
	return ptr;
}

void klua_alloc_init(struct klua_state *ks)
{
	ks->cache_limit = READ_ONCE(klua_param_cache);
}

/* after lua_close(): give the cached blocks back */
void klua_alloc_drain(struct klua_state *ks)
{
	int c;

	for (c = 0; c < KLUA_CLASSES; c++) {
		while (ks->cache[c]) {
			struct klua_free_block *b = ks->cache[c];

			ks->cache[c] = b->next;
			kvfree(b);	/* a kept larger block may be one */
		}
	}
	ks->cached = 0;
}
