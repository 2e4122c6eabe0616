// SPDX-License-Identifier: GPL-2.0
/*
 * klua's math library: the integer part of Lua 5.4's, with random numbers
 * from the kernel's RNG.  Functions that only make sense on floats (sin,
 * sqrt, log, ...) and the float constants (pi, huge) do not exist.
 */
#include <linux/random.h>

#include "klua_lua.h"
#include "klua_internal.h"

static lua_Integer klua_checkint(lua_State *L, int arg)
{
	return luaL_checkinteger(L, arg);
}

static int math_abs(lua_State *L)
{
	lua_Integer n = klua_checkint(L, 1);

	if (n < 0)
		n = (lua_Integer)(0ULL - (lua_Unsigned)n);
	lua_pushinteger(L, n);
	return 1;
}

static int math_floor(lua_State *L)
{
	lua_pushinteger(L, klua_checkint(L, 1));
	return 1;
}

static int math_fmod(lua_State *L)
{
	lua_Integer m = klua_checkint(L, 1);
	lua_Integer d = klua_checkint(L, 2);

	if ((lua_Unsigned)d + 1U <= 1U) {	/* 0 or -1 */
		if (d == 0)
			klua_raise(luaL_argerror(L, 2, "zero"));
		lua_pushinteger(L, 0);
	} else {
		lua_pushinteger(L, m % d);
	}
	return 1;
}

static int math_minmax(lua_State *L, int op)
{
	int n = lua_gettop(L);
	int best = 1;
	int i;

	if (n < 1)
		klua_raise(luaL_argerror(L, 1, "value expected"));
	for (i = 1; i <= n; i++) {
		if (!lua_isnumber(L, i))
			klua_raise(luaL_typeerror(L, i, "number"));
	}
	for (i = 2; i <= n; i++) {
		if (lua_compare(L, op == 0 ? i : best, op == 0 ? best : i,
				LUA_OPLT))
			best = i;
	}
	lua_pushvalue(L, best);
	return 1;
}

static int math_min(lua_State *L)
{
	return math_minmax(L, 0);
}

static int math_max(lua_State *L)
{
	return math_minmax(L, 1);
}

static int math_toint(lua_State *L)
{
	int valid;
	lua_Integer n = lua_tointegerx(L, 1, &valid);

	if (valid) {
		lua_pushinteger(L, n);
	} else {
		luaL_checkany(L, 1);
		lua_pushnil(L);
	}
	return 1;
}

static int math_type(lua_State *L)
{
	if (lua_type(L, 1) == LUA_TNUMBER) {
		lua_pushstring(L, lua_isinteger(L, 1) ? "integer" : "float");
	} else {
		luaL_checkany(L, 1);
		lua_pushnil(L);
	}
	return 1;
}

static int math_ult(lua_State *L)
{
	lua_Integer a = klua_checkint(L, 1);
	lua_Integer b = klua_checkint(L, 2);

	lua_pushboolean(L, (lua_Unsigned)a < (lua_Unsigned)b);
	return 1;
}

/* a uniform random integer in [0, n] */
static lua_Unsigned klua_project(lua_Unsigned n)
{
	lua_Unsigned lim = n;
	lua_Unsigned r;

	if ((n & (n + 1)) == 0)		/* n + 1 is a power of 2 */
		return get_random_u64() & n;
	lim |= lim >> 1;
	lim |= lim >> 2;
	lim |= lim >> 4;
	lim |= lim >> 8;
	lim |= lim >> 16;
	lim |= lim >> 32;
	do {
		r = get_random_u64() & lim;
	} while (r > n);
	return r;
}

static int math_random(lua_State *L)
{
	lua_Integer low, up;

	switch (lua_gettop(L)) {
	case 0:
		klua_raise(luaL_error(L, "math.random() returns a float: klua numbers are integers (use math.random(m, n))"));
	case 1:
		low = 1;
		up = klua_checkint(L, 1);
		if (up == 0) {	/* all bits */
			lua_pushinteger(L, (lua_Integer)get_random_u64());
			return 1;
		}
		break;
	case 2:
		low = klua_checkint(L, 1);
		up = klua_checkint(L, 2);
		break;
	default:
		klua_raise(luaL_error(L, "wrong number of arguments"));
	}
	if (low > up)
		klua_raise(luaL_argerror(L, 1, "interval is empty"));
	lua_pushinteger(L, (lua_Integer)(klua_project((lua_Unsigned)up -
						      (lua_Unsigned)low) +
					 (lua_Unsigned)low));
	return 1;
}

static const luaL_Reg klua_mathlib[] = {
	{ "abs", math_abs },
	{ "ceil", math_floor },
	{ "floor", math_floor },
	{ "fmod", math_fmod },
	{ "max", math_max },
	{ "min", math_min },
	{ "random", math_random },
	{ "tointeger", math_toint },
	{ "type", math_type },
	{ "ult", math_ult },
	{ NULL, NULL }
};

int klua_open_math(lua_State *L)
{
	luaL_newlib(L, klua_mathlib);
	lua_pushinteger(L, LUA_MAXINTEGER);
	lua_setfield(L, -2, "maxinteger");
	lua_pushinteger(L, LUA_MININTEGER);
	lua_setfield(L, -2, "mininteger");
	return 1;
}
