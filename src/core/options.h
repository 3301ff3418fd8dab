/*
 * options.h: the command line every scenario program shares, and a scenario's own options
 * parsed with it; both are tables of struct zc_option (option_table.h).
 */
#ifndef ZC_OPTIONS_H
#define ZC_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "frame.h"
#include "option_table.h"
#include "placement.h"
#include "strategy.h"

#define ZC_MAX_STRATEGIES 64
/*
 * Each strategy is measured in this many processes, one after the other, and their
 * repetitions pooled: figures from one process share its page placement and allocator state,
 * so runs differ from each other more than repetitions within a run do. Four: the first make
 * bench on a fresh machine took 7 min 45 s and 8 min 32 s with five, over its 8-minute budget.
 */
#define ZC_DEFAULT_PROCESSES 4
/* --quick's: two, so that a quick run still pools processes and shows how they differ. */
#define ZC_QUICK_PROCESSES 2
#define ZC_MAX_PROCESSES 32 /* at most the process_medians a result keeps */

struct zc_options {
	struct zc_frame_geom frame;
	bool selected[ZC_MAX_STRATEGIES]; /* by index into the scenario's strategies */
	bool quick;
	bool strict;
	bool quiet;                       /* no progress lines on stderr */
	bool verbose;                     /* Google Benchmark's console output, evidence lines */
	bool no_pages;                    /* --no-pages: the evidence pass is not run */
	bool no_reference;                /* --no-reference: reference_memcpy is not measured */
	bool help, list;
	const char *out;                  /* results file; NULL: results/<scenario>.json */
	const char *run_id;               /* --run-id; NULL: the program makes one (context.h) */
	long mmap_threshold;              /* > 0: pinned with mallopt */
	long processes;                   /* measuring processes per strategy */
	long transfers;                   /* > 0: timed transfers per repetition (--transfers) */
	bool repetitions_given;           /* --benchmark_repetitions was on the command line */
	bool min_time_given;              /* --benchmark_min_time was */
	bool bench_out_given;             /* --benchmark_out was */
	const char *allocator;            /* --allocator: "glibc" (default), "mimalloc", "jemalloc" */
	const char *placement;            /* --placement as given; NULL: the default */
	enum zc_placement placements[ZC_PLACEMENTS_MAX]; /* --placement, read (runner.c) */
	size_t nplacements;
	enum zc_placement placement_now;  /* the placement being measured (NONE: unplaced) */
	int bench_argc;                   /* argv[0] + the --benchmark_* flags */
	char **bench_argv;
};

/*
 * Parses argv against the shared options and the scenario's own table extra (NULL: none).
 * Strategies are matched against names[0..n), n <= ZC_MAX_STRATEGIES. Returns 0, or -1 with
 * the reason in err (ZC_EXIT_USAGE, or ZC_EXIT_NOMEM). bench_argv is allocated;
 * zc_options_release frees it.
 */
int zc_options_parse(struct zc_options *o, int argc, char **argv, const char *const *names,
		     size_t n, const struct zc_option *extra, struct zc_error *err);
void zc_options_release(struct zc_options *o);

/* The usage line of program: every shared option, then those of extra. */
void zc_options_print_usage(FILE *f, const char *program, const struct zc_option *extra);
/* A line or more per option: the shared ones, then "PROGRAM options:" and those of extra. */
void zc_options_print_help(FILE *f, const char *program, const struct zc_option *extra);

#endif
