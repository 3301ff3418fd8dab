/*
 * python_rows.h: what the Python family's strategies share (python, cffi, dlpack, pyo3,
 * pybind11): the producer library their rows run on, the warm-up each measuring process runs
 * before it counts anything, through the strategies' own hooks, and the report's line of the
 * frames a consumer took and gave back.
 */
#ifndef ZC_PYTHON_ROWS_H
#define ZC_PYTHON_ROWS_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "producer_api.h"
#include "results.h"
#include "strategy.h"

/*
 * Loads the producer library at rel beside the program ("../lib/libzcproducer.so") and fills
 * api from it; *library is its handle, for zc_python_close_producer. 0, or -1 with the reason
 * in err.
 */
int zc_python_open_producer(const char *rel, struct zc_producer_api *api, void **library,
			    struct zc_error *err);

/* Unloads *library, if loaded, and forgets it. */
void zc_python_close_producer(void **library);

/*
 * Once per process: each of the n strategies in all sets up on g (a small frame), makes one
 * rendered transfer, has its probe read a byte and tears down, so that what the interpreter
 * and the bridge allocate the first time a path runs is not counted. Later calls, and a
 * strategy's setup that comes back here while it runs, return the first call's result: 0, or
 * -1 with err ("warming up NAME: why", the first strategy that failed). Every strategy has a
 * probe with read.
 */
int zc_python_warm_up(const struct zc_strategy *const *all, size_t n,
		      const struct zc_frame_geom *g, struct zc_error *err);

/*
 * One line per strategy whose extra holds an object named key: the consumer's object and the
 * frames taken, given back while taking, at the consumer's drop and later, and not given
 * back; or, where the object's boolean owns (the name of a member) is false, that the
 * producer keeps its frame. width is the strategies' column.
 */
void zc_python_report_frames(const struct zc_results *r, FILE *f, const char *key,
			     const char *owns, int width);

#endif
