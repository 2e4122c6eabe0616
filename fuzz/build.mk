# Fuzzing (issue 7): libFuzzer targets built with Debian's clang, ASan and
# UBSan.  Each fuzz/fuzz_<target>.c includes the source it tests.
#
#   make fuzz FUZZ_SECONDS=N     fuzz every target N seconds (default 60),
#                                new inputs kept in build/fuzz/work/<target>,
#                                crashes in build/fuzz/artifacts/<target>/
#   make fuzz-merge              fold new coverage into fuzz/corpus/<target>
#   make check                   replays every corpus, then fuzzes each
#                                target a few seconds (FUZZ_SMOKE_SECONDS)
#
# The seed corpora are fuzz/corpus/<target>/; every crash found is kept
# there as a regression input (fuzz/README.md).

FUZZ_CC := $(shell command -v clang-14 2>/dev/null || command -v clang 2>/dev/null || echo clang-14)
FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE -g -O1 -Wall -Wextra \
	-Wno-unused-function -Wno-unused-parameter \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer \
	-I$(TOP)/include/uapi -I$(TOP)/lib/include -I$(TOP)/server -I$(TOP)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 3

FUZZ_TARGETS := http_request http_range http_path http_response verdict_cmsg \
	kl_decode
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_SMOKES := $(patsubst %,$(BUILD)/fuzz/smoke_%,$(FUZZ_TARGETS))
FUZZ_HDRS := $(wildcard $(TOP)/fuzz/*.h) $(TOP)/server/http.h \
	$(TOP)/include/uapi/linux/ktls_lua.h

# Targets built on server/worker.c (and lua.c, both included) link the rest
# of the server but main.c, khook.c and lib/ (stubbed in fuzz/worker_fixture.h).
FUZZ_WORKER_SRCS := $(TOP)/server/http_parse.c $(TOP)/server/http_util.c \
	$(TOP)/server/mime.c
FUZZ_WORKER_DEPS := $(FUZZ_WORKER_SRCS) $(TOP)/server/worker.c $(TOP)/server/lua.c \
	$(TOP)/server/server.h $(TOP)/server/mime.h $(TOP)/scripts/http.lua

UNIT_TESTS += $(FUZZ_SMOKES)

$(BUILD)/fuzz/fuzz_http_request: $(TOP)/server/http_parse.c
$(BUILD)/fuzz/fuzz_http_range: $(TOP)/server/http_parse.c $(TOP)/server/http_util.c
$(BUILD)/fuzz/fuzz_verdict_cmsg: $(TOP)/lib/ktls_lua.c $(TOP)/lib/include/ktls_lua.h

$(BUILD)/fuzz/fuzz_http_request $(BUILD)/fuzz/fuzz_http_range \
$(BUILD)/fuzz/fuzz_verdict_cmsg: $(BUILD)/fuzz/fuzz_%: $(TOP)/fuzz/fuzz_%.c $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $<

$(BUILD)/fuzz/fuzz_http_path $(BUILD)/fuzz/fuzz_http_response: \
$(BUILD)/fuzz/fuzz_%: $(TOP)/fuzz/fuzz_%.c $(FUZZ_HDRS) $(FUZZ_WORKER_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(GNUTLS_CFLAGS) $(LUA_CFLAGS) \
		-DFUZZ_HTTP_LUA='"$(TOP)/scripts/http.lua"' -o $@ $< \
		$(FUZZ_WORKER_SRCS) $(GNUTLS_LIBS) $(LUA_LIBS)

# kl_decode compiles ktls_lua.ko's kernel/ktls_lua/kl_decode.c unchanged:
# fuzz/kshim/, first on the include path, stands in for the kernel headers
# it includes.
FUZZ_KL_DECODE_DEPS := $(TOP)/kernel/ktls_lua/kl_decode.c \
	$(TOP)/kernel/ktls_lua/kl_decode.h $(wildcard $(TOP)/fuzz/kshim/linux/*.h)

$(BUILD)/fuzz/fuzz_kl_decode: $(TOP)/fuzz/fuzz_kl_decode.c $(FUZZ_HDRS) \
	$(FUZZ_KL_DECODE_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -I$(TOP)/fuzz/kshim $(FUZZ_CFLAGS) -o $@ $<

# make check runs these: corpus replay + a short fuzz, TAP on stdout.
$(BUILD)/fuzz/smoke_%: $(BUILD)/fuzz/fuzz_% $(TOP)/fuzz/run
	@mkdir -p $(dir $@)
	@printf '#!/bin/sh\nexec "%s" smoke %s %s\n' "$(TOP)/fuzz/run" "$*" \
		"$(FUZZ_SMOKE_SECONDS)" > $@
	@chmod +x $@

.PHONY: fuzz fuzz-build fuzz-merge
fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
		"$(TOP)/fuzz/run" long $$t $(FUZZ_SECONDS) || status=1; \
	done; exit $${status:-0}

fuzz-merge: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do "$(TOP)/fuzz/run" merge $$t; done
