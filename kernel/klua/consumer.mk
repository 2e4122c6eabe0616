# SPDX-License-Identifier: GPL-2.0
# For a kernel module that uses klua.ko: include this from its Kbuild
# (include $(KTLS_LUA_TOP)/kernel/klua/consumer.mk) and #include
# "klua.h" and "klua_lua.h".  Build both modules in one kbuild run (as
# the top Makefile does) so modpost sees klua's exports.
KLUA_DIR := $(KTLS_LUA_TOP)/kernel/klua
ccflags-y += -I$(KLUA_DIR) -I$(KLUA_DIR)/include -I$(KLUA_DIR)/shim \
	     -I$(LUA_SRC)/src
