# Tests.  No registration needed:
#  - tests/unit/test_*.c: one host test binary each, under ASan/UBSan; a test
#    includes the source it tests (single translation unit).
#  - tests/guest/<group>/test_*.c: one guest test binary each, linked with
#    tests/common/*.c, libktlslua and GnuTLS; tests/guest/run-all runs every
#    $(BUILD)/tests/guest/*/test_* binary and every tests/guest/*.t script.

UNIT_SRCS := $(wildcard $(TOP)/tests/unit/test_*.c)
UNIT_TESTS += $(patsubst $(TOP)/tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))

GUEST_TEST_SRCS := $(wildcard $(TOP)/tests/guest/*/test_*.c)
GUEST_COMMON_SRCS := $(wildcard $(TOP)/tests/common/*.c)
GUEST_PROGRAMS += $(patsubst $(TOP)/tests/guest/%.c,$(BUILD)/tests/guest/%,$(GUEST_TEST_SRCS))

# -MMD: a test is rebuilt when any file it includes changes (unit tests
# include the sources they test).
TEST_CFLAGS = $(CFLAGS) -MMD -MP -I$(TOP)/tests $(GNUTLS_CFLAGS) $(LUA_CFLAGS)
-include $(wildcard $(BUILD)/tests/unit/*.d $(BUILD)/tests/guest/*/*.d)

$(BUILD)/tests/unit/%: $(TOP)/tests/unit/%.c $(TOP)/tests/harness.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(SANFLAGS) -o $@ $< $(GNUTLS_LIBS) $(LUA_LIBS) -lpthread

$(BUILD)/tests/guest/%: $(TOP)/tests/guest/%.c $(GUEST_COMMON_SRCS) \
		$(TOP)/tests/harness.h $(LIBKTLSLUA)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(GUEST_COMMON_SRCS) $(LIBKTLSLUA) \
		$(GNUTLS_LIBS) $(LUA_LIBS) -lpthread
