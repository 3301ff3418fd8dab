# gate.mk: the CI regression gate (docs/gate.md).
#
# Targets:
#   make gate          the working tree (head) against a base revision, both built and run here,
#                      interleaved in rounds until each row is decided (scripts/gate.sh,
#                      scripts/gate-ab.sh): timing A/B, and
#                      the exact figures (verdicts, copies, allocations, leaks) also against
#                      the committed baseline; writes $(BUILD)/gate-run.md and .json
#   make baseline      run the quick suite and write results/baseline/; commit it after the
#                      code it measured (the exact figures are gated against it)
#   make gate-power    the gate's false alarms and power: RUNS A/A gates, and RUNS gates of a
#                      head that makes the POWER_STRATEGY strategies (default copy_into,
#                      byte_array, pipe: a fast one, a runtime's, a cross-process one) slower
#                      by each of POWER_SLOWDOWNS percent
#
# Variables:
#   BASE=REV            the base revision (default: the merge base with the upstream branch
#                       when HEAD is ahead of it, else HEAD's parent; docs/gate.md)
#   GATE_MIN_ROUNDS=N   the screen: rounds (measuring processes a side) every row gets (default 3)
#   GATE_MAX_ROUNDS=N   rounds a suspect, a row slower by more than half the threshold at the
#                       screen's end, can get (default 32)
#   GATE_BUDGET=S       no new round after S seconds of measuring (default 240)
#   GATE_LATER_PROCESSES=K  processes a row gets per round after the first look (default 1)
#   GATE_THRESHOLD=N    the timing threshold in percent (default 15: docs/gate.md, "Is it any good?")
#   GATE_VERBOSE=1      print every row compared, not only those that did not pass
#   GATE_ARGS=...       more zcgate options: --alpha 0.01, --allow-missing,
#                       --export-github-action-benchmark FILE
#   SCENARIO=a,b        gate only these scenarios
#   GATE_BASELINE=DIR   the committed baseline (default results/baseline)

# --- the wing: tools/zcgate/ -> build/bin/zcgate; its comparison and loader are also
# build/lib/libzcgate.a, for the tests and the results fuzzer. No scenario links it. Its tests
# (test_*.c, e2e_*.sh, fixtures/) live beside it; the Makefile and tests/run.sh find them.
GATE_SRC = $(filter-out tools/zcgate/main.c tools/zcgate/test_%.c,$(wildcard tools/zcgate/*.c))
GATE_OBJ = $(GATE_SRC:%.c=$(BUILD)/obj/%.o)
$(BUILD)/obj/tools/zcgate/%.o: private ALL_CFLAGS += -Itools/zcgate

$(BUILD)/lib/libzcgate.a: $(GATE_OBJ)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/zcgate: $(BUILD)/obj/tools/zcgate/main.o $(BUILD)/lib/libzcgate.a $(BUILD)/lib/libzcbench.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) $< -o $@ $(BUILD)/lib/libzcgate.a $(BUILD)/lib/libzcbench.a \
		$(PKG_LIBS) -lstdc++ -lm -ldl -lpthread

# --- running the gate ------------------------------------------------------------------------
GATE_BASELINE ?= results/baseline
GATE_RUN = $(BUILD)/gate-run
GATE_MIN_ROUNDS ?= 3
GATE_MAX_ROUNDS ?= 32
GATE_BUDGET ?= 240
GATE_LATER_PROCESSES ?= 1
GATE_THRESHOLD ?= 15
GATE_ARGS ?=
BASE ?=
GATE_ENV = GATE_MIN_ROUNDS='$(GATE_MIN_ROUNDS)' GATE_MAX_ROUNDS='$(GATE_MAX_ROUNDS)' \
	GATE_BUDGET='$(GATE_BUDGET)' GATE_THRESHOLD='$(GATE_THRESHOLD)' \
	GATE_LATER_PROCESSES='$(GATE_LATER_PROCESSES)'

.PHONY: baseline gate gate-power

baseline:
	rm -rf $(GATE_BASELINE)
	$(MAKE) bench QUICK=1 REPORT=0 RESULTS=$(GATE_BASELINE)

gate: all
	@BASE='$(BASE)' $(GATE_ENV) GATE_SCENARIOS='$(if $(SCENARIO),$(BENCH_SCENARIOS))' \
		scripts/gate.sh $(BUILD) $(GATE_BASELINE) $(GATE_RUN) \
		--threshold $(GATE_THRESHOLD) $(if $(filter 1,$(GATE_VERBOSE)),--all) $(GATE_ARGS)

# The slowed-down head: a build of the working tree with the test-only knob of src/core/measure.c.
POWER_STRATEGY ?= copy_into,byte_array,pipe
POWER_SLOWDOWNS ?= 10 25 50
RUNS ?= 10
AA_RUNS ?= $(RUNS)
gate-power: all
	@BUILD=$(BUILD) RUNS=$(RUNS) AA_RUNS=$(AA_RUNS) POWER_STRATEGY=$(POWER_STRATEGY) \
		POWER_SLOWDOWNS='$(POWER_SLOWDOWNS)' BASE='$(BASE)' $(GATE_ENV) \
		GATE_SCENARIOS='$(if $(SCENARIO),$(BENCH_SCENARIOS))' \
		scripts/gate-power.sh
