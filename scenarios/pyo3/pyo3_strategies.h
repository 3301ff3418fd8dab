/*
 * pyo3_strategies.h: the strategies of the pyo3 boundary: a frame of the Rust producer handed
 * to Python code by a module written with pyo3 0.17, as bytes (PyBytes::new,
 * PyBytes::new_with), a returned Vec<u8> (a list) or a #[pyclass] exporting its buffer.
 */
#ifndef ZC_PYO3_STRATEGIES_H
#define ZC_PYO3_STRATEGIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "frame.h"
#include "results.h"
#include "strategy.h"

/*
 * Loads the Rust producer library the strategies run on, beside the program
 * (../lib/libzcproducer_rust.so); it stays loaded until zc_pyo3_close. 0, or -1 with the
 * reason in err (ZC_EXIT_RUNTIME).
 */
int zc_pyo3_open(struct zc_error *err);
void zc_pyo3_close(void);

/* The strategies in the order they are reported. */
const struct zc_strategy *const *zc_pyo3_strategies(size_t *n);

/*
 * Whether the selected strategies can hold frames of g in this process's address space
 * (ulimit -v): Vec_u8's list takes eight bytes of references for every byte of the frame,
 * beside the frame and its Vec. 0, or -1 with err (ZC_EXIT_NOMEM, as any run that the limit
 * leaves without memory) naming what does not fit.
 */
int zc_pyo3_check_frame(const struct zc_frame_geom *g, const bool *selected,
			struct zc_error *err);

/*
 * Readies this process for the strategies: starts the interpreter (runtime.h) and runs each
 * strategy's path once on a small frame, so that what CPython and pyo3 allocate once and
 * keep (types, pyo3's pools) is allocated before anything is counted. Once per process;
 * setup calls it too. 0, or -1 with err.
 */
int zc_pyo3_prepare(struct zc_error *err);

/* The figures the table cannot show (frames given back, the consumer's objects), after it. */
void zc_pyo3_report(const struct zc_results *r, FILE *f);

#endif
