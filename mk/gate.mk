# gate.mk: the CI regression gate, build/bin/zcgate (see the README, "Using the gate in CI").
#
# Targets:
#   make baseline   run the quick suite (QUICK=1) and write results/baseline/; commit the result
#   make gate       run the quick suite into $(BUILD)/gate-run and gate it against the baseline;
#                   fails on a regression (a timing one only if a second run confirms it),
#                   writes $(BUILD)/gate-run.md and .json for a CI job summary
#
# Variables:
#   GATE_BASELINE=DIR   the baseline (default results/baseline)
#   GATE_THRESHOLD=N    the timing threshold in percent (default 50 here, see below)
#   GATE_ARGS=...       more zcgate options, e.g. --alpha 0.01 --export-github-action-benchmark F
#                       (write files outside $(BUILD)/gate-run: every *.json there is read as results)

GATE_BASELINE ?= results/baseline
# The baseline is measured in three times as many processes as a gated run: one run of a
# build can sit 10-15% off another for the process strategies, and the baseline should hold
# that spread rather than one draw of it.
BASELINE_PROCESSES ?= 15
GATE_RUN = $(BUILD)/gate-run
GATE_ARGS ?=
# zcgate's own default is 10%. On a shared 2-core VM the strategies that page-fault on every
# transfer (serialize, round_trip) drifted by up to +37% against a baseline 20 minutes old,
# with the machine's copy speed unchanged: a CI gate on such machines only fails on slowdowns
# beyond that. Set GATE_THRESHOLD=10 on a quiet, dedicated runner.
GATE_THRESHOLD ?= 50

.PHONY: baseline gate

baseline:
	rm -rf $(GATE_BASELINE)
	$(MAKE) bench QUICK=1 REPORT=0 RESULTS=$(GATE_BASELINE) ARGS="--processes $(BASELINE_PROCESSES)"

# scripts/gate.sh confirms a timing regression with a second run before it fails the build.
gate: all
	@scripts/gate.sh $(BUILD) $(GATE_BASELINE) $(GATE_RUN) --threshold $(GATE_THRESHOLD) $(GATE_ARGS)
