/*
 * results_load.h: load and validate zcbench/1 results files, one file or a directory of them.
 *
 * A loaded set owns the parsed JSON.  Loading checks the structure and the type of every field a
 * consumer reads (a missing optional field is fine, a field of the wrong type is not), so code
 * that walks a loaded set can read fields without checking types again.  Every failure comes
 * with a one-line reason naming the file and the problem, in the form of git's messages.
 */
#ifndef ZCBENCH_RESULTS_LOAD_H
#define ZCBENCH_RESULTS_LOAD_H

#include <stddef.h>
#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RESULTS_SCHEMA "zcbench/1"

/* One table makes both the codes and their short descriptions. */
#define RESULTS_ERRNO_MAP(X)                                            \
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
	X(ENOMEM, "out of memory")

enum results_errcode {
	RESULTS_OK = 0,
#define RESULTS__ENUM(name, text) RESULTS_##name,
	RESULTS_ERRNO_MAP(RESULTS__ENUM)
#undef RESULTS__ENUM
};

/* What went wrong: a code and one line of text without a trailing newline. */
struct results_error {
	enum results_errcode code;
	char text[512];
};

/* One results file as written by a scenario program. */
struct results_file {
	char *path;
	json_t *root;		/* owned */
	const char *scenario;	/* points into root */
	json_int_t width;	/* frame size */
	json_int_t height;
};

/* Every results file found at one path. */
struct results_set {
	char *path;
	struct results_file *files;
	size_t nfiles;
};

/* The short description of @code, e.g. "truncated file". */
const char *results_strerror(enum results_errcode code);

/*
 * Record an error in @err unless one is already recorded: the first error wins.  @err may be
 * NULL.  Returns -1 so that callers can write `return results_error_set(...)`.
 */
int results_error_set(struct results_error *err, enum results_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Load @path: a results file, or a directory whose `*.json` files are loaded in name order
 * (the `raw/` subdirectory, other directories and names starting with '.' are skipped).
 * Returns 0, or -1 with @set empty and @err filled in.  Release @set with results_set_release().
 */
int results_load(struct results_set *set, const char *path, struct results_error *err);

/* Load and validate one file.  Returns 0, or -1 with @file empty and @err filled in. */
int results_load_file(struct results_file *file, const char *path, struct results_error *err);

/*
 * Parse and validate @len bytes at @buf (no NUL needed) as a results file called @name in
 * messages; for fuzzers and for data that is not in a file.  Same contract as results_load_file().
 */
int results_parse(struct results_file *file, const char *name, const char *buf, size_t len,
		  struct results_error *err);

/*
 * Check a parsed file: @file->root and @file->path set, the rest filled in on success.  Returns 0,
 * or -1 with ESCHEMA, ETYPE or EDUPLICATE in @err.
 */
int results_validate(struct results_file *file, struct results_error *err);

void results_set_release(struct results_set *set);
void results_file_release(struct results_file *file);

/* The result for @scenario and @strategy in @file, or NULL. */
json_t *results_find(const struct results_file *file, const char *scenario, const char *strategy);

/* The scenario a result belongs to: its own "scenario" field, else its file's. */
const char *results_scenario(const struct results_file *file, const json_t *result);

/* The value at a dotted path inside a result ("copies.bytes_per_transfer"), or NULL. */
json_t *results_field(const json_t *result, const char *dotted);

/* 0 when @a and @b hold frames of the same size, else -1 with EFRAME in @err. */
int results_same_frame(const struct results_file *a, const struct results_file *b,
		       struct results_error *err);

#ifdef __cplusplus
}
#endif

#endif
