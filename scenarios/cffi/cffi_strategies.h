/*
 * cffi_strategies.h: the strategies of the cffi boundary: Python code that drives the producer
 * library through cffi (ABI mode) and reads its frame as bytes (ffi.unpack, a slice of
 * ffi.buffer) or in place (ffi.buffer, over the producer's frame or over one it took).
 */
#ifndef ZC_CFFI_STRATEGIES_H
#define ZC_CFFI_STRATEGIES_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "results.h"
#include "strategy.h"

/*
 * Finds the producer library the Python consumer loads (../lib/libzcproducer.so beside the
 * program). 0, or -1 with the reason in err (ZC_EXIT_RUNTIME).
 */
int zc_cffi_open(struct zc_error *err);

/* The strategies in the order they are reported. */
const struct zc_strategy *const *zc_cffi_strategies(size_t *n);

/*
 * Readies this process for the strategies: starts the interpreter (runtime.h) and runs each
 * strategy's path once on a small frame, so that what CPython and cffi allocate once and keep
 * (the library loaded, cffi's types) is allocated before anything is counted. Once per
 * process; setup calls it too. 0, or -1 with err.
 */
int zc_cffi_prepare(struct zc_error *err);

/* The figures the table cannot show (frames given back, the consumer's objects), after it. */
void zc_cffi_report(const struct zc_results *r, FILE *f);

#endif
