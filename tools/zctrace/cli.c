/*
 * cli.c: zctrace's options and exit statuses, from the tables OPTIONS and ZCT_EXITS (cli.h):
 * the parser, --help and the docs' check read the same rows. A bad option or value is one
 * line on stderr; the caller exits ZCT_EXIT_USAGE.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define USAGE "zctrace [OPTIONS] -- PROGRAM ARGS..."

/* X(ID, name, argument (NULL: a switch), help): every option. */
#define OPTIONS(X)                                                                        \
	X(EXPECT, "--expect", "LABEL=shared|copied",                                       \
	  "fail unless every pair of marks labelled LABEL (a tag's part before its ':') "  \
	  "has that verdict; repeatable")                                                   \
	X(MAX_COPY, "--max-copy-bytes", "N|LABEL=N",                                       \
	  "fail unless the run's call sites copied at most N bytes (the summary's "         \
	  "headline), or at most N bytes were copied between the marks of LABEL; "          \
	  "repeatable")                                                                     \
	X(EXPECT_EXIT, "--expect-exit", "N",                                               \
	  "the exit status when an expectation fails and the program exited 0 "            \
	  "(1-255, default 86)")                                                            \
	X(MIN_BYTES, "--min-bytes", "N",                                                   \
	  "record copies and allocations of at least N bytes, and list the call sites "    \
	  "whose copies add up to N (default 1048576)")                                     \
	X(OUT, "--out", "FILE",                                                            \
	  "the record of the program zctrace starts (default zctrace.json, or "            \
	  "DIR/zctrace.json with --out-dir)")                                               \
	X(OUT_DIR, "--out-dir", "DIR",                                                     \
	  "the other processes' records go in DIR (made if missing), FILE's name with "    \
	  ".<pid> before .json (default: beside FILE)")                                     \
	X(BACKTRACE, "--backtrace", NULL, "keep up to 16 callers per event (slower)")        \
	X(PAGES, "--pages", NULL,                                                          \
	  "count the pages written, whoever wrote them (Linux 6.7+; each first write to a " \
	  "page faults once)")                                                              \
	X(HELP, "--help, -h", NULL, "print this help")

enum option {
#define OPTION_ENUM(id, name, arg, help) OPT_##id,
	OPTIONS(OPTION_ENUM)
#undef OPTION_ENUM
	OPT_COUNT
};

static const struct {
	const char *name, *arg, *help;
} options[] = {
#define OPTION_ROW(id, name, arg, help) {name, arg, help},
	OPTIONS(OPTION_ROW)
#undef OPTION_ROW
};

static const struct {
	int code;
	const char *meaning;
} exits[] = {
#define EXIT_ROW(id, code, meaning) {code, meaning},
	ZCT_EXITS(EXIT_ROW)
#undef EXIT_ROW
};

/* text, indented by indent, cut into lines of at most 78 columns at spaces. */
static void wrapped(FILE *f, const char *text, int indent)
{
	while (*text) {
		size_t n = strlen(text), room = (size_t)(78 - indent);
		if (n > room) {
			n = room;
			while (n > 0 && text[n] != ' ')
				n--;
			n = n ? n : room;
		}
		fprintf(f, "%*s%.*s\n", indent, "", (int)n, text);
		text += n;
		text += *text == ' ';
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: " USAGE "\n"
		   "Runs PROGRAM with the tracer preloaded; says what it copied and whether each\n"
		   "pair of probe marks was shared or copied (docs/zctrace.md).\n");
	for (size_t i = 0; i < OPT_COUNT; i++) {
		fprintf(f, "  %s%s%s\n", options[i].name, options[i].arg ? " " : "",
			options[i].arg ? options[i].arg : "");
		wrapped(f, options[i].help, 6);
	}
	fprintf(f, "exit status: the program's own (128 + N when signal N ended it), except:\n");
	for (size_t i = 0; i < sizeof(exits) / sizeof(exits[0]); i++) {
		fprintf(f, "  %d\n", exits[i].code);
		wrapped(f, exits[i].meaning, 6);
	}
}

/* The option named a ("--out" or "--out=FILE"); -1 when there is none. *value: after '='. */
static int lookup(const char *a, const char **value)
{
	if (!strcmp(a, "-h"))
		return OPT_HELP;
	for (int i = 0; i < OPT_COUNT; i++) {
		size_t n = strcspn(options[i].name, ",");
		if (strncmp(a, options[i].name, n) != 0 || (a[n] != '\0' && a[n] != '='))
			continue;
		*value = a[n] == '=' ? a + n + 1 : NULL;
		return i;
	}
	return -1;
}

static int parse_positive(const char *option, const char *v, unsigned long long max,
			  unsigned long long *out)
{
	char *end;
	errno = 0;
	*out = strtoull(v, &end, 10);
	if (!*v || *end || errno || *out == 0 || *out > max || strspn(v, "0123456789") != strlen(v)) {
		fprintf(stderr, "zctrace: %s '%s': expected a number from 1 to %llu\n", option, v, max);
		return -1;
	}
	return 0;
}

/* Applies option opt with its value v (NULL for a switch) to c. 0, or -1 said. */
static int apply(struct zct_cli *c, int opt, const char *v)
{
	struct zc_error err = {0};
	unsigned long long n;
	switch (opt) {
	case OPT_EXPECT:
	case OPT_MAX_COPY:
		if (zct_expect_parse(&c->expect, options[opt].name, v, &err) == 0)
			return 0;
		fprintf(stderr, "zctrace: %s\n", err.text);
		return -1;
	case OPT_EXPECT_EXIT:
		if (parse_positive("--expect-exit", v, 255, &n) != 0)
			return -1;
		c->expect_exit = (int)n;
		return 0;
	case OPT_MIN_BYTES:
		c->min_bytes = v;
		return parse_positive("--min-bytes", v, (unsigned long long)SIZE_MAX, &n);
	case OPT_OUT:
		c->out = v;
		return 0;
	case OPT_OUT_DIR:
		c->out_dir = v;
		return 0;
	case OPT_BACKTRACE:
		c->backtrace = true;
		return 0;
	case OPT_PAGES:
		c->pages = true;
		return 0;
	case OPT_HELP:
		usage(stdout);
		exit(0);
	case OPT_COUNT:
		break;
	}
	return -1;
}

/* The option at argv[*i] and its value, applied; *i moved past them. 0, or -1 said. */
static int one_option(int argc, char **argv, int *i, struct zct_cli *c)
{
	const char *a = argv[*i], *v = NULL;
	int opt = lookup(a, &v);
	if (opt < 0) {
		fprintf(stderr, "zctrace: unknown option '%s' (see zctrace --help)\n", a);
		return -1;
	}
	if (!options[opt].arg && v) {
		fprintf(stderr, "zctrace: %s takes no value\n", options[opt].name);
		return -1;
	}
	if (options[opt].arg && !v) {
		if (*i + 1 >= argc || !strcmp(argv[*i + 1], "--")) {
			fprintf(stderr, "zctrace: %s needs a value: %s %s\n", options[opt].name,
				options[opt].name, options[opt].arg);
			return -1;
		}
		v = argv[++*i];
	}
	if (options[opt].arg && !*v) {
		fprintf(stderr, "zctrace: %s: the value is empty\n", options[opt].name);
		return -1;
	}
	return apply(c, opt, v);
}

int zct_cli_parse(int argc, char **argv, struct zct_cli *c)
{
	int i = 1;
	*c = (struct zct_cli){.expect_exit = ZCT_EXIT_EXPECT};
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (argv[i][0] != '-')
			break;
		if (one_option(argc, argv, &i, c) != 0)
			return -1;
	}
	if (i >= argc) {
		fprintf(stderr, "zctrace: no program to run (usage: " USAGE ")\n");
		return -1;
	}
	c->argv = argv + i;
	return 0;
}
