/*
 * option_table.c: finding an argument's entry in an option table, and the usage line and
 * --help lines printed from a table.
 */
#include "option_table.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

#define USAGE_WIDTH 80
#define HELP_NAME_WIDTH 18 /* "--mmap-threshold N" */

static bool matches(const struct zc_option *opt, const char *arg)
{
	size_t n = strlen(opt->name);
	if (n > 0 && opt->name[n - 1] == '*')
		return strncmp(arg, opt->name, n - 1) == 0;
	if (!opt->arg)
		return !strcmp(arg, opt->name) || (opt->alias && !strcmp(arg, opt->alias));
	return strncmp(arg, opt->name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

const struct zc_option *zc_option_find(const struct zc_option *t, const char *arg)
{
	for (; t && t->name; t++)
		if (matches(t, arg))
			return t;
	return NULL;
}

/* "--frame WxH", "--help, -h": how an entry is named in the usage line and in --help. */
static void entry_label(const struct zc_option *opt, bool alias, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s", opt->name, alias && opt->alias ? ", " : "",
		 alias && opt->alias ? opt->alias : "", opt->arg ? " " : "",
		 opt->arg ? opt->arg : "");
}

void zc_option_table_synopsis(FILE *f, const struct zc_option *t, int *col, int indent)
{
	assert(indent > 0);
	for (; t && t->name; t++) {
		char label[96];
		entry_label(t, false, label, sizeof(label));
		int w = (int)strlen(label) + 3; /* " [" and "]" */
		if (*col + w > USAGE_WIDTH) {
			/* the new line's first item goes where the first line's went */
			fprintf(f, "\n%*s", indent - 1, "");
			*col = indent - 1;
		}
		fprintf(f, " [%s]", label);
		*col += w;
	}
}

/* Writes help text, continuation lines indented under the first, "<scenario>" replaced. */
static void put_help(FILE *f, const char *text, const char *program)
{
	static const char token[] = "<scenario>";
	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			fprintf(f, "\n%*s", HELP_NAME_WIDTH + 4, "");
		} else if (!strncmp(p, token, sizeof(token) - 1)) {
			fputs(program, f);
			p += sizeof(token) - 2;
		} else {
			fputc(*p, f);
		}
	}
	fputc('\n', f);
}

void zc_option_table_help(FILE *f, const struct zc_option *t, const char *program)
{
	for (; t && t->name; t++) {
		char label[96];
		entry_label(t, true, label, sizeof(label));
		assert(t->help);
		if (strlen(label) <= HELP_NAME_WIDTH)
			fprintf(f, "  %-*s  ", HELP_NAME_WIDTH, label);
		else /* its text goes on the next line, in the column of the others */
			fprintf(f, "  %s\n%*s", label, HELP_NAME_WIDTH + 4, "");
		put_help(f, t->help, program);
	}
}
