/*
 * error.h: what went wrong, as a code and one line of text, and the exit status of every
 * zcbench program, written once in one table.
 *
 * A function that can fail takes an optional struct zc_error * (jansson's json_error_t) and
 * returns -1, recording why: the first error recorded wins, so one struct can be passed down
 * a chain of calls and still holds the first cause when the caller looks. On the measuring
 * side the code is an exit status (enum zc_exit), which a program returns as it is; the
 * gate's loader records its own finer codes (results_load.h) and zcgate maps them.
 */
#ifndef ZC_ERROR_H
#define ZC_ERROR_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One line of text (no trailing newline) and what kind of failure it was; 0: none yet. */
struct zc_error {
	int code;
	char text[512];
};

/*
 * Records code and the printf-formatted text in err unless an error is recorded already:
 * the first error wins. err may be NULL. Control characters in the text are escaped (\n,
 * \t, \x1b), so that names and paths quoted from the input keep it one line. code must not
 * be 0. Returns -1, so that a caller can write `return zc_error_set(...)`.
 */
int zc_error_set(struct zc_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ZC_EXIT_NOMEM when errnum is ENOMEM, else ZC_EXIT_RUNTIME: the code of a failed call. */
int zc_exit_for_errno(int errnum);

/*
 * Records a failed call's errnum in err (first error wins): ZC_EXIT_NOMEM and "out of
 * memory" for ENOMEM, else ZC_EXIT_RUNTIME and strerror(errnum) ("failed" for 0). Returns -1.
 */
int zc_error_errno(struct zc_error *err, int errnum);

/*
 * Records that writing @path failed with errnum (first error wins): ZC_EXIT_NOSPACE and "no
 * space left on device writing 'PATH'" for ENOSPC or EDQUOT (a full disk is not bad input),
 * else ZC_EXIT_USAGE and "cannot write 'PATH': strerror" (an output path that cannot be
 * written is). Returns -1.
 */
int zc_error_write(struct zc_error *err, const char *path, int errnum);

/* @size zeroed bytes (calloc), or NULL with ENOMEM recorded in err (zc_error_errno). */
void *zc_calloc(size_t size, struct zc_error *err);

/*
 * The exit status of every zcbench program (scenarios, zcgate; zctrace passes its program's
 * on and keeps its own in tools/zctrace/cli.h), each with
 * the one line --help and the docs give it.
 */
#define ZC_EXIT_MAP(X)								     \
	X(OK, 0, "ok")								     \
	X(FAILED, 1, "a check said no: a --strict verdict, a gate regression")	     \
	X(USAGE, 2, "bad input: options, files, frame sizes, output paths, refused " \
		    "comparisons")						     \
	X(RUNTIME, 3, "a strategy or the run failed: setup, transfer, checksum, a "  \
		      "child died")						     \
	X(NOMEM, 4, "out of memory")						     \
	X(NOSPACE, 5, "no space left on the device the results go to")		     \
	X(SIGNAL, 130, "interrupted by SIGINT or SIGTERM")

enum zc_exit {
#define ZC_EXIT__ENUM(name, code, meaning) ZC_EXIT_##name = code,
	ZC_EXIT_MAP(ZC_EXIT__ENUM)
#undef ZC_EXIT__ENUM
};

/* The one-line meaning of exit status code ("out of memory"), or NULL for another status. */
const char *zc_exit_meaning(int code);

/*
 * Prints the exit statuses for a --help, under a heading of the caller's ("exit status:"): a
 * line per status of codes[0..n) with its meaning ("  4   out of memory"); codes NULL: every
 * status of the table.
 */
void zc_exit_print_help(FILE *f, const enum zc_exit *codes, size_t n);

#ifdef __cplusplus
}
#endif

#endif
