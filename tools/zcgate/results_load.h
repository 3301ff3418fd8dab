/*
 * results_load.h: load and validate zcbench/1 results files, one file or a directory of them.
 *
 * A loaded set owns the parsed JSON.  Loading checks the structure and the type of every field a
 * consumer reads (a missing optional field is fine, a field of the wrong type is not), so code
 * that walks a loaded set can read fields without checking types again.  Every failure comes
 * with a one-line reason naming the file and the problem, in the form of git's messages.
 */
#ifndef ZC_RESULTS_LOAD_H
#define ZC_RESULTS_LOAD_H

#include <stddef.h>
#include <jansson.h>

#include "error.h"
#include "schema.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The only schema loaded: schema.h's, the one the writer writes. */
#define ZC_RESULTS_SCHEMA ZC_SCHEMA

/*
 * One table makes both the codes and their short descriptions. A loader error is a struct
 * zc_error (error.h) whose code is one of these; zcgate exits ZC_EXIT_USAGE on any of them.
 */
#define ZC_RESULTS_ERRNO_MAP(X)                                            \
	X(EMISSING, "cannot read the file or directory")                \
	X(EEMPTY, "empty file")                                         \
	X(ETRUNCATED, "truncated file")                                 \
	X(ENOTJSON, "not JSON")                                         \
	X(ESCHEMA, "wrong schema")                                      \
	X(ETYPE, "field of the wrong type")                             \
	X(EDUPLICATE, "the same result twice")                          \
	X(ENOFILES, "no results files in the directory")                \
	X(EFRAME, "different frame sizes")                              \
	X(ENOCOMMON, "no results in common")                            \
	X(ECONTEXT, "made in a different context")                      \
	X(EUNDERPOWERED, "too few measurements to detect a change")     \
	X(ENOMEM, "out of memory")

enum zc_results_errcode {
	ZC_RESULTS_OK = 0,
#define ZC_RESULTS__ENUM(name, text) ZC_RESULTS_##name,
	ZC_RESULTS_ERRNO_MAP(ZC_RESULTS__ENUM)
#undef ZC_RESULTS__ENUM
};

/* One results file as written by a scenario program. */
struct zc_results_file {
	char *path;
	json_t *root;		/* owned */
	const char *scenario;	/* points into root */
	json_int_t width;	/* frame size */
	json_int_t height;
};

/* Every results file found at one path. */
struct zc_results_set {
	char *path;
	struct zc_results_file *files;
	size_t nfiles;
};

/* The short description of @code, e.g. "truncated file". */
const char *zc_results_strerror(enum zc_results_errcode code);

/*
 * Load @path: a results file, or a directory whose `*.json` files are loaded in name order
 * (the `raw/` subdirectory, other directories and names starting with '.' are skipped).
 * Several files may hold results for one strategy (one file per measuring process): the
 * gate pools them; within one file a result appears once (EDUPLICATE).
 * Returns 0, or -1 with @set empty and @err filled in.  Release @set with zc_results_set_release().
 */
int zc_results_load(struct zc_results_set *set, const char *path, struct zc_error *err);

/* Load and validate one file.  Returns 0, or -1 with @file empty and @err filled in. */
int zc_results_load_file(struct zc_results_file *file, const char *path, struct zc_error *err);

/*
 * Parse and validate @len bytes at @buf (no NUL needed) as a results file called @name in
 * messages; for fuzzers and for data that is not in a file.  Same contract as zc_results_load_file().
 */
int zc_results_parse(struct zc_results_file *file, const char *name, const char *buf, size_t len,
		  struct zc_error *err);

/*
 * Check a parsed file: @file->root and @file->path set, the rest filled in on success.  Returns 0,
 * or -1 with ESCHEMA, ETYPE or EDUPLICATE in @err.
 */
int zc_results_validate(struct zc_results_file *file, struct zc_error *err);

void zc_results_set_release(struct zc_results_set *set);
void zc_results_file_release(struct zc_results_file *file);

/* The result for @scenario and @strategy in @file, or NULL. */
json_t *zc_results_lookup(const struct zc_results_file *file, const char *scenario, const char *strategy);

/* The scenario a result belongs to: its own "scenario" field, else its file's. */
const char *zc_results_scenario(const struct zc_results_file *file, const json_t *result);

/* The value at a dotted path inside a result ("copies.bytes_per_transfer"), or NULL. */
json_t *zc_results_field(const json_t *result, const char *dotted);

/* 0 when @a and @b hold frames of the same size, else -1 with EFRAME in @err. */
int zc_results_same_frame(const struct zc_results_file *a, const struct zc_results_file *b,
		       struct zc_error *err);

#ifdef __cplusplus
}
#endif

#endif
