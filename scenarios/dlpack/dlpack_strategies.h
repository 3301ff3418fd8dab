/*
 * dlpack_strategies.h: the strategies of the dlpack boundary: a frame of the producer library
 * exported as a DLPack tensor and taken by numpy in an embedded CPython, as a view
 * (numpy.from_dlpack) or copied out of it.
 */
#ifndef ZC_DLPACK_STRATEGIES_H
#define ZC_DLPACK_STRATEGIES_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "results.h"
#include "strategy.h"

/*
 * Loads the producer library the strategies run on, beside the program
 * (../lib/libzcproducer.so); it stays loaded until zc_dlpack_close. 0, or -1 with the reason
 * in err (ZC_EXIT_RUNTIME).
 */
int zc_dlpack_open(struct zc_error *err);
void zc_dlpack_close(void);

/* The strategies in the order they are reported. */
const struct zc_strategy *const *zc_dlpack_strategies(size_t *n);

/*
 * Readies this process for the strategies: starts the interpreter (runtime.h) and runs each
 * strategy's path once on a small frame, so that what CPython and numpy allocate once and
 * keep is allocated before anything is counted. Once per process; setup calls it too. 0, or
 * -1 with err.
 */
int zc_dlpack_prepare(struct zc_error *err);

/* The figures the table cannot show (deleter calls, the consumer's writes), after it. */
void zc_dlpack_report(const struct zc_results *r, FILE *f);

#endif
