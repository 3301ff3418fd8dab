/*
 * python_strategies.h: the strategies of the python boundary: a frame from the producer
 * library handed to a real CPython consumer as bytes, bytearray, a buffer-protocol object
 * seen through memoryview, or numpy arrays made from it.
 */
#ifndef ZC_PYTHON_STRATEGIES_H
#define ZC_PYTHON_STRATEGIES_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "producer_api.h"
#include "results.h"
#include "strategy.h"

/*
 * Loads the producer library the strategies run on, beside the program
 * (../lib/libzcproducer.so); it stays loaded until zc_python_close. 0, or -1 with the reason
 * in err (ZC_EXIT_RUNTIME).
 */
int zc_python_open(struct zc_error *err);
void zc_python_close(void);

/*
 * The strategies in the order they are reported: every one, or (with_numpy false) those
 * that need nothing but CPython.
 */
const struct zc_strategy *const *zc_python_strategies(bool with_numpy, size_t *n);

/* Whether strategy s needs numpy. */
bool zc_python_needs_numpy(const struct zc_strategy *s);

/*
 * Readies this process for the strategies: starts the interpreter (interp.h) and runs each
 * strategy's path once on a small frame, so that what the runtime allocates once and keeps
 * (caches, free lists, numpy's own) is allocated before anything is counted. Once per
 * process; setup calls it too. 0, or -1 with err.
 */
int zc_python_prepare(struct zc_error *err);

/* The figures the table cannot show (frames given back, collections), after it. */
void zc_python_report(const struct zc_results *r, FILE *f);

#endif
