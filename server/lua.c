// SPDX-License-Identifier: GPL-2.0
/*
 * lua.c: the routing script in user space, with Debian's liblua5.4.  The
 * same script runs in the kernel hook: entry(data, conn) -> code, file.
 * Like the kernel's state it gets no io or os library, a memory cap and an
 * instruction budget per call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "server.h"

struct ulua {
	lua_State *L;
	size_t used, limit;
	unsigned long long instr;
	char entry[64];
};

static void *alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct ulua *u = ud;

	if (!ptr)
		osize = 0;
	if (nsize == 0) {
		free(ptr);
		u->used -= osize;
		return NULL;
	}
	if (nsize > osize && u->limit && u->used - osize + nsize > u->limit)
		return NULL;
	ptr = realloc(ptr, nsize);
	if (ptr)
		u->used = u->used - osize + nsize;
	return ptr;
}

static void budget_hook(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	luaL_error(L, "instruction budget exceeded");
}

static char *slurp(const char *path, size_t *n, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long sz;

	if (!f) {
		snprintf(err, errlen, "cannot open the script %s: %s", path,
			 strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 || sz > (1 << 24) ||
	    fseek(f, 0, SEEK_SET)) {
		snprintf(err, errlen, "cannot read the script %s", path);
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)sz + 1);
	if (!buf || fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		snprintf(err, errlen, "cannot read the script %s", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[sz] = '\0';
	*n = (size_t)sz;
	fclose(f);
	return buf;
}

struct ulua *ulua_new(const char *path, const char *entry,
		      unsigned long long mem_limit, unsigned long long instr,
		      char *err, size_t errlen)
{
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base }, { LUA_STRLIBNAME, luaopen_string },
		{ LUA_TABLIBNAME, luaopen_table }, { LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 }, { LUA_COLIBNAME, luaopen_coroutine },
	};
	struct ulua *u = calloc(1, sizeof(*u));
	char chunkname[256];
	size_t n;
	char *src;

	if (!u) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	u->limit = mem_limit;
	u->instr = instr;
	snprintf(u->entry, sizeof(u->entry), "%s", entry);
	u->L = lua_newstate(alloc, u);
	if (!u->L) {
		snprintf(err, errlen, "cannot create a Lua state");
		free(u);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		luaL_requiref(u->L, libs[i].name, libs[i].func, 1);
		lua_pop(u->L, 1);
	}
	/* No loading of code or files from the script, as in the kernel. */
	lua_pushnil(u->L);
	lua_setglobal(u->L, "dofile");
	lua_pushnil(u->L);
	lua_setglobal(u->L, "loadfile");

	src = slurp(path, &n, err, errlen);
	if (!src)
		goto fail;
	snprintf(chunkname, sizeof(chunkname), "@%s", path);
	if (luaL_loadbufferx(u->L, src, n, chunkname, "t") ||
	    lua_pcall(u->L, 0, 0, 0)) {
		snprintf(err, errlen, "script %s: %s", path,
			 lua_tostring(u->L, -1) ? lua_tostring(u->L, -1) : "error");
		free(src);
		goto fail;
	}
	free(src);
	if (lua_getglobal(u->L, u->entry) != LUA_TFUNCTION) {
		snprintf(err, errlen, "script %s defines no function '%s'", path,
			 u->entry);
		goto fail;
	}
	lua_pop(u->L, 1);
	return u;
fail:
	lua_close(u->L);
	free(u);
	return NULL;
}

void ulua_free(struct ulua *u)
{
	if (!u)
		return;
	lua_close(u->L);
	free(u);
}

/* Everything that may allocate runs in protected mode: a full state
 * gives an error, never a panic. */
static int new_conn_table(lua_State *L)
{
	lua_createtable(L, 0, 2);
	lua_pushinteger(L, luaL_ref(L, LUA_REGISTRYINDEX));
	return 1;
}

int ulua_conn_new(struct ulua *u)
{
	int ref = -1;

	lua_settop(u->L, 0);
	lua_pushcfunction(u->L, new_conn_table);
	if (lua_pcall(u->L, 0, 1, 0) == LUA_OK)
		ref = (int)lua_tointeger(u->L, -1);
	lua_settop(u->L, 0);
	return ref;
}

void ulua_conn_free(struct ulua *u, int ref)
{
	if (ref >= 0)
		luaL_unref(u->L, LUA_REGISTRYINDEX, ref);
}

struct call_args {
	const char *entry, *data;
	size_t n;
	int ref;
};

static int call_entry(lua_State *L)
{
	const struct call_args *a = lua_touserdata(L, 1);

	lua_settop(L, 0);
	if (lua_getglobal(L, a->entry) != LUA_TFUNCTION)
		return luaL_error(L, "no function '%s'", a->entry);
	lua_pushlstring(L, a->data, a->n);
	if (a->ref >= 0)
		lua_rawgeti(L, LUA_REGISTRYINDEX, a->ref);
	else
		lua_createtable(L, 0, 2);
	lua_call(L, 2, LUA_MULTRET);
	return lua_gettop(L);
}

int ulua_call(struct ulua *u, int ref, const char *data, size_t n,
	      ulua_emit_fn emit, void *ctx, char *err, size_t errlen)
{
	lua_State *L = u->L;
	struct call_args a = { u->entry, data, n, ref };
	int nres, count = -1;

	lua_settop(L, 0);
	lua_pushcfunction(L, call_entry);
	lua_pushlightuserdata(L, &a);
	if (u->instr)
		lua_sethook(L, budget_hook, LUA_MASKCOUNT,
			    u->instr > 0x7fffffff ? 0x7fffffff : (int)u->instr);
	if (lua_pcall(L, 1, LUA_MULTRET, 0)) {
		snprintf(err, errlen, "%s",
			 lua_tostring(L, -1) ? lua_tostring(L, -1) : "error");
		goto out;
	}
	nres = lua_gettop(L);
	/* code1, file1, code2, file2, ... up to the first 0 or nil code */
	for (int i = 1; i <= nres && i / 2 < ULUA_VERDICTS_MAX; i += 2) {
		int isnum = 0;
		lua_Integer c = lua_tointegerx(L, i, &isnum);
		const char *f = "";
		size_t fl = 0;

		if (lua_isnil(L, i) || (isnum && c == 0))
			break;
		if (!isnum || c < 100 || c > 999) {
			snprintf(err, errlen, "'%s' returned a code that is not an "
				 "HTTP status", u->entry);
			goto out;
		}
		if (i + 1 <= nres && lua_type(L, i + 1) == LUA_TSTRING) {
			f = lua_tolstring(L, i + 1, &fl);
			if (fl >= ULUA_FILE_MAX || memchr(f, '\0', fl)) {
				snprintf(err, errlen, "'%s' returned a bad file", u->entry);
				goto out;
			}
		}
		if (count < 0)
			count = 0;
		emit(ctx, (int)c, f, fl);
		count++;
	}
	if (count < 0)
		count = 0;
out:
	if (u->instr)
		lua_sethook(L, NULL, 0, 0);
	lua_settop(L, 0);
	return count;
}
