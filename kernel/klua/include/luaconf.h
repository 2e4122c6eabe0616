/* SPDX-License-Identifier: GPL-2.0 */
/*
 * luaconf.h for klua: Lua 5.4 configured for the Linux kernel.
 *
 * Every file that includes lua.h must see this file first (klua_lua.h does
 * that): it defines the include guard of the stock luaconf.h that sits next
 * to lua.h, so the stock configuration is never used.
 *
 * Numbers are integers only.  lua_Number is a 64-bit integer type too (no
 * FPU in the kernel); the float subtype still exists in the VM but scripts
 * cannot create floats: float literals are malformed numbers, '/' and '^'
 * raise errors, tonumber() of a float string raises an error, and float
 * formats of string.format/pack raise errors.
 */
#ifndef luaconf_h
#define luaconf_h

#include <linux/compiler.h>
#include <limits.h>
#include <stddef.h>

#define LUAI_IS32INT 1

/* integers: 64 bits, as in user space */
#define LUA_INTEGER long long
#define LUA_INTEGER_FRMLEN "ll"
#define LUAI_UACINT LUA_INTEGER
#define LUA_INTEGER_FMT "%" LUA_INTEGER_FRMLEN "d"
#define LUA_MAXINTEGER LLONG_MAX
#define LUA_MININTEGER LLONG_MIN
#define LUA_MAXUNSIGNED ULLONG_MAX
#define LUA_UNSIGNED unsigned LUA_INTEGER
#define lua_integer2str(s, sz, n) \
	l_sprintf((s), sz, LUA_INTEGER_FMT, (LUAI_UACINT)(n))

/* "floats": integers too, never created by scripts (see above) */
#define LUA_NUMBER long long
#define LUAI_UACNUMBER long long
#define LUA_NUMBER_FRMLEN "ll"
#define LUA_NUMBER_FMT "%lld"
#define l_floatatt(n) (KLUA_FLT_##n)
#define KLUA_FLT_MANT_DIG 64
#define KLUA_FLT_MAX_10_EXP 19
#define l_mathop(op) op
#define l_floor(x) (x)
#define lua_number2str(s, sz, n) \
	l_sprintf((s), sz, LUA_NUMBER_FMT, (LUAI_UACNUMBER)(n))
#define lua_numbertointeger(n, p) ((*(p) = (LUA_INTEGER)(n)), 1)
#define lua_str2number(s, p) ((LUA_NUMBER)klua_str2number_fail((s), (p)))
#define lua_strx2number(s, p) ((LUA_NUMBER)klua_str2number_fail((s), (p)))
#define lua_number2strx(L, b, sz, f, n) \
	((void)(b), (void)(sz), (void)(f), (void)(n), klua_nofloat((L), "%a"))

int klua_str2number_fail(const char *s, char **endptr);
struct lua_State;
int __noreturn klua_nofloat(struct lua_State *L, const char *what);

#define LUA_KCONTEXT ptrdiff_t

#define l_sprintf(s, sz, f, i) snprintf(s, sz, f, i)
/* addresses are never shown to scripts: a keyed hash of them instead */
#define lua_pointer2str(buff, sz, p) \
	l_sprintf(buff, sz, "0x%016llx", klua_hashptr(p))
unsigned long long klua_hashptr(const void *p);
#define lua_getlocaledecpoint() ('.')

#define LUA_API extern
#define LUALIB_API LUA_API
#define LUAMOD_API LUA_API
#define LUAI_FUNC extern
#define LUAI_DDEC(dec) dec
#define LUAI_DDEF /* empty */

#define luai_likely(x) (__builtin_expect(((x) != 0), 1))
#define luai_unlikely(x) (__builtin_expect(((x) != 0), 0))
#define l_likely(x) luai_likely(x)
#define l_unlikely(x) luai_unlikely(x)

/* Lua stack slots (memory, under the state's cap) */
#define LUAI_MAXSTACK 200000
#define LUA_EXTRASPACE (sizeof(void *))
#define LUA_IDSIZE 60
/* the on-stack part of a luaL_Buffer: kernel stacks are small */
#define LUAL_BUFFERSIZE 256
#define LUAI_MAXALIGN long long n; void *s; long l

#endif
