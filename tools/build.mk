# tools/: small commands, one per tools/*.c, built into $(BUILD)/tools/.
# A tool that needs more flags sets target-specific variables, e.g.
#   $(BUILD)/tools/foo: TOOL_LIBS = $(GNUTLS_LIBS)
TOOLS_SRCS := $(wildcard $(TOP)/tools/*.c)
TOOLS := $(patsubst $(TOP)/tools/%.c,$(BUILD)/tools/%,$(TOOLS_SRCS))
PROGRAMS += $(TOOLS)

$(BUILD)/tools/%: $(TOP)/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TOOL_CFLAGS) -o $@ $< $(LDFLAGS) $(TOOL_LIBS)

# Not a test: the same integer Lua workload in the kernel (klua) and in
# user space (lua5.4), in one guest boot.
.PHONY: bench-lua
bench-lua: modules $(BUILD)/tools/klua
	$(TOP)/vm/run --no-debug -- $(TOP)/bench/lua/run.sh
