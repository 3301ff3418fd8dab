/*
 * cli.h: zctrace's command line (cli.c): its options and its own exit statuses, each written
 * once in a table that the parser, --help and docs/zctrace.md follow
 * (tools/zctrace/e2e_zctrace.sh checks the page against --help).
 */
#ifndef ZC_TRACE_CLI_H
#define ZC_TRACE_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "expect.h"

/*
 * zctrace's own exit statuses: X(ID, code, meaning). Any other status is the program's own
 * (128 + N when signal N ended it). 125-127 are what env, timeout and nohup use for the same
 * failures; 86 is --expect-exit's default.
 */
#define ZCT_EXITS(X)                                                                      \
	X(EXPECT, 86, "an expectation failed (--expect, --max-copy-bytes) and the program "  \
		      "exited 0; --expect-exit N gives another status")                       \
	X(USAGE, 125, "zctrace itself failed: a bad option or value, no program named, the " \
		      "tracer library missing, the record not writable, no fork")             \
	X(CANNOT_RUN, 126, "the program was found but cannot be run (not executable)")       \
	X(NOT_FOUND, 127, "the program was not found")

enum zct_exit {
#define ZCT_EXIT_ENUM(id, code, meaning) ZCT_EXIT_##id = code,
	ZCT_EXITS(ZCT_EXIT_ENUM)
#undef ZCT_EXIT_ENUM
};

struct zct_cli {
	const char *min_bytes;
	const char *out;
	const char *out_dir;
	bool backtrace;
	bool pages;
	int expect_exit;       /* the status of a failed expectation (default ZCT_EXIT_EXPECT) */
	struct zct_expectations expect;
	char **argv;           /* the program and its arguments */
};

/*
 * Parses argv into c. 0, or -1 after one line on stderr saying why (exit ZCT_EXIT_USAGE).
 * --help prints the usage and exits 0.
 */
int zct_cli_parse(int argc, char **argv, struct zct_cli *c);

#endif
