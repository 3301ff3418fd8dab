/*
 * scenario.h: what a scenario program declares, and the one call that runs it.
 *
 * Each boundary (scenarios/NAME/) exports one struct zc_scenario, its descriptor; its main()
 * prepares what the strategies need (a producer library, say) and returns
 * zc_scenario_main(): options, validation, Google Benchmark runs, the table and the JSON are
 * the same for every scenario.
 */
#ifndef ZC_SCENARIO_H
#define ZC_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "option_table.h"
#include "options.h"
#include "results.h"
#include "strategy.h"

struct zc_scenario {
	const char *name;       /* "inproc": the program, the JSON file, the benchmark prefix */
	const char *summary;    /* one line for --help */
	const struct zc_strategy *const *strategies;
	size_t nstrategies;
	/*
	 * Optional, for a boundary between two threads or processes: its hand-over reference
	 * (reference_handover), the same port or channel carrying an empty message the way a
	 * transfer carries a frame. When set, it and every strategy are measured at each
	 * --placement (placement.h), each a row named NAME@PLACEMENT with time.vs_handover, its
	 * median over the reference's at the same placement.
	 */
	const struct zc_strategy *handover_reference;
	/*
	 * Optional: the boundary's own options, ended by an entry whose name is NULL; parsed
	 * with the shared ones (each writes its .value) and shown in --help after them.
	 */
	const struct zc_option *options;
	/*
	 * Optional: runs once the command line is parsed, before anything is listed or
	 * measured: checks the values of the boundary's own options, and may narrow the
	 * strategies selected (selected[i] for strategies[i]) so that an option can pick a
	 * family of rows (inproc's --producer). 0, or -1 with err (ZC_EXIT_USAGE for a bad
	 * value, or when no strategy is left).
	 */
	int (*configure)(bool *selected, size_t n, struct zc_error *err);
	/*
	 * Optional: runs first in every measuring process (reference_memcpy's too), before
	 * anything is counted or timed, to start what the strategies share for the life of the
	 * process: an interpreter, a JVM. What it allocates and keeps is then not counted as a
	 * strategy's (allocations.live_at_end). Never in the program's own process. 0, or -1
	 * with err: the measurement fails with that reason.
	 */
	int (*start)(const struct zc_options *opt, struct zc_error *err);
	/*
	 * Optional: measures strategy s in one measuring process of the scenario's own making,
	 * in place of a fork that runs the Google Benchmark harness (isolate.c): for a runtime
	 * whose event loop must run the timed loop (node). Fills res as that process would:
	 * samples (zc_result_set_samples), identity, counts, memory, extras. 0, or -1 with err.
	 */
	int (*measure)(const struct zc_strategy *s, const struct zc_options *opt,
		       struct zc_result *res, struct zc_error *err);
	/* Optional: prints what the table cannot say, after it (the round trip's legs). */
	void (*report)(const struct zc_results *r, FILE *f);
};

int zc_scenario_main(const struct zc_scenario *sc, int argc, char **argv);

/*
 * A run that failed: one line on stderr, "NAME: why", and under an address-space limit a
 * runtime failure also names the limit (zc_machine_address_limit_kib). Returns err's code,
 * the exit status.
 */
int zc_scenario_say_error(const struct zc_scenario *sc, const struct zc_error *err);

#endif
