/*
 * json.h: results in the zcbench/1 schema (schema.h), and files written atomically.
 */
#ifndef ZC_JSON_H
#define ZC_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "results.h"
#include "schema.h"

/* The whole results document; NULL when out of memory. */
json_t *zc_results_to_json(const struct zc_results *r);

/*
 * Writes doc to path atomically (atomic_file.h: a temporary file in the same directory,
 * flushed and synced, then renamed over path). SIGINT and SIGTERM are held off meanwhile, so an interrupted run
 * leaves either the old file or the new one, and no temporary file. Returns 0, or -1 with a
 * one-line reason in err.
 */
int zc_json_write_atomic(const json_t *doc, const char *path, char *err, size_t errlen);

/* Flushes a finished temporary file to the disk and renames it over path, signals blocked. */
int zc_rename_atomic(const char *tmp, const char *path, char *err, size_t errlen);

#endif
