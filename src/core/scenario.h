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

#include <stddef.h>
#include <stdio.h>

#include "option_table.h"
#include "results.h"
#include "strategy.h"

struct zc_scenario {
	const char *name;       /* "inproc": the program, the JSON file, the benchmark prefix */
	const char *summary;    /* one line for --help */
	const struct zc_strategy *const *strategies;
	size_t nstrategies;
	/*
	 * Optional: the boundary's own options, ended by an entry whose name is NULL; parsed
	 * with the shared ones (each writes its .value) and shown in --help after them.
	 */
	const struct zc_option *options;
	/* Optional: prints what the table cannot say, after it (the round trip's legs). */
	void (*report)(const struct zc_results *r, FILE *f);
};

int zc_scenario_main(const struct zc_scenario *sc, int argc, char **argv);

#endif
