/*
 * options.c: the table of the options every scenario program shares (--frame, --strategy,
 * --quick, --processes, --transfers, --out, --run-id, --strict, --quiet, --verbose, --no-pages,
 * --no-reference, --mmap-threshold, --allocator, --placement, --list, --help, and every --benchmark_* flag passed through untouched), the
 * parser that walks it and a scenario's own table, and the usage and --help printed from them.
 */
#include "options.h"
#include "quote.h"

#include "allocator.h"
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(member) offsetof(struct zc_options, member)

/* Their order is the order of the usage line and of --help. */
static const struct zc_option shared[] = {
	{.name = "--frame", .arg = "WxH", .kind = ZC_OPT_FRAME, .field = FIELD(frame),
	 .help = "RGBA frame size (default 1920x1080)"},
	{.name = "--strategy", .arg = "a,b", .kind = ZC_OPT_STRATEGIES, .field = FIELD(selected),
	 .help = "run only these strategies (see --list)"},
	{.name = "--quick", .kind = ZC_OPT_FLAG, .field = FIELD(quick),
	 .help = "short runs, for CI"},
	{.name = "--processes", .arg = "N", .kind = ZC_OPT_COUNT, .field = FIELD(processes),
	 .max = ZC_MAX_PROCESSES,
	 .help = "measure each strategy in N processes, pooling their\n"
		 "repetitions (default 4, 2 with --quick; at most 32)"},
	{.name = "--transfers", .arg = "N", .kind = ZC_OPT_COUNT, .field = FIELD(transfers),
	 .max = 1000000,
	 .help = "time exactly N transfers per repetition, not as many as a\n"
		 "time allows: figures that count frames do not depend on\n"
		 "the machine's speed or load (default: by time)"},
	{.name = "--out", .arg = "FILE", .kind = ZC_OPT_PATH, .field = FIELD(out),
	 .help = "results file (default results/<scenario>.json); Google\n"
		 "Benchmark's own JSON goes to raw/<scenario>.json beside it"},
	{.name = "--run-id", .arg = "ID", .kind = ZC_OPT_WORD, .field = FIELD(run_id),
	 .help = "the run the results belong to (make bench gives all its\n"
		 "scenarios one; default: the start time and process id)"},
	{.name = "--strict", .kind = ZC_OPT_FLAG, .field = FIELD(strict),
	 .help = "exit 1 on a zero-copy strategy that copied, an undeclared copy,\n"
		 "or a zero-copy the evidence pass did not fully cover\n"
		 "(unverified; not when --no-pages or a sanitizer left it out)"},
	{.name = "--quiet", .kind = ZC_OPT_FLAG, .field = FIELD(quiet),
	 .help = "no progress lines: only the summary table"},
	{.name = "--verbose", .kind = ZC_OPT_FLAG, .field = FIELD(verbose),
	 .help = "also Google Benchmark's own output and the evidence lines"},
	{.name = "--no-pages", .kind = ZC_OPT_FLAG, .field = FIELD(no_pages),
	 .help = "skip the evidence pass (pages written): faster timing runs\n"
		 "whose results say the pages were not counted (zero-copy rows\n"
		 "are flagged unverified)"},
	{.name = "--no-reference", .kind = ZC_OPT_FLAG, .field = FIELD(no_reference),
	 .help = "skip reference_memcpy: the rows' vs_memcpy are then unknown\n"
		 "(make gate's later rounds compare times side by side)"},
	{.name = "--mmap-threshold", .arg = "N", .kind = ZC_OPT_COUNT,
	 .field = FIELD(mmap_threshold),
	 .help = "pin glibc's mmap threshold with mallopt (default: dynamic)"},
	{.name = "--allocator", .arg = "NAME", .kind = ZC_OPT_ALLOCATOR, .field = FIELD(allocator),
	 .help = "glibc (default), mimalloc or jemalloc: the program runs\n"
		 "itself again with that allocator preloaded"},
	{.name = "--placement", .arg = "a,b", .kind = ZC_OPT_WORD, .field = FIELD(placement),
	 .help = "thread, process: where producer and consumer run: same (one\n"
		 "CPU), cross (two CPUs), free (the scheduler's choice);\n"
		 "default same,cross"},
	{.name = "--list", .kind = ZC_OPT_FLAG, .field = FIELD(list),
	 .help = "the strategies, their expected verdict and what they mirror"},
	{.name = "--help", .alias = "-h", .kind = ZC_OPT_FLAG, .field = FIELD(help),
	 .help = "this help"},
	{.name = "--benchmark_*", .kind = ZC_OPT_BENCHMARK,
	 .help = "passed to Google Benchmark (e.g. --benchmark_repetitions=20)"},
	{0},
};

/* What reading a value needs besides the value: the options and the strategies' names. */
struct scope {
	struct zc_options *o;
	const char *const *names;
	size_t n;
};

/* "unknown strategy 'x' (valid: a b c)" in err; returns -1. */
static int unknown_name(const char *what, const char *name, const char *const *names, size_t n,
			struct zc_error *err)
{
	char q[96], valid[sizeof(err->text)] = "";
	size_t len = 0;
	for (size_t j = 0; j < n && len < sizeof(valid); j++)
		len += (size_t)snprintf(valid + len, sizeof(valid) - len, " %s", names[j]);
	return zc_error_set(err, ZC_EXIT_USAGE, "unknown %s '%s' (valid:%s)", what,
			    zc_quote(name, q, sizeof(q)), valid);
}

static int select_strategies(const struct scope *scope, const struct zc_option *opt, bool *selected,
			     const char *list, struct zc_error *err)
{
	char *copy = strdup(list), *save = NULL;
	if (!copy)
		return zc_error_set(err, ZC_EXIT_NOMEM, "out of memory");
	memset(selected, 0, ZC_MAX_STRATEGIES * sizeof(bool));
	int rc = 0, any = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t k = 0;
		while (k < scope->n && strcmp(scope->names[k], tok) != 0)
			k++;
		if (k == scope->n) {
			rc = unknown_name("strategy", tok, scope->names, scope->n, err);
			break;
		}
		selected[k] = true;
		any = 1;
	}
	if (rc == 0 && !any)
		rc = zc_error_set(err, ZC_EXIT_USAGE, "option '%s' needs at least one name",
				  opt->name);
	free(copy);
	return rc;
}

static int parse_count(const struct zc_option *opt, const char *text, long *out,
		       struct zc_error *err)
{
	char *end, q[96];
	errno = 0;
	long v = strtol(text, &end, 10);
	/* strtol skips leading white space and takes a sign: only digits are a count here */
	if (errno || *text < '0' || *text > '9' || *end || v <= 0)
		return zc_error_set(err, ZC_EXIT_USAGE,
				    "invalid value '%s' for '%s': expected a positive integer",
				    zc_quote(text, q, sizeof(q)), opt->name);
	if (opt->max > 0 && (unsigned long)v > opt->max)
		return zc_error_set(err, ZC_EXIT_USAGE, "invalid value '%s' for '%s': at most %lu",
				    zc_quote(text, q, sizeof(q)), opt->name, opt->max);
	*out = v;
	return 0;
}

static int parse_range(const struct zc_option *opt, const char *text, unsigned long *out,
		       struct zc_error *err)
{
	char *end, q[96];
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v == 0 || v > opt->max)
		return zc_error_set(err, ZC_EXIT_USAGE,
				    "invalid value '%s' for '%s': expected 1 to %lu",
				    zc_quote(text, q, sizeof(q)), opt->name, opt->max);
	*out = v;
	return 0;
}

static int set_path(const struct zc_option *opt, const char *text, const char **out,
		    struct zc_error *err)
{
	if (!*text)
		return zc_error_set(err, ZC_EXIT_USAGE, "option '%s' needs %s", opt->name,
				    opt->kind == ZC_OPT_PATH ? "a file name" : "a value");
	*out = text;
	return 0;
}

static int select_allocator(const char *name, const char **out, struct zc_error *err)
{
	size_t n;
	const char *const *names = zc_allocator_names(&n);
	if (!zc_allocator_known(name))
		return unknown_name("allocator", name, names, n, err);
	*out = name;
	return 0;
}

static void pass_to_benchmark(struct zc_options *o, char *flag)
{
	/* Google Benchmark's Initialize strips the flags it knows: note ours now. */
	o->repetitions_given |= !strncmp(flag, "--benchmark_repetitions", 23);
	o->min_time_given |= !strncmp(flag, "--benchmark_min_time", 20);
	o->bench_out_given |= !strncmp(flag, "--benchmark_out=", 16);
	o->bench_argv[o->bench_argc++] = flag;
}

/* Writes value (the argument itself for a flag) where opt says. Returns 0 or -1. */
static int apply(const struct scope *scope, const struct zc_option *opt, char *value,
		 struct zc_error *err)
{
	void *to = opt->value ? opt->value : (char *)scope->o + opt->field;
	switch (opt->kind) {
	case ZC_OPT_FLAG:
		*(bool *)to = true;
		return 0;
	case ZC_OPT_COUNT:
		return parse_count(opt, value, to, err);
	case ZC_OPT_RANGE:
		return parse_range(opt, value, to, err);
	case ZC_OPT_PATH:
	case ZC_OPT_WORD:
		return set_path(opt, value, to, err);
	case ZC_OPT_FRAME:
		return zc_frame_parse(to, value, err);
	case ZC_OPT_STRATEGIES:
		return select_strategies(scope, opt, to, value, err);
	case ZC_OPT_ALLOCATOR:
		return select_allocator(value, to, err);
	case ZC_OPT_BENCHMARK:
		pass_to_benchmark(scope->o, value);
		return 0;
	}
	assert(!"an option of no known kind");
	return -1;
}

/* The value of the option opt at argv[*i]: after its '=', or the next argument (*i advances). */
static int take_value(const struct zc_option *opt, int argc, char **argv, int *i, char **value,
		      struct zc_error *err)
{
	char *rest = argv[*i] + strlen(opt->name);
	if (*rest == '=') {
		*value = rest + 1;
		return 0;
	}
	if (*i + 1 >= argc)
		return zc_error_set(err, ZC_EXIT_USAGE, "option '%s' needs a value", opt->name);
	*value = argv[++*i];
	return 0;
}

/* Reads the option at argv[*i], a shared one or one of extra. Returns 0 or -1. */
static int parse_one(const struct scope *scope, const struct zc_option *extra, int argc,
		     char **argv, int *i, struct zc_error *err)
{
	const struct zc_option *opt = zc_option_find(shared, argv[*i]);
	if (!opt)
		opt = zc_option_find(extra, argv[*i]);
	if (!opt) {
		char q[96];
		return zc_error_set(err, ZC_EXIT_USAGE, "unknown option '%s' (try --help)",
				    zc_quote(argv[*i], q, sizeof(q)));
	}
	char *value = argv[*i];
	if (opt->arg && take_value(opt, argc, argv, i, &value, err) != 0)
		return -1;
	return apply(scope, opt, value, err);
}

/* A scenario's options may not hide a shared one, nor need the whole struct zc_options. */
static void check_extra(const struct zc_option *extra)
{
	for (; extra && extra->name; extra++) {
		assert(!zc_option_find(shared, extra->name));
		assert(extra->value && extra->kind != ZC_OPT_BENCHMARK);
		assert(extra->kind != ZC_OPT_RANGE || extra->max > 0);
	}
}

static int set_defaults(struct zc_options *o, int argc, char **argv, size_t n,
			struct zc_error *err)
{
	memset(o, 0, sizeof(*o));
	o->allocator = "glibc";
	if (zc_frame_geom_init(&o->frame, 1920, 1080, err) != 0)
		return -1;
	for (size_t k = 0; k < n; k++)
		o->selected[k] = true;
	o->processes = 0; /* not given: by --quick, once every option is read */
	o->bench_argv = calloc((size_t)argc + 1, sizeof(char *));
	if (!o->bench_argv)
		return zc_error_set(err, ZC_EXIT_NOMEM, "out of memory");
	o->bench_argv[o->bench_argc++] = argv[0];
	return 0;
}

int zc_options_parse(struct zc_options *o, int argc, char **argv, const char *const *names,
		     size_t n, const struct zc_option *extra, struct zc_error *err)
{
	assert(n <= ZC_MAX_STRATEGIES);
	check_extra(extra);
	if (set_defaults(o, argc, argv, n, err) != 0)
		return -1;
	const struct scope scope = {.o = o, .names = names, .n = n};
	for (int i = 1; i < argc; i++)
		if (parse_one(&scope, extra, argc, argv, &i, err) != 0)
			return -1;
	if (o->processes == 0)
		o->processes = o->quick ? ZC_QUICK_PROCESSES : ZC_DEFAULT_PROCESSES;
	return 0;
}

void zc_options_release(struct zc_options *o)
{
	free(o->bench_argv);
	o->bench_argv = NULL;
}

void zc_options_print_usage(FILE *f, const char *program, const struct zc_option *extra)
{
	static const char lead[] = "usage: ";
	int col = fprintf(f, "%s%s", lead, program);
	zc_option_table_synopsis(f, shared, &col, (int)sizeof(lead) - 1);
	zc_option_table_synopsis(f, extra, &col, (int)sizeof(lead) - 1);
	fputc('\n', f);
}

void zc_options_print_help(FILE *f, const char *program, const struct zc_option *extra)
{
	zc_option_table_help(f, shared, program);
	if (extra && extra->name) {
		fprintf(f, "\n%s options:\n", program);
		zc_option_table_help(f, extra, program);
	}
}
