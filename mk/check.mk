# check.mk: the measuring code checked for memory errors, leaks and races, and fuzzed
# (docs/hardening.md). Each target installs what it needs with scripts/deps.sh check.
#
#   make check-sanitize   the tests and every scenario but the runtime boundaries (quick, small
#                         frame) under AddressSanitizer
#                         + UndefinedBehaviorSanitizer; the thread scenario (when there is one),
#                         inproc and the tests under ThreadSanitizer
#   make check-valgrind   the same scenarios (quick, small frame) under memcheck: no error, no
#                         leak (the Rust producer's rows of inproc included)
#   make fuzz             every libFuzzer target tests/fuzz/fuzz_*.c for FUZZ_SECONDS each,
#                         starting from its committed corpus tests/fuzz/corpus/NAME/
#
# Variables: CHECK_FRAME=WxH (256x256), FUZZ_SECONDS=N (30).

CHECK_FRAME ?= 256x256
CHECK_ARGS = --quick --quiet --frame $(CHECK_FRAME) --benchmark_min_time=0.001 \
             --benchmark_repetitions=2
CHECK_OUT = $(BUILD)/check
# The runtime boundaries (RUNTIME_SCENARIOS) are left out: a sanitizer's runtime and memcheck
# do not host a JVM or CPython here (docs/hardening.md); their own tests run in make test.
CHECK_SCENARIOS = $(CORE_SCENARIOS)
# TSAN_SCENARIOS: each boundary that wants ThreadSanitizer says so in its boundary.mk.

SANITIZER_ENV = ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1 \
                UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
                TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

# The program's own malloc (the counting allocator) stays in place and forwards to libc's,
# which memcheck replaces: the counting path is checked too, and every block is still seen.
VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full \
           --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
           --soname-synonyms=somalloc=nouserintercepts --trace-children=yes

.PHONY: check-deps check-scenarios check-sanitize check-valgrind fuzz

check-deps:
	@scripts/deps.sh check

# Every scenario in CHECK_SCENARIOS once, under CHECK_RUN (a wrapper command, or nothing).
check-scenarios: all
	@mkdir -p $(CHECK_OUT)
	@set -e; for s in $(CHECK_SCENARIOS); do \
		echo "== $(CHECK_LABEL) $$s $(CHECK_FRAME)"; \
		if ! $(CHECK_RUN) $(BUILD)/bin/$$s $(CHECK_ARGS) --out $(CHECK_OUT)/$$s.json \
			>$(CHECK_OUT)/$$s.log 2>&1; then \
			cat $(CHECK_OUT)/$$s.log; \
			echo "$(CHECK_LABEL): $$s failed (log: $(CHECK_OUT)/$$s.log)" >&2; exit 1; \
		fi; \
	done

check-sanitize: check-deps
	@$(SANITIZER_ENV) $(MAKE) --no-print-directory SANITIZE=address,undefined \
		CHECK_LABEL=asan+ubsan test check-scenarios
	@$(SANITIZER_ENV) $(MAKE) --no-print-directory SANITIZE=thread CHECK_LABEL=tsan \
		CHECK_SCENARIOS="$(TSAN_SCENARIOS)" test check-scenarios

check-valgrind: check-deps
	@$(MAKE) --no-print-directory CHECK_LABEL=memcheck CHECK_RUN="$(VALGRIND)" check-scenarios

# --- fuzzing: clang's libFuzzer, the library's C files built again by clang ------------------
FUZZ_SECONDS ?= 30
FUZZ_CC = clang
FUZZ_BUILD = build-fuzz
FUZZ_FLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
             -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -std=c17 -D_GNU_SOURCE $(INCLUDES) -Itools/zcgate $(PKG_CFLAGS)
FUZZ_TARGETS = $(sort $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.c))))
FUZZ_BINS = $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/%)
# Library objects and the gate's loader: instrumented for coverage (fuzzer-no-link), no
# counting hooks. The gate's sources are named here: gate.mk's GATE_SRC is read after this
# file, too late for the archive's prerequisites.
FUZZ_GATE_SRC = $(filter-out tools/zcgate/main.c tools/zcgate/test_%.c,$(wildcard tools/zcgate/*.c))
FUZZ_LIB_OBJ = $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(LIB_SRC) $(FUZZ_GATE_SRC))

$(FUZZ_BUILD)/obj/%.o: %.c | check-deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -g -O1 -fno-omit-frame-pointer \
		-fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/libzcbench.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_BUILD)/libzcbench.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_FLAGS) $< -o $@ $(FUZZ_BUILD)/libzcbench.a $(PKG_LIBS) -lm

# Each target: FUZZ_SECONDS from the committed corpus; new inputs go to $(FUZZ_BUILD)/corpus,
# a crash to $(FUZZ_BUILD)/crash-NAME-*. The closing line of each run: "Done N runs in S s".
fuzz: $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
		echo "== fuzz $$t $(FUZZ_SECONDS) s"; \
		if ! $(FUZZ_BUILD)/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix=$(FUZZ_BUILD)/crash-$$t- \
			$(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t >$(FUZZ_BUILD)/$$t.log 2>&1; then \
			tail -n 60 $(FUZZ_BUILD)/$$t.log; echo "fuzz: $$t found a crash" >&2; exit 1; \
		fi; \
		grep -E '^Done [0-9]+ runs' $(FUZZ_BUILD)/$$t.log | sed "s/^/$$t: /"; \
	done

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)
