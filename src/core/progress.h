/*
 * progress.h: what a scenario run is doing, on stderr while it runs. On a terminal one line,
 * rewritten in place: the scenario, the strategy, the measuring process i of N, the time so
 * far and an estimate of what is left. Elsewhere (a CI log, a file) one plain line per
 * strategy as it finishes. Nothing with --quiet. The summary table goes to stdout, apart.
 */
#ifndef ZC_PROGRESS_H
#define ZC_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

struct zc_progress {
	FILE *f;              /* NULL: silent */
	bool in_place;        /* a terminal: one line rewritten */
	const char *scenario;
	size_t units, started; /* measuring processes in the whole run, and started so far */
	double start, strategy_start;
};

/* Starts the progress of scenario's run of units measuring processes (f NULL: silent). */
void zc_progress_start(struct zc_progress *p, FILE *f, const char *scenario, size_t units);

/* The measuring process i (from 1) of n of strategy is starting. */
void zc_progress_process(struct zc_progress *p, const char *strategy, long i, long n);

/* Strategy is measured (ok false: it failed; the error follows elsewhere). */
void zc_progress_strategy_done(struct zc_progress *p, const char *strategy, long n, bool ok);

/* The run is over: the in-place line is cleared. */
void zc_progress_end(struct zc_progress *p);

#endif
