/*
 * tree.c: the wrapper's one answer for a whole process tree. Every traced process writes its
 * own record (the first process OUT, each other OUT with ".<pid>" before ".json") and, under
 * the wrapper, prints nothing; once the program has exited, the wrapper adds "process_tree"
 * to OUT, naming every record with its process and what it copied, and prints one summary:
 * the lines of each process that copied something large, one line for those that did not.
 */
#include "tree.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "coverage.h"
#include "json.h"
#include "names.h"
#include "out.h"

/* Records are read back from the files the tracer wrote; at most this many processes. */
#define MAX_RECORDS 4096

struct record {
	char *path;
	json_t *doc;
	long pid;
};

static int by_pid(const void *a, const void *b)
{
	const struct record *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static long member_int(json_t *doc, const char *object, const char *key)
{
	return (long)json_integer_value(json_object_get(json_object_get(doc, object), key));
}

/* The children's records: OUT's stem, a dot, digits, ".json". */
static size_t load_children(const char *out, struct record *r, size_t cap)
{
	char pattern[4200];
	size_t len = strlen(out);
	size_t stem = len >= 5 && !strcmp(out + len - 5, ".json") ? len - 5 : len;
	snprintf(pattern, sizeof(pattern), "%.*s.[0-9]*%s", (int)stem, out, out + stem);
	glob_t g;
	size_t n = 0;
	if (glob(pattern, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc && n < cap; i++) {
		json_t *doc = json_load_file(g.gl_pathv[i], 0, NULL);
		if (!doc)
			continue;
		r[n] = (struct record){.path = strdup(g.gl_pathv[i]), .doc = doc,
				       .pid = member_int(doc, "process", "pid")};
		n++;
	}
	globfree(&g);
	qsort(r, n, sizeof(*r), by_pid);
	return n;
}

/* True when the record holds a copy the summary shows: lines under its first. */
static bool copied(json_t *doc)
{
	return json_array_size(json_object_get(doc, "summary_lines")) > 0 ||
	       member_int(doc, "summary", "large_copies") > 0;
}

static const char *exe_name(json_t *doc)
{
	const char *exe = json_string_value(json_object_get(json_object_get(doc, "process"), "exe"));
	const char *slash = exe ? strrchr(exe, '/') : NULL;
	return slash ? slash + 1 : exe ? exe : "?";
}

static json_t *entry(const struct record *r)
{
	json_t *p = json_object_get(r->doc, "process");
	return json_pack("{s:I, s:I, s:O, s:O, s:s, s:I, s:I, s:b}", "pid",
			 json_integer_value(json_object_get(p, "pid")), "ppid",
			 json_integer_value(json_object_get(p, "ppid")), "exe",
			 json_object_get(p, "exe"), "argv", json_object_get(p, "argv"), "record",
			 r->path, "large_copies", (json_int_t)member_int(r->doc, "summary", "large_copies"),
			 "large_copy_bytes",
			 (json_int_t)member_int(r->doc, "summary", "large_copy_bytes"), "copied",
			 copied(r->doc));
}

static void print_lines(FILE *f, const struct record *r, bool named)
{
	size_t i;
	json_t *line;
	json_array_foreach(json_object_get(r->doc, "summary_lines"), i, line)
		if (named)
			fprintf(f, "zctrace:   %s [pid %ld]: %s\n", exe_name(r->doc), r->pid,
				json_string_value(line));
		else
			fprintf(f, "zctrace:   %s\n", json_string_value(line));
}

/* The summary: totals over the tree, each copying process's lines, the quiet ones counted. */
static void print_tree(FILE *f, const char *out, const struct record *r, size_t n)
{
	long copies = 0, bytes = 0, allocs = 0, quiet = 0;
	for (size_t i = 0; i < n; i++) {
		copies += member_int(r[i].doc, "summary", "large_copies");
		bytes += member_int(r[i].doc, "summary", "large_copy_bytes");
		allocs += member_int(r[i].doc, "summary", "large_allocations");
		quiet += i > 0 && !copied(r[i].doc);
	}
	long min = member_int(r[0].doc, "process", "min_bytes");
	char b[32], m[32];
	zct_thousands((uint64_t)bytes, b, sizeof(b));
	zct_thousands((uint64_t)min, m, sizeof(m));
	fprintf(f, "zctrace: %s [pid %ld]", exe_name(r[0].doc), r[0].pid);
	if (n > 1)
		fprintf(f, " and %zu other process%s", n - 1, n == 2 ? "" : "es");
	fprintf(f, ": %ld cop%s of %s bytes, %ld allocation%s (at least %s bytes each) -> %s\n",
		copies, copies == 1 ? "y" : "ies", b, allocs, allocs == 1 ? "" : "s", m, out);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || copied(r[i].doc))
			print_lines(f, &r[i], n > 1);
	if (quiet)
		fprintf(f, "zctrace:   %ld other process%s copied nothing of %s bytes or more "
			   "(their records: \"process_tree\" in %s)\n",
			quiet, quiet == 1 ? "" : "es", m, out);
	fprintf(f, "zctrace:   %s\n", ZCT_NOT_SEEN);
}

/* Every record's call sites named (names.h); a child's record is written back, the root's is
 * written with the tree. */
static void name_sites(struct record *r, size_t n, FILE *summary)
{
	struct zct_symbolizer names;
	zct_symbolizer_init(&names);
	for (size_t i = 0; i < n; i++) {
		struct zc_error err = {0};
		if (zct_names_apply(r[i].doc, &names) && i > 0 &&
		    zc_json_write_atomic(r[i].doc, r[i].path, &err) != 0)
			fprintf(summary, "zctrace: cannot name the call sites in '%s': %s\n",
				r[i].path, err.text);
	}
	zct_symbolizer_release(&names);
}

int zct_tree_gather(const char *out, FILE *summary)
{
	static struct record r[MAX_RECORDS];
	json_t *root = json_load_file(out, 0, NULL);
	if (!root) {
		fprintf(summary, "zctrace: no record in '%s'\n", out);
		return -1;
	}
	r[0] = (struct record){.path = strdup(out), .doc = root,
			       .pid = member_int(root, "process", "pid")};
	size_t n = 1 + load_children(out, r + 1, MAX_RECORDS - 1);
	name_sites(r, n, summary);
	json_t *tree = json_array();
	for (size_t i = 0; tree && i < n; i++)
		json_array_append_new(tree, entry(&r[i]));
	struct zc_error err = {0};
	int rc = tree && json_object_set_new(root, "process_tree", tree) == 0 &&
			 zc_json_write_atomic(root, out, &err) == 0
		 ? 0
		 : -1;
	print_tree(summary, out, r, n);
	if (rc != 0)
		fprintf(summary, "zctrace: cannot add the process tree to '%s': %s\n", out,
			err.text[0] ? err.text : "out of memory");
	for (size_t i = 0; i < n; i++) {
		free(r[i].path);
		json_decref(r[i].doc);
	}
	return rc;
}
