/*
 * pybind11_strategies.h: the strategies of the pybind11 boundary: a frame from the producer
 * library handed to Python code by a pybind11 module, as py::bytes, a py::array_t with a
 * py::capsule owner, a py::memoryview, a std::vector (a list) or a buffer-protocol class.
 */
#ifndef ZC_PYBIND11_STRATEGIES_H
#define ZC_PYBIND11_STRATEGIES_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "results.h"
#include "strategy.h"

/*
 * Loads the producer library the strategies run on, beside the program
 * (../lib/libzcproducer.so); it stays loaded until zc_pybind11_close. 0, or -1 with the
 * reason in err (ZC_EXIT_RUNTIME).
 */
int zc_pybind11_open(struct zc_error *err);
void zc_pybind11_close(void);

/* The strategies in the order they are reported. */
const struct zc_strategy *const *zc_pybind11_strategies(size_t *n);

/*
 * Readies this process for the strategies: starts the interpreter (bridge.h) and runs each
 * strategy's path once on a small frame, so that what the runtime, numpy and pybind11
 * allocate once and keep (types, caches, numpy's C API) is allocated before anything is
 * counted. Once per process; setup calls it too. 0, or -1 with err.
 */
int zc_pybind11_prepare(struct zc_error *err);

/* The figures the table cannot show (frames given back, the consumer's objects), after it. */
void zc_pybind11_report(const struct zc_results *r, FILE *f);

#endif
