# zcbench: was my frame copied or shared, and what did that cost?
#
# Targets:
#   make               build the library, the scenario programs and the tools under build/
#   make bench         run every scenario on the default frame, write results/*.json and the table
#   make test          build and run the unit and end-to-end tests (cmocka)
#   make test-busy     make test with every CPU kept busy (scripts/busy.sh), as CI runs it
#   make clean         remove build/
#   more targets live in mk/*.mk, one file per concern:
#     report.mk   make report, make sweep, make check-report (charts and reports)
#     gate.mk     make baseline, make gate (the CI regression gate)
#     zctrace.mk  make zctrace, make zctrace-bench (find the copies in any program)
#
# Variables:
#   FRAME=WxH          frame size for bench (default 1920x1080)
#   QUICK=1            short runs (CI)
#   VERBOSE=1          bench: Google Benchmark's own output and the evidence lines too
#   SCENARIO=a,b       bench only these scenarios (default: all; mk/scenario.mk)
#   SANITIZE=address,undefined   sanitizer build, in its own build directory
#   CI=true            warnings become errors
#   COUNTING=0         build without the counting allocator (build-nocount/), to measure its cost
#   CFLAGS, LDFLAGS    added after the project's own flags
#   OPT                optimisation and debug flags (default -O2 -g)

CC  = gcc
CXX = g++
OPT ?= -O2 -g

WARN = -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wundef -Wpointer-arith \
       -Wcast-align -Wwrite-strings -Wvla -Wstrict-prototypes -Wmissing-prototypes \
       -Wold-style-definition -Wnull-dereference -Wdouble-promotion
CXXWARN = -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wundef -Wpointer-arith

ifeq ($(CI),true)
WERROR = -Werror
endif

comma := ,
ifeq ($(COUNTING),0)
BUILD ?= build-nocount
endif
ifneq ($(SANITIZE),)
BUILD ?= build-$(subst $(comma),-,$(SANITIZE))
SANFLAGS = -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
BUILD ?= build

# Package flags are expanded when a recipe runs, after scripts/deps.sh had its chance to install.
PKGS = benchmark jansson
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))

BUILD_TYPE = $(if $(SANITIZE),sanitize:$(SANITIZE),$(if $(filter -O0,$(OPT)),debug,release))
# The library's folders (src/README.md); a boundary's own folder and a wing's are added only
# to their own objects, so the core cannot include them.
LIB_DIRS = src/core src/results src/instrument src/util
INCLUDES = $(addprefix -I,$(LIB_DIRS)) -Ibench
ALL_CFLAGS = -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) $(WERROR) $(SANFLAGS) -fPIC -MMD -MP \
             $(INCLUDES) $(PKG_CFLAGS) $(CFLAGS) -DZC_BUILD_TYPE='"$(BUILD_TYPE)"'
ALL_CXXFLAGS = -std=c++17 $(OPT) $(CXXWARN) $(WERROR) $(SANFLAGS) -fPIC -MMD -MP \
               -Ibench $(PKG_CFLAGS) $(CXXFLAGS) \
               -DZC_GBENCH_VERSION='"$(shell pkg-config --modversion benchmark)"'
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
# -rdynamic exports the counting allocator and copy hooks so that the producer libraries loaded
# with dlopen resolve malloc and memcpy to them too.
PROG_LDFLAGS = $(ALL_LDFLAGS) -rdynamic
PROG_LIBS = $(HOOKS_OBJ) $(BUILD)/lib/libzcbench.a $(PKG_LIBS) -lstdc++ -lm -ldl -lpthread
# The counting allocator and copy witness: in every scenario program and test, never in the
# library (a fuzzer's or sanitizer's own malloc must not meet a second definition).
HOOKS_OBJ = $(if $(filter 0,$(COUNTING)),,$(BUILD)/obj/src/instrument/hooks/counting_hooks.o)
# The same hooks, their counting sink and the frame's recogniser, as a library to preload into
# programs a measuring process starts with exec (src/core/follow.c) and into node (node,
# node_addon_api): they count
# in its counting group (src/instrument/group.h). Not in sanitizer builds (a sanitizer's
# runtime must come first in a program) nor without the hooks.
HOOKS_LIB = $(if $(SANITIZE)$(filter 0,$(COUNTING)),,$(BUILD)/lib/libzchooks.so)
$(BUILD)/lib/libzchooks.so: $(BUILD)/obj/src/instrument/hooks/counting_hooks.o \
		$(addprefix $(BUILD)/obj/src/instrument/,counting_sink.o instrument.o provenance.o \
		vanish.o group.o) $(BUILD)/obj/src/core/frame.o $(BUILD)/obj/src/util/error.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -shared -Wl,-z,now $^ -o $@ -ldl -lpthread

# The library: every C file one level under src/ (src/instrument/hooks/ is linked apart).
LIB_SRC = $(wildcard $(addsuffix /*.c,$(LIB_DIRS)))
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/bench/gbench.o
# A boundary is a folder scenarios/NAME/ with a main.c (docs/adding-a-boundary.md).
SCENARIOS = $(sort $(patsubst scenarios/%/main.c,%,$(wildcard scenarios/*/main.c)))
# A boundary's boundary.mk adds to the lists below (read here, before any rule uses them).
# A runtime boundary (a real Python, JVM or Node.js in the process) is built only where its
# runtime is installed: RUNTIME_SCENARIOS names them, NAME_PRESENT is the shell test that its
# runtime is there with all it wants (else scripts/deps.sh installs NAME_PACKAGES), and
# NAME_BUILDABLE the test that it can be built (default: NAME_PRESENT; a runtime without an
# optional module still builds); NAME_LIBS is what its program links; NAME_FETCH, if any, a
# file the runtimes step makes before deciding (a package of another registry's: npm's
# node-addon-api), tried once per build directory when it fails. Sanitizer builds leave
# them out (docs/hardening.md).
RUNTIME_SCENARIOS =
# A boundary built on a real bridge someone else maintains (pybind11, node-addon-api...) adds
# itself to BRIDGE_SCENARIOS: make bench writes their table, results/bridges.md
# (scripts/bridges.sh), the README's "What your bridge does".
BRIDGE_SCENARIOS =
.DEFAULT_GOAL := all # a boundary.mk's rules come first: plain make still means make all
-include $(wildcard scenarios/*/boundary.mk)
RUNTIMES_PRESENT = $(if $(SANITIZE),,$(foreach r,$(filter $(SCENARIOS),$(RUNTIME_SCENARIOS)),$(if $(shell \
	{ $(or $($(r)_BUILDABLE),$($(r)_PRESENT)); } >/dev/null 2>&1 && echo y),$(r))))
CORE_SCENARIOS = $(filter-out $(RUNTIME_SCENARIOS),$(SCENARIOS))
SCENARIO_BINS = $(CORE_SCENARIOS:%=$(BUILD)/bin/%)
# The producer libraries: one per scenarios/producers/*.c, and the Rust cdylib.
PRODUCER_LIBS = $(patsubst scenarios/producers/%.c,$(BUILD)/lib/lib%.so,$(wildcard scenarios/producers/*.c)) \
	$(BUILD)/lib/libzcproducer_rust.so
# A wing is a folder tools/NAME/ with a main.c; its rules are in mk/NAME.mk.
TOOLS = $(sort $(patsubst tools/%/main.c,%,$(wildcard tools/*/main.c)))
TOOL_BINS = $(TOOLS:%=$(BUILD)/bin/%)
# Tests: tests/test_*.c (the library), tools/NAME/test_*.c (a wing) and scenarios/NAME/test_*.c
# (a boundary): each lives beside what it tests.
LIB_TESTS = $(sort $(basename $(notdir $(wildcard tests/test_*.c))))
TOOL_TESTS = $(sort $(basename $(notdir $(wildcard tools/*/test_*.c))))
SCENARIO_TESTS = $(sort $(basename $(notdir $(wildcard $(addprefix scenarios/,\
	$(addsuffix /test_*.c,$(CORE_SCENARIOS) $(RUNTIMES_PRESENT)))))))
TEST_BINS = $(addprefix $(BUILD)/tests/,$(LIB_TESTS) $(TOOL_TESTS) $(SCENARIO_TESTS))
TEST_SUPPORT = $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out tests/test_%.c,$(wildcard tests/*.c)))
TEST_LIBS = $(shell pkg-config --libs cmocka)
# The wings the library tests reach into: the gate's comparison and loader (libzcgate.a).
WING_INCLUDES = -Itools/zcgate -Itools/zctrace
WING_LIBS = $(BUILD)/lib/libzcgate.a

FRAME ?= 1920x1080
BENCH_ARGS = --frame $(FRAME) $(if $(filter 1,$(QUICK)),--quick) \
	$(if $(filter 1,$(VERBOSE)),--verbose) $(ARGS)
RESULTS = results

.PHONY: all bench test test-busy clean deps FORCE
all: $(SCENARIO_BINS) $(PRODUCER_LIBS) $(TOOL_BINS) $(HOOKS_LIB) runtimes
	@touch $(BUILD)/.built # sources newer than this: make bench says it is rebuilding

# --- dependencies: installed by the project's script when pkg-config cannot find them -------
$(BUILD)/.deps-ok: scripts/deps.sh
	@mkdir -p $(@D)
	@scripts/deps.sh build
	@touch $@
deps: $(BUILD)/.deps-ok

# A runtime's packages are tried once per build directory (a machine without them, or without
# the network, is not asked again until make clean); one line names what could not be had.
# Then a second make, which sees what is installed now, builds the runtime boundaries present.
.PHONY: runtimes runtime-bins
runtimes: $(BUILD)/.deps-ok
	@mkdir -p $(BUILD)/runtimes
	@$(foreach r,$(if $(SANITIZE),,$(RUNTIME_SCENARIOS)),[ -e $(BUILD)/runtimes/$(r).tried ] || \
		{ $($(r)_PRESENT); } >/dev/null 2>&1 || \
		{ touch $(BUILD)/runtimes/$(r).tried; \
		  scripts/deps.sh runtime $($(r)_PACKAGES) 2>$(BUILD)/runtimes/$(r).log || \
		  echo "$(r): could not install $($(r)_PACKAGES) ($(BUILD)/runtimes/$(r).log)" \
		       >$(BUILD)/runtimes/$(r).skipped; };)
	@$(foreach r,$(if $(SANITIZE),,$(RUNTIME_SCENARIOS)),$(if $($(r)_FETCH),\
		[ -e $(BUILD)/runtimes/$(r).fetch-tried ] || \
		$(MAKE) --no-print-directory $($(r)_FETCH) >$(BUILD)/runtimes/$(r).fetch.log 2>&1 || \
		touch $(BUILD)/runtimes/$(r).fetch-tried;))
	@$(MAKE) --no-print-directory $(if $(filter bench,$(MAKECMDGOALS)),-s) runtime-bins
runtime-bins: $(RUNTIMES_PRESENT:%=$(BUILD)/bin/%)
	@mkdir -p $(BUILD)/runtimes
	@$(foreach r,$(if $(SANITIZE),,$(filter-out $(RUNTIMES_PRESENT),$(RUNTIME_SCENARIOS))),\
		{ if [ -e $(BUILD)/runtimes/$(r).fetch-tried ] && { $($(r)_PRESENT); } >/dev/null 2>&1; \
		  then echo "$(r): skipped, $($(r)_FETCH) could not be made" \
		       "($(BUILD)/runtimes/$(r).fetch.log)"; \
		  else echo "$(r): skipped, its runtime is not installed (Debian packages:" \
		       "$($(r)_PACKAGES))"; fi; } | tee $(BUILD)/runtimes/$(r).skipped;)
	@$(foreach r,$(if $(SANITIZE),$(RUNTIME_SCENARIOS)),\
		echo "$(r): skipped, a runtime boundary is not built with sanitizers (mk/check.mk)" \
		     >$(BUILD)/runtimes/$(r).skipped;)

# --- objects rebuild when the flags change (git's GIT-CFLAGS trick) --------------------------
$(BUILD)/.flags: FORCE | $(BUILD)/.deps-ok
	@echo '$(ALL_CFLAGS) $(ALL_CXXFLAGS) $(PROG_LDFLAGS)' | cmp -s - $@ || \
		echo '$(ALL_CFLAGS) $(ALL_CXXFLAGS) $(PROG_LDFLAGS)' > $@

$(BUILD)/obj/%.o: %.c $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.cc $(BUILD)/.flags
	@mkdir -p $(@D)
	$(CXX) $(ALL_CXXFLAGS) -c $< -o $@

# Only context.o knows the commit; it rebuilds when HEAD moves, nothing else does.
GIT_COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
$(BUILD)/.commit: FORCE
	@mkdir -p $(@D)
	@echo '$(GIT_COMMIT)' | cmp -s - $@ || echo '$(GIT_COMMIT)' > $@
$(BUILD)/obj/src/core/context.o: $(BUILD)/.commit
$(BUILD)/obj/src/core/context.o: private ALL_CFLAGS += -DZC_GIT_COMMIT='"$(GIT_COMMIT)"'

# gcc must not turn the hooks' fallback byte loop into a call to the memcpy it defines.
$(BUILD)/obj/src/instrument/hooks/counting_hooks.o: private ALL_CFLAGS += -fno-builtin -fno-tree-loop-distribute-patterns

$(BUILD)/lib/libzcbench.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

# --- boundaries: scenarios/NAME/ -> build/bin/NAME ----------------------------------------
# main.c is the program; the folder's other C files (strategies, mechanism) are its archive,
# which its tests (scenarios/NAME/test_*.c) link too. A folder's adversarial_*.c holds
# test-only strategies, built only under -DZCBENCH_ADVERSARIAL (tests/e2e_adversarial.sh). A folder's boundary.mk, if any, adds
# to the lists the checks read (TSAN_SCENARIOS).
$(BUILD)/obj/scenarios/%.o: private ALL_CFLAGS += -Iscenarios/producers
TEST_ONLY_SRC = $(if $(findstring -DZCBENCH_ADVERSARIAL,$(CFLAGS)),,$(wildcard scenarios/*/adversarial_*.c))
define boundary_rules
$(1)_OBJ = $$(patsubst %.c,$$(BUILD)/obj/%.o,$$(filter-out scenarios/$(1)/main.c scenarios/$(1)/test_%.c $$(TEST_ONLY_SRC),$$(wildcard scenarios/$(1)/*.c)))
$$(BUILD)/obj/scenarios/$(1)/%.o: private ALL_CFLAGS += -Iscenarios/$(1) -Itests
$$(BUILD)/lib/scenario-$(1).a: $$($(1)_OBJ)
	@mkdir -p $$(@D)
	@rm -f $$@
	$$(AR) rcs $$@ $$^
$$(BUILD)/bin/$(1): $$(BUILD)/obj/scenarios/$(1)/main.o $$(BUILD)/lib/scenario-$(1).a $$(HOOKS_OBJ) \
		$$(BUILD)/lib/libzcbench.a | $$(PRODUCER_LIBS)
	@mkdir -p $$(@D)
	$$(CC) $$(PROG_LDFLAGS) $$< $$(BUILD)/lib/scenario-$(1).a -o $$@ $$(PROG_LIBS) $$($(1)_LIBS)
$$(foreach t,$$(basename $$(notdir $$(wildcard scenarios/$(1)/test_*.c))),\
	$$(eval $$(BUILD)/tests/$$(t): $$(BUILD)/obj/scenarios/$(1)/$$(t).o $$(BUILD)/lib/scenario-$(1).a))
endef
$(foreach b,$(SCENARIOS),$(eval $(call boundary_rules,$(b))))

# A producer library stands for the other language's side of the boundary (a Rust cdylib, say).
# frame.c records its errors with error.c: both go in.
$(BUILD)/lib/lib%.so: $(BUILD)/obj/scenarios/producers/%.o $(BUILD)/obj/src/core/frame.o \
		$(BUILD)/obj/src/util/error.o
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -shared $^ -o $@

# The Rust producer (scenarios/producers/rust/): a cdylib that cargo builds offline into
# $(BUILD)/cargo, std only; the library the scenarios load is copied beside the C one.
RUST_PRODUCER_SRC = $(wildcard scenarios/producers/rust/src/*.rs) \
	scenarios/producers/rust/Cargo.toml scenarios/producers/rust/Cargo.lock
$(BUILD)/lib/libzcproducer_rust.so: $(RUST_PRODUCER_SRC) | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	cargo build --release --offline --locked --quiet \
		--manifest-path scenarios/producers/rust/Cargo.toml --target-dir $(BUILD)/cargo
	cp $(BUILD)/cargo/release/libzcproducer_rust.so $@

# --- tests: each links its own object, the folder's archive when it has one, the wings -------
$(BUILD)/obj/tests/%.o: private ALL_CFLAGS += -Itests $(WING_INCLUDES)
$(foreach t,$(LIB_TESTS),$(eval $(BUILD)/tests/$(t): $(BUILD)/obj/tests/$(t).o))
define tool_test_rules
$$(BUILD)/obj/$(1:.c=.o): private ALL_CFLAGS += -Itests $$(WING_INCLUDES)
$$(BUILD)/tests/$$(basename $$(notdir $(1))): $$(BUILD)/obj/$(1:.c=.o)
endef
$(foreach f,$(wildcard tools/*/test_*.c),$(eval $(call tool_test_rules,$(f))))
$(BUILD)/tests/%: $(TEST_SUPPORT) $(HOOKS_OBJ) $(WING_LIBS) $(BUILD)/lib/libzcbench.a
	@mkdir -p $(@D)
	$(CC) $(PROG_LDFLAGS) $(filter %.o %.a,$(filter-out $(TEST_SUPPORT) $(HOOKS_OBJ) \
		$(WING_LIBS) $(BUILD)/lib/libzcbench.a,$^)) $(TEST_SUPPORT) -o $@ $(WING_LIBS) \
		$(PROG_LIBS) $(TEST_LIBS)

# --- running ------------------------------------------------------------------------------
# make bench builds without echoing each compiler command (its warnings and errors still
# show): what it prints is the progress and the summary.
ifneq ($(filter bench,$(MAKECMDGOALS)),)
.SILENT:
# ... and builds on every CPU: the build is all that runs before the measuring (which runs one
# scenario at a time, in its own recipe). A first build from a clean clone: 2 min 12 s on one
# job, 1 min 45 s on two (2-core VM). Only when bench is the one goal: make test's targets
# must not run side by side.
ifeq ($(MAKECMDGOALS),bench)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 1)
endif
# ... so it says, before a build that takes a while, that it is building: not silent for a minute.
ifeq ($(wildcard $(BUILD)/lib/libzcbench.a),)
$(info building zcbench in $(BUILD)/ (a first build takes about 2 minutes), then measuring...)
else ifneq ($(shell find src scenarios bench tools -newer $(BUILD)/.built \
		\( -name '*.c' -o -name '*.h' -o -name '*.cc' \) 2>/dev/null | head -n 1),)
$(info rebuilding zcbench in $(BUILD)/ (sources changed), then measuring...)
endif
endif

# Each scenario shows its progress on stderr while it runs; the tables it prints at the end
# are gathered into $(RESULTS)/summary.txt and printed together, once all have run (or one
# failed: what ran is shown, then the failure's status). One run, one set: scripts/bench.sh
# gives every scenario the run's id and replaces the previous set only when all succeeded.
bench: all
	@scripts/bench.sh '$(BUILD)' '$(RESULTS)' '$(FRAME)' $(if $(filter 1,$(QUICK)),quick,full) \
		'$(BENCH_SCENARIOS)' $(BENCH_ARGS)
	@$(MAKE) --no-print-directory charts-and-report
	@echo "results: $(RESULTS)/<scenario>.json (docs/schema.md), $(RESULTS)/summary.txt, Google Benchmark's JSON in $(RESULTS)/raw/"

# A second make runs the tests: it sees the runtimes that make all has just installed.
.PHONY: test-run
test: all
	@$(MAKE) --no-print-directory test-run
test-run: $(TEST_BINS)
	@BUILD=$(BUILD) tests/run.sh $(TEST_BINS)
test-busy: all
	@scripts/busy.sh $(MAKE) --no-print-directory test-run

clean:
	rm -rf build build-*

FORCE:
# Objects made by pattern chains (tests) are kept, so that a second make does nothing.
.SECONDARY:

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
include $(sort $(wildcard mk/*.mk))
