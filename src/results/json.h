/*
 * json.h: results in the zcbench/1 schema (schema.h), and files written atomically.
 */
#ifndef ZC_JSON_H
#define ZC_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "error.h"
#include "results.h"
#include "schema.h"

/* The whole results document; NULL when out of memory. */
json_t *zc_results_to_json(const struct zc_results *r);

/*
 * Writes doc to path atomically (atomic_file.h: a temporary file in the same directory,
 * flushed and synced, then renamed over path). SIGINT and SIGTERM are held off meanwhile, so an interrupted run
 * leaves either the old file or the new one, and no temporary file. Returns 0, or -1 with the
 * reason in err (ZC_EXIT_USAGE: the output path cannot be written).
 */
int zc_json_write_atomic(const json_t *doc, const char *path, struct zc_error *err);

#endif
