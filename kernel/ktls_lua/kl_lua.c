// SPDX-License-Identifier: GPL-2.0
/*
 * ktls_lua: the Lua side, on klua.  A kl_vm is one klua state and the mutex
 * that serializes it.  Everything that may raise a Lua error (global
 * lookups, table creation, the call itself) runs inside klua_pcall(), so
 * neither a script nor a memory shortage can unwind past us.
 */
#include <linux/err.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "klua.h"
#include "klua_lua.h"
#include "kl.h"

struct kl_vm {
	struct mutex lock;
	struct klua_state *ks;
};

struct kl_call {
	const char *entry;
	int *conn_ref;
	const void *data;
	size_t len;
	int hint;		/* errno for an error we raised ourselves */
};

struct kl_vm *kl_vm_create(u64 mem_limit, u64 instr_limit)
{
	struct klua_limits lim = {
		.mem_bytes = mem_limit,
		.instructions = instr_limit,
	};
	struct kl_vm *vm = kzalloc(sizeof(*vm), GFP_KERNEL);

	if (!vm)
		return ERR_PTR(-ENOMEM);
	mutex_init(&vm->lock);
	vm->ks = klua_create(&lim, NULL, NULL);
	if (!vm->ks) {
		kfree(vm);
		return ERR_PTR(-ENOMEM);
	}
	return vm;
}

void kl_vm_destroy(struct kl_vm *vm)
{
	klua_destroy(vm->ks);
	kfree(vm);
}

/* The message on top of the stack, without anything that may raise. */
static char *kl_errmsg(lua_State *L)
{
	const char *s;
	size_t n;

	if (lua_type(L, -1) != LUA_TSTRING)
		return kasprintf(GFP_KERNEL, "(error object is a %s value)",
				 lua_typename(L, lua_type(L, -1)));
	s = lua_tolstring(L, -1, &n);
	n = min_t(size_t, n, TLS_LUA_ERRMSG_MAX - 1);
	return kmemdup_nul(s, n, GFP_KERNEL);
}

static int kl_errno(int status, const char *msg, int hint)
{
	if (hint)
		return -hint;
	if (status == LUA_ERRMEM)
		return -ENOMEM;
	if (msg && (strstr(msg, "budget") || strstr(msg, "instruction")))
		return -ETIME;
	if (status == LUA_ERRSYNTAX)
		return -EINVAL;
	return -ECANCELED;
}

int kl_vm_run_chunk(struct kl_vm *vm, const char *buf, size_t len,
		    const char *name, char **msg)
{
	char chunkname[40];
	lua_State *L;
	int top, status, err = 0;

	snprintf(chunkname, sizeof(chunkname), "=%s", name);
	mutex_lock(&vm->lock);
	L = klua_lua(vm->ks);
	top = lua_gettop(L);
	status = klua_load(vm->ks, buf, len, chunkname);
	if (status == LUA_OK)
		status = klua_pcall(vm->ks, 0, 0);
	if (status != LUA_OK) {
		*msg = kl_errmsg(L);
		err = status == LUA_ERRMEM ? -ENOMEM : -EINVAL;
	}
	lua_settop(L, top);
	mutex_unlock(&vm->lock);
	return err;
}

/* Runs protected: (entry)(data, conn) with conn made on first use. */
static int kl_entry_trampoline(lua_State *L)
{
	struct kl_call *c = lua_touserdata(L, 1);

	lua_settop(L, 0);
	if (lua_getglobal(L, c->entry) != LUA_TFUNCTION) {
		c->hint = ENOENT;
		return luaL_error(L, "entry function '%s' is not defined",
				  c->entry);
	}
	lua_pushlstring(L, c->data, c->len);
	if (*c->conn_ref < 0) {
		lua_newtable(L);
		lua_pushvalue(L, -1);
		*c->conn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	} else {
		lua_rawgeti(L, LUA_REGISTRYINDEX, *c->conn_ref);
	}
	lua_call(L, 2, 2 * TLS_LUA_VERDICTS_MAX);
	return 2 * TLS_LUA_VERDICTS_MAX;
}

/* One verdict from slots ci (code) and ci + 1 (file); 1 if it is one. */
static int kl_one_result(lua_State *L, int ci, struct kl_result *res)
{
	const char *s;
	size_t n;
	s32 code;

	switch (lua_type(L, ci)) {
	case LUA_TNIL:
		return 0;
	case LUA_TNUMBER:
		if (lua_isinteger(L, ci)) {
			lua_Integer v = lua_tointeger(L, ci);

			if (v >= S32_MIN && v <= S32_MAX) {
				code = (s32)v;
				break;
			}
			res->msg = kasprintf(GFP_KERNEL,
					     "verdict code %lld out of range", v);
			return -ERANGE;
		}
		fallthrough;
	default:
		res->msg = kasprintf(GFP_KERNEL,
				     "verdict code must be an integer, not a %s",
				     lua_typename(L, lua_type(L, ci)));
		return -EINVAL;
	}
	if (!code)
		return 0;
	res->v[res->n].code = code;
	switch (lua_type(L, ci + 1)) {
	case LUA_TNIL:
	case LUA_TNONE:
		break;
	case LUA_TSTRING:
		s = lua_tolstring(L, ci + 1, &n);
		if (n >= TLS_LUA_FILE_MAX) {
			res->msg = kasprintf(GFP_KERNEL,
					     "verdict file is %zu bytes, more than %d",
					     n, TLS_LUA_FILE_MAX - 1);
			return -ENAMETOOLONG;
		}
		if (memchr(s, 0, n)) {
			res->msg = kstrdup("verdict file contains a NUL byte",
					   GFP_KERNEL);
			return -EINVAL;
		}
		res->v[res->n].file = kmemdup_nul(s, n, GFP_KERNEL);
		if (!res->v[res->n].file)
			return -ENOMEM;
		res->v[res->n].file_len = n;
		break;
	default:
		res->msg = kasprintf(GFP_KERNEL,
				     "verdict file must be a string, not a %s",
				     lua_typename(L, lua_type(L, ci + 1)));
		return -EINVAL;
	}
	res->n++;
	return 1;
}

/* Verdicts from the values above top: code1, file1, code2, file2... */
static int kl_results(lua_State *L, int top, struct kl_result *res)
{
	int nres = lua_gettop(L) - top, i, r;

	for (i = 0; i < nres && res->n < TLS_LUA_VERDICTS_MAX; i += 2) {
		r = kl_one_result(L, top + 1 + i, res);
		if (r < 0) {
			kl_result_free(res);
			return -r;
		}
		if (!r)
			break;
	}
	return 0;
}

void kl_result_free(struct kl_result *res)
{
	unsigned int i;

	for (i = 0; i < res->n; i++) {
		kfree(res->v[i].file);
		res->v[i].file = NULL;
	}
	res->n = 0;
}

int kl_vm_call(struct kl_vm *vm, const char *entry, int *conn_ref,
	       const void *data, size_t len, struct kl_result *res)
{
	struct kl_call c = {
		.entry = entry, .conn_ref = conn_ref, .data = data, .len = len,
	};
	lua_State *L;
	int top, status;

	mutex_lock(&vm->lock);
	L = klua_lua(vm->ks);
	top = lua_gettop(L);
	status = klua_cpcall(vm->ks, kl_entry_trampoline, &c,
			     2 * TLS_LUA_VERDICTS_MAX);
	if (status != LUA_OK) {
		res->msg = kl_errmsg(L);
		res->err = -kl_errno(status, res->msg, c.hint);
	} else {
		res->err = kl_results(L, top, res);
	}
	lua_settop(L, top);
	mutex_unlock(&vm->lock);
	return res->err ? -res->err : 0;
}

static int kl_unref_trampoline(lua_State *L)
{
	int ref = *(int *)lua_touserdata(L, 1);

	luaL_unref(L, LUA_REGISTRYINDEX, ref);
	return 0;
}

void kl_vm_conn_free(struct kl_vm *vm, int conn_ref)
{
	lua_State *L;
	int top;

	mutex_lock(&vm->lock);
	L = klua_lua(vm->ks);
	top = lua_gettop(L);
	klua_cpcall(vm->ks, kl_unref_trampoline, &conn_ref, 0);
	lua_settop(L, top);
	mutex_unlock(&vm->lock);
}

size_t kl_vm_mem(struct kl_vm *vm)
{
	size_t n;

	mutex_lock(&vm->lock);
	n = klua_mem_used(vm->ks);
	mutex_unlock(&vm->lock);
	return n;
}
