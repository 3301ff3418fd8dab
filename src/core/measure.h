/*
 * measure.h: everything measured about one strategy, in the process that runs it: the
 * identity probe and validation, the Google Benchmark runs, the per-transfer counts of the
 * last repetition's timed loop, and the memory it held.
 */
#ifndef ZC_MEASURE_H
#define ZC_MEASURE_H

#include <stdbool.h>

#include "gbench.h"
#include "options.h"
#include "results.h"
#include "scenario.h"

/*
 * Measures strategy s of scenario sc into res (already named by zc_results_add; for a later
 * measuring process, holding what the first found, which skips the evidence pass). Returns 0,
 * or -1 with the reason in err, whose code is the exit status: ZC_EXIT_RUNTIME when the
 * strategy failed, ZC_EXIT_NOMEM when memory ran out.
 */
/*
 * How each row's benchmark is run: repetitions, the fixed transfers (--transfers) or the
 * minimum time, real time; 0 where the command line's --benchmark_* flag decides.
 */
struct zc_bench_settings zc_measure_settings(const struct zc_options *opt);

int zc_measure_strategy(const struct zc_scenario *sc, const struct zc_strategy *s,
			const struct zc_options *opt, struct zc_result *res, struct zc_error *err);

#endif
