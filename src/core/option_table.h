/*
 * option_table.h: a command line written as data. Each entry names one option, its value's
 * placeholder, its --help text and how its value is read; the parser (options.c), --help and
 * docs/options.md (checked against --help by tests/e2e_options_doc.sh) all come from tables
 * of these entries, so an option cannot drift between them. A table ends with an entry whose
 * name is NULL.
 */
#ifndef ZC_OPTION_TABLE_H
#define ZC_OPTION_TABLE_H

#include <stddef.h>
#include <stdio.h>

/* How an option's value is read, and what it is written to. */
enum zc_option_kind {
	ZC_OPT_FLAG,       /* no value; sets a bool */
	ZC_OPT_COUNT,      /* a positive integer in digits, at most .max if .max > 0; a long */
	ZC_OPT_RANGE,      /* an integer from 1 to .max; an unsigned long */
	ZC_OPT_PATH,       /* a file name, not empty; a const char * into argv */
	ZC_OPT_WORD,       /* a word, not empty, that the scenario reads itself; a const char * */
	ZC_OPT_FRAME,      /* WxH; a struct zc_frame_geom */
	ZC_OPT_STRATEGIES, /* a,b: names of the scenario's strategies; bool[ZC_MAX_STRATEGIES] */
	ZC_OPT_ALLOCATOR,  /* a name zc_allocator_known() knows; a const char * */
	ZC_OPT_BENCHMARK,  /* --benchmark_*: handed to Google Benchmark untouched (shared only) */
};

struct zc_option {
	const char *name;  /* "--frame"; a final '*' matches every name with that prefix */
	const char *alias; /* another name for a flag ("-h"), or NULL */
	const char *arg;   /* the value's placeholder ("WxH"); NULL for a flag */
	enum zc_option_kind kind;
	/* Where the value goes: value when set (a scenario's own option: its variable), else
	 * field bytes into the struct zc_options being parsed (a shared option). */
	void *value;
	size_t field;
	unsigned long max; /* ZC_OPT_COUNT, ZC_OPT_RANGE */
	/* --help text: lines separated by '\n'; "<scenario>" stands for the program's name. */
	const char *help;
};

/*
 * The entry of table t that argument arg names, or NULL: a flag by its name or alias alone,
 * an option with a value as "--name" or "--name=value", a '*' name by its prefix.
 */
const struct zc_option *zc_option_find(const struct zc_option *t, const char *arg);

/*
 * Appends " [--name ARG]" for every entry of t to a usage line now *col columns wide,
 * wrapping before column 80 to a line whose items start at column indent (> 0); updates
 * *col.
 */
void zc_option_table_synopsis(FILE *f, const struct zc_option *t, int *col, int indent);
/* Prints one help line (or more) per entry of t; "<scenario>" becomes program. */
void zc_option_table_help(FILE *f, const struct zc_option *t, const char *program);

#endif
