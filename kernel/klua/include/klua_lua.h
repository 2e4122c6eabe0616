/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Lua C API for kernel modules that use klua.ko: include this instead
 * of lua.h.  Build flags: see kernel/klua/consumer.mk.
 */
#ifndef _KLUA_LUA_H
#define _KLUA_LUA_H

#include "luaconf.h"
#include <lua.h>
#include <lauxlib.h>

#endif
