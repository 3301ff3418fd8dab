/*
 * options.c: --frame, --strategy, --quick, --out, --list, --help, --strict, --quiet,
 * --processes, --mmap-threshold, --allocator, and every --benchmark_* flag passed through untouched.
 */
#include "options.h"
#include "quote.h"

#include "allocator.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Matches "--name value" and "--name=value"; advances *i past a separate value. */
static int option_value(int argc, char **argv, int *i, const char *name, const char **value,
			char *err, size_t errlen)
{
	const char *arg = argv[*i];
	size_t n = strlen(name);
	if (strncmp(arg, name, n) != 0)
		return 0;
	if (arg[n] == '=') {
		*value = arg + n + 1;
		return 1;
	}
	if (arg[n] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		snprintf(err, errlen, "option '%s' needs a value", name);
		return -1;
	}
	*value = argv[++*i];
	return 1;
}

static int select_strategies(struct zc_options *o, const char *list, const char *const *names,
			     size_t n, char *err, size_t errlen)
{
	char *copy = strdup(list), *save = NULL;
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memset(o->selected, 0, sizeof(o->selected));
	int rc = 0, any = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t k = 0;
		while (k < n && strcmp(names[k], tok) != 0)
			k++;
		if (k == n) {
			char q[96];
			int len = snprintf(err, errlen, "unknown strategy '%s' (valid:",
					   zc_quote(tok, q, sizeof(q)));
			for (size_t j = 0; j < n && len > 0 && (size_t)len < errlen; j++)
				len += snprintf(err + len, errlen - (size_t)len, " %s", names[j]);
			if (len > 0 && (size_t)len < errlen)
				snprintf(err + len, errlen - (size_t)len, ")");
			rc = -1;
			break;
		}
		o->selected[k] = true;
		any = 1;
	}
	if (rc == 0 && !any) {
		snprintf(err, errlen, "option '--strategy' needs at least one name");
		rc = -1;
	}
	free(copy);
	return rc;
}

static int parse_long(const char *text, const char *name, long *out, char *err, size_t errlen)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	/* strtol skips leading white space and takes a sign: only digits are a count here */
	if (errno || *text < '0' || *text > '9' || *end || v <= 0) {
		char q[96];
		snprintf(err, errlen, "invalid value '%s' for '%s': expected a positive integer",
			 zc_quote(text, q, sizeof(q)), name);
		return -1;
	}
	*out = v;
	return 0;
}

static int select_allocator(struct zc_options *o, const char *name, char *err, size_t errlen)
{
	if (zc_allocator_known(name)) {
		o->allocator = name;
		return 0;
	}
	size_t n;
	const char *const *names = zc_allocator_names(&n);
	char q[96];
	int len = snprintf(err, errlen, "unknown allocator '%s' (valid:",
			   zc_quote(name, q, sizeof(q)));
	for (size_t j = 0; j < n && len > 0 && (size_t)len < errlen; j++)
		len += snprintf(err + len, errlen - (size_t)len, " %s", names[j]);
	if (len > 0 && (size_t)len < errlen)
		snprintf(err + len, errlen - (size_t)len, ")");
	return -1;
}

/* Handles one of our options at argv[*i]; returns 1 if it was ours, 0 if not, -1 on error. */
static int parse_one(struct zc_options *o, int argc, char **argv, int *i,
		     const char *const *names, size_t n, char *err, size_t errlen)
{
	const char *arg = argv[*i], *v;
	int m;
	if (!strcmp(arg, "--quick") || !strcmp(arg, "--strict") || !strcmp(arg, "--quiet") ||
	    !strcmp(arg, "--help") || !strcmp(arg, "-h") || !strcmp(arg, "--list")) {
		o->quick |= !strcmp(arg, "--quick");
		o->strict |= !strcmp(arg, "--strict");
		o->quiet |= !strcmp(arg, "--quiet");
		o->list |= !strcmp(arg, "--list");
		o->help |= !strcmp(arg, "--help") || !strcmp(arg, "-h");
		return 1;
	}
	if ((m = option_value(argc, argv, i, "--frame", &v, err, errlen)) != 0)
		return m < 0 ? -1 : zc_frame_parse(&o->frame, v, err, errlen) == 0 ? 1 : -1;
	if ((m = option_value(argc, argv, i, "--strategy", &v, err, errlen)) != 0)
		return m < 0 ? -1 : select_strategies(o, v, names, n, err, errlen) == 0 ? 1 : -1;
	if ((m = option_value(argc, argv, i, "--out", &v, err, errlen)) != 0) {
		if (m > 0 && !*v) {
			snprintf(err, errlen, "option '--out' needs a file name");
			return -1;
		}
		o->out = v;
		return m;
	}
	if ((m = option_value(argc, argv, i, "--processes", &v, err, errlen)) != 0) {
		if (m < 0 || parse_long(v, "--processes", &o->processes, err, errlen) != 0)
			return -1;
		if (o->processes > ZC_MAX_PROCESSES) {
			char q[96];
			snprintf(err, errlen, "invalid value '%s' for '--processes': at most %d",
				 zc_quote(v, q, sizeof(q)), ZC_MAX_PROCESSES);
			return -1;
		}
		return 1;
	}
	if ((m = option_value(argc, argv, i, "--mmap-threshold", &v, err, errlen)) != 0)
		return m < 0 ? -1 : parse_long(v, "--mmap-threshold", &o->mmap_threshold, err, errlen) == 0 ? 1 : -1;
	if ((m = option_value(argc, argv, i, "--allocator", &v, err, errlen)) != 0)
		return m < 0 ? -1 : select_allocator(o, v, err, errlen) == 0 ? 1 : -1;
	return 0;
}

int zc_options_parse(struct zc_options *o, int argc, char **argv, const char *const *names,
		     size_t n, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->allocator = "glibc";
	if (zc_frame_geom_init(&o->frame, 1920, 1080, err, errlen) != 0)
		return -1;
	for (size_t k = 0; k < n && k < ZC_MAX_STRATEGIES; k++)
		o->selected[k] = true;
	o->processes = ZC_DEFAULT_PROCESSES;
	o->bench_argv = calloc((size_t)argc + 1, sizeof(char *));
	if (!o->bench_argv) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	o->bench_argv[o->bench_argc++] = argv[0];
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--benchmark_", 12) == 0) {
			/* Google Benchmark's Initialize strips the flags it knows: note ours now. */
			o->repetitions_given |= !strncmp(argv[i], "--benchmark_repetitions", 23);
			o->min_time_given |= !strncmp(argv[i], "--benchmark_min_time", 20);
			o->bench_out_given |= !strncmp(argv[i], "--benchmark_out=", 16);
			o->bench_argv[o->bench_argc++] = argv[i];
			continue;
		}
		int m = parse_one(o, argc, argv, &i, names, n, err, errlen);
		if (m < 0)
			return -1;
		if (m == 0) {
			char q[96];
			snprintf(err, errlen, "unknown option '%s' (try --help)",
				 zc_quote(argv[i], q, sizeof(q)));
			return -1;
		}
	}
	return 0;
}

void zc_options_release(struct zc_options *o)
{
	free(o->bench_argv);
	o->bench_argv = NULL;
}
