# libktlslua: static ($(LIBKTLSLUA)) and shared library, pkg-config file.
# Every lib/*.c is part of it.
LIB_SRCS := $(wildcard $(TOP)/lib/*.c)
LIB_HDRS := $(wildcard $(TOP)/lib/include/*.h) $(TOP)/include/uapi/linux/ktls_lua.h
LIB_OBJS := $(patsubst $(TOP)/lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRCS))
LIB_PIC_OBJS := $(patsubst $(TOP)/lib/%.c,$(BUILD)/lib/pic/%.o,$(LIB_SRCS))
LIBKTLSLUA_SO := $(BUILD)/lib/libktlslua.so
LIBKTLSLUA_PC := $(BUILD)/lib/pkgconfig/libktlslua.pc
LIB_VERSION := 0.1.0
PREFIX ?= /usr/local

PROGRAMS += $(LIBKTLSLUA) $(LIBKTLSLUA_SO) $(LIBKTLSLUA_PC)

$(BUILD)/lib/%.o: $(TOP)/lib/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(GNUTLS_CFLAGS) -c -o $@ $<

$(BUILD)/lib/pic/%.o: $(TOP)/lib/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(GNUTLS_CFLAGS) -fPIC -c -o $@ $<

$(LIBKTLSLUA): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(LIBKTLSLUA_SO): $(LIB_PIC_OBJS)
	$(CC) -shared -Wl,-soname,libktlslua.so.0 -o $@ $^ $(GNUTLS_LIBS)

$(LIBKTLSLUA_PC): $(TOP)/lib/build.mk
	@mkdir -p $(dir $@)
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' \
		'includedir=$${prefix}/include' '' 'Name: libktlslua' \
		'Description: Lua hook on kernel TLS (ktls_lua.ko) and GnuTLS to kTLS' \
		'Version: $(LIB_VERSION)' 'Requires.private: gnutls' \
		'Libs: -L$${libdir} -lktlslua' 'Cflags: -I$${includedir}' > $@

# The hook benchmark: the cost of a hooked 1 KiB read against a plain one,
# and kernel memory per attached connection, in one guest boot (no
# slub_debug).  The binary is built by tests/build.mk's guest rule.
BENCH_HOOK := $(BUILD)/tests/guest/hook/bench_hook
.PHONY: bench-hook
bench-hook: modules $(BENCH_HOOK)
	cd $(TOP) && $(TOP)/vm/run --no-debug -t 1200 -- $(BENCH_HOOK) $(BENCH_HOOK_ARGS)
