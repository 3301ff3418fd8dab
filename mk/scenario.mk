# scenario.mk: SCENARIO=NAME[,NAME...] picks the scenarios `make bench` runs (default: all of
# them). A name that is not a scenario, or a list that names none (SCENARIO=,), stops make
# before anything runs: one line that lists the valid names, exit status 2.
BENCH_SCENARIOS = $(if $(SCENARIO),$(subst $(comma), ,$(SCENARIO)),$(SCENARIOS))

unknown_scenarios := $(filter-out $(SCENARIOS),$(subst $(comma), ,$(SCENARIO)))
ifneq ($(unknown_scenarios),)
$(error unknown scenario '$(firstword $(unknown_scenarios))' (valid: $(SCENARIOS)))
endif
ifneq ($(strip $(SCENARIO)),)
ifeq ($(strip $(subst $(comma), ,$(SCENARIO))),)
$(error SCENARIO='$(SCENARIO)' names no scenario (valid: $(SCENARIOS)))
endif
endif
