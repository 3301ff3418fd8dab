/*
 * rawjson.h: Google Benchmark's own JSON for a whole scenario run. Each strategy is measured
 * in its own process, which writes its part; the parts are merged into one file in Google
 * Benchmark's format (context + benchmarks), for compare.py and other readers of that format.
 */
#ifndef ZC_RAWJSON_H
#define ZC_RAWJSON_H

#include <stddef.h>

#include "error.h"

/*
 * Merges the n part files into path (atomically) and removes them. Parts that do not exist
 * (a strategy left out by --benchmark_filter) are skipped. Returns 0, or -1 with the reason
 * in err: ZC_EXIT_RUNTIME for a part that is not Google Benchmark's JSON, else
 * zc_json_write_atomic's.
 */
int zc_raw_merge(char *const parts[], size_t n, const char *path, struct zc_error *err);

/*
 * How the Google Benchmark library itself was built, as its JSON says (context.
 * library_build_type): "debug" or "release" from the first part that has it, else NULL.
 * The result is a string constant.
 */
const char *zc_raw_library_build(char *const parts[], size_t n);

#endif
