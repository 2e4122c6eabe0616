# bench/: `make bench` (ktls-httpd against nginx and lighttpd, in one guest
# boot) and the ceiling tool it measures beside them.  See bench/README.md.

BENCH_CEILING := $(BUILD)/bench/ktls-ceiling
PROGRAMS += $(BENCH_CEILING)

# Link libktlslua once lib/build.mk builds it; until then, its one source.
ifneq ($(wildcard $(TOP)/lib/build.mk),)
BENCH_KTLS := $(LIBKTLSLUA)
else
BENCH_KTLS := $(TOP)/lib/ktls_gnutls.c
endif

$(BENCH_CEILING): $(TOP)/bench/ceiling.c $(BENCH_KTLS) \
		$(wildcard $(TOP)/lib/include/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(GNUTLS_CFLAGS) -o $@ $(TOP)/bench/ceiling.c \
		$(BENCH_KTLS) $(GNUTLS_LIBS) -lpthread

# make bench          the full run (<= 25 min on 2 emulated CPUs)
# make bench QUICK=1  a short run of a few cells, for development
# BENCH_ARGS=...      extra arguments for bench/bench.sh (see --help)
.PHONY: bench bench-report
bench: deps
	@$(MAKE) --no-print-directory all
	@bash $(TOP)/bench/bench.sh $(if $(QUICK),--quick) $(BENCH_ARGS)

# Redo the table and plots from the newest raw results (no guest).
bench-report:
	@python3 $(TOP)/bench/report.py

# The whole-server benchmark and the micro-benchmarks of the kernel Lua
# (tools/build.mk: bench-lua) and of the hook (lib/build.mk: bench-hook),
# one after the other (each boots its own guest).
.PHONY: bench-all
bench-all: bench bench-lua bench-hook
