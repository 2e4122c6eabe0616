# ktls-lua: a Lua hook on kernel TLS, and an HTTPS server that uses it.
# `make run` and `make check` set up everything they need (as root, Debian 12).
SHELL := /bin/bash
TOP := $(CURDIR)
BUILD := $(TOP)/build
# The guest kernel: the newest installed image with headers (never hard-coded).
KVER = $(shell $(TOP)/scripts/kver 2>/dev/null)
KDIR = /lib/modules/$(KVER)/build
LUA_SRC := $(BUILD)/lua-src

CC := gcc
CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-I$(TOP)/include/uapi -I$(TOP)/lib/include
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
LDFLAGS :=
GNUTLS_CFLAGS = $(shell pkg-config --cflags gnutls 2>/dev/null)
GNUTLS_LIBS = $(shell pkg-config --libs gnutls 2>/dev/null)
LUA_CFLAGS = $(shell pkg-config --cflags lua5.4 2>/dev/null)
LUA_LIBS = $(shell pkg-config --libs lua5.4 2>/dev/null)
LIBKTLSLUA := $(BUILD)/lib/libktlslua.a

PROGRAMS :=
UNIT_TESTS :=
GUEST_PROGRAMS :=

.PHONY: all deps modules userspace check check-debug run bench clean help
all: modules userspace

help:
	@echo "make deps      install Debian packages, fetch the Lua source (root)"
	@echo "make           build the kernel modules and all user space"
	@echo "make run       serve www/ over HTTPS with the kernel Lua hook"
	@echo "               (in a QEMU guest; https://localhost:8443/)"
	@echo "make check     all tests; ends with 'N passed, M failed'"
	@echo "make check-debug  the guest suite on a KASAN/lockdep/kmemleak kernel"
	@echo "make bench     benchmarks against nginx and lighttpd"

deps:
	@bash $(TOP)/scripts/deps.sh

include $(wildcard $(TOP)/lib/build.mk $(TOP)/tools/build.mk \
	$(TOP)/server/build.mk $(TOP)/tests/build.mk $(TOP)/bench/build.mk \
	$(TOP)/fuzz/build.mk)

# Both modules in one kbuild run, so ktls_lua.ko links against klua.ko's
# exported symbols.  The log is kept: make check fails on any warning.
modules:
	@test -n "$(KVER)" || { $(TOP)/scripts/kver; exit 1; }
	@test -d $(LUA_SRC)/src || { echo "no Lua source in $(LUA_SRC): make deps" >&2; exit 1; }
	@mkdir -p $(BUILD)
	@set -o pipefail; $(MAKE) -C $(KDIR) M=$(TOP)/kernel W=1 \
		KTLS_LUA_TOP=$(TOP) LUA_SRC=$(LUA_SRC) modules 2>&1 \
		| tee $(BUILD)/kbuild.log

userspace: $(PROGRAMS) $(UNIT_TESTS) $(GUEST_PROGRAMS)

check: deps
	@$(MAKE) --no-print-directory all
	@bash $(TOP)/tests/check.sh $(UNIT_TESTS)

# The guest suite on a KASAN/lockdep/kmemleak/UBSAN kernel (slow; not in CI).
check-debug: deps
	@$(MAKE) --no-print-directory all
	@bash $(TOP)/tests/check-debug.sh

run: deps
	@$(MAKE) --no-print-directory all
	@bash $(TOP)/scripts/run.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP)/kernel clean >/dev/null 2>&1
	rm -rf $(BUILD)/lib $(BUILD)/server $(BUILD)/tools $(BUILD)/tests \
		$(BUILD)/vm $(BUILD)/kbuild.log
