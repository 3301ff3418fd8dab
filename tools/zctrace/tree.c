/*
 * tree.c: the wrapper's one answer for a whole process tree. Every traced process writes its
 * own record (the first process OUT, each other OUT with ".<pid>" before ".json", beside OUT
 * or in --out-dir) and, under the wrapper, prints nothing; once the program has exited, the
 * wrapper reads back the records of this run (each says its run's id: a record left by an
 * earlier run with the same names is not this run's), adds "process_tree" to OUT, naming
 * every record with its process and what it copied, and prints one summary: the lines of
 * each process that copied something large, one line for those that did not.
 */
#include "tree.h"

#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coverage.h"
#include "fdio.h"
#include "json.h"
#include "names.h"
#include "out.h"
#include "pairs.h"

/* Records are read back from the files the tracer wrote; at most this many processes. */
#define MAX_RECORDS 4096

static int by_pid(const void *a, const void *b)
{
	const struct zct_record *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static long long member_int(json_t *doc, const char *object, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(doc, object), key));
}

static bool is_record(json_t *doc)
{
	const char *schema = json_string_value(json_object_get(doc, "schema"));
	return schema && !strncmp(schema, "zctrace/", 8);
}

static bool of_run(json_t *doc, const char *run)
{
	const char *its = json_string_value(json_object_get(json_object_get(doc, "process"), "run"));
	return is_record(doc) && its && !strcmp(its, run);
}

/* The children's records: OUT's stem, a dot, digits, ".json", in dir or beside OUT. */
static int glob_children(const char *out, const char *dir, glob_t *g)
{
	char pattern[8400];
	zct_child_record(pattern, sizeof(pattern), out, dir, "[0-9]*");
	return pattern[0] ? glob(pattern, 0, NULL, g) : GLOB_NOMATCH;
}

/*
 * The JSON document in the file at path, or NULL. Read whole, then parsed: json_load_file
 * reads a byte at a time through stdio's locked getc, a third of the parse (node's record).
 */
static json_t *load_record(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t len;
	char *text = zc_read_whole(fd, &len);
	close(fd);
	json_t *doc = text ? json_loadb(text, len, 0, NULL) : NULL;
	free(text);
	return doc;
}

static void load_children(struct zct_tree *t, const char *out, const char *dir, const char *run)
{
	glob_t g;
	if (glob_children(out, dir, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc && t->n < MAX_RECORDS; i++) {
		json_t *doc = load_record(g.gl_pathv[i]);
		if (!doc || !of_run(doc, run)) {
			t->stale += doc != NULL;
			json_decref(doc);
			continue;
		}
		t->r[t->n++] = (struct zct_record){.path = strdup(g.gl_pathv[i]), .doc = doc,
						   .pid = (long)member_int(doc, "process", "pid")};
	}
	globfree(&g);
	qsort(t->r + 1, t->n - 1, sizeof(*t->r), by_pid);
}

int zct_tree_load(struct zct_tree *t, const char *out, const char *dir, const char *run)
{
	*t = (struct zct_tree){0};
	json_t *root = load_record(out);
	if (!root || !of_run(root, run)) {
		json_decref(root);
		return -1;
	}
	t->r = calloc(MAX_RECORDS, sizeof(*t->r));
	if (!t->r) {
		json_decref(root);
		return -1;
	}
	t->r[0] = (struct zct_record){.path = strdup(out), .doc = root,
				      .pid = (long)member_int(root, "process", "pid")};
	t->n = 1;
	load_children(t, out, dir, run);
	return 0;
}

void zct_tree_name(struct zct_tree *t, FILE *summary)
{
	struct zct_symbolizer names;
	zct_symbolizer_init(&names);
	for (size_t i = 0; i < t->n; i++) {
		struct zc_error err = {0};
		if (zct_names_apply(t->r[i].doc, &names) && i > 0 &&
		    zc_json_write_atomic(t->r[i].doc, t->r[i].path, &err) != 0)
			fprintf(summary, "zctrace: cannot name the call sites in '%s': %s\n",
				t->r[i].path, err.text);
	}
	zct_symbolizer_release(&names);
}

size_t zct_tree_remove_stale(const char *out, const char *dir)
{
	glob_t g;
	size_t removed = 0;
	if (glob_children(out, dir, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		json_t *doc = load_record(g.gl_pathv[i]);
		if (doc && is_record(doc) && unlink(g.gl_pathv[i]) == 0)
			removed++;
		json_decref(doc);
	}
	globfree(&g);
	return removed;
}

long long zct_tree_sum(const struct zct_tree *t, const char *object, const char *key)
{
	long long sum = 0;
	for (size_t i = 0; i < t->n; i++) {
		json_t *o = json_object_get(t->r[i].doc, "summary");
		if (object)
			o = json_object_get(o, object);
		sum += json_integer_value(json_object_get(o, key));
	}
	return sum;
}

/* True when the record holds a copy the summary shows: lines under its first. */
static bool copied(json_t *doc)
{
	return json_array_size(json_object_get(doc, "summary_lines")) > 0 ||
	       member_int(doc, "summary", "large_copies") > 0;
}

const char *zct_record_name(json_t *doc)
{
	const char *exe = json_string_value(json_object_get(json_object_get(doc, "process"), "exe"));
	const char *slash = exe ? strrchr(exe, '/') : NULL;
	return slash ? slash + 1 : exe ? exe : "?";
}

/* "static program /path": why the record's program was not traced (untraced.h), or NULL. */
static const char *not_traced(json_t *doc)
{
	return json_string_value(json_object_get(doc, "not_traced"));
}

static json_t *entry(const struct zct_record *r)
{
	json_t *p = json_object_get(r->doc, "process");
	json_t *e = json_pack("{s:I, s:I, s:O, s:O, s:s, s:I, s:I, s:b}", "pid",
			 json_integer_value(json_object_get(p, "pid")), "ppid",
			 json_integer_value(json_object_get(p, "ppid")), "exe",
			 json_object_get(p, "exe"), "argv", json_object_get(p, "argv"), "record",
			 r->path, "large_copies", (json_int_t)member_int(r->doc, "summary", "large_copies"),
			 "large_copy_bytes",
			 (json_int_t)member_int(r->doc, "summary", "large_copy_bytes"), "copied",
			 copied(r->doc));
	if (e && not_traced(r->doc))
		json_object_set_new(e, "not_traced", json_string(not_traced(r->doc)));
	return e;
}

static void print_lines(FILE *f, const struct zct_record *r, bool named)
{
	size_t i;
	json_t *line;
	json_array_foreach(json_object_get(r->doc, "summary_lines"), i, line)
		if (named)
			fprintf(f, "zctrace:   %s [pid %ld]: %s\n", zct_record_name(r->doc), r->pid,
				json_string_value(line));
		else
			fprintf(f, "zctrace:   %s\n", json_string_value(line));
}

/* The summary: totals over the tree, each copying process's lines, the quiet ones counted. */
void zct_tree_print(const struct zct_tree *t, const char *out, json_t *pairs, FILE *f)
{
	const struct zct_record *r = t->r;
	long long sites = zct_tree_sum(t, "site_copies", "sites");
	long long bytes = zct_tree_sum(t, "site_copies", "bytes");
	long long allocs = zct_tree_sum(t, NULL, "large_allocations"), quiet = 0;
	size_t i;
	for (i = 1; i < t->n; i++)
		quiet += !copied(r[i].doc) && !not_traced(r[i].doc);
	long long min = member_int(r[0].doc, "process", "min_bytes");
	char b[32], m[32];
	zct_thousands((uint64_t)bytes, b, sizeof(b));
	zct_thousands((uint64_t)min, m, sizeof(m));
	fprintf(f, "zctrace: %s [pid %ld]", zct_record_name(r[0].doc), r[0].pid);
	if (t->n > 1)
		fprintf(f, " and %zu other process%s", t->n - 1, t->n == 2 ? "" : "es");
	fprintf(f, ": " ZCT_HEADLINE " -> %s\n", b, (unsigned long long)sites, sites == 1 ? "" : "s",
		(unsigned long long)allocs, allocs == 1 ? "" : "s", m, out);
	for (i = 0; i < t->n; i++) {
		if (i == 0 || copied(r[i].doc))
			print_lines(f, &r[i], t->n > 1);
		if (not_traced(r[i].doc))
			fprintf(f, "zctrace:   %s [pid %ld]: not traced: %s (LD_PRELOAD cannot "
				   "reach it)\n", zct_record_name(r[i].doc), r[i].pid,
				not_traced(r[i].doc));
	}
	if (quiet)
		fprintf(f, "zctrace:   %lld other process%s copied nothing of %s bytes or more "
			   "(their records: \"process_tree\" in %s)\n",
			quiet, quiet == 1 ? "" : "es", m, out);
	if (t->stale)
		fprintf(f, "zctrace:   %zu record%s of another run ignored\n", t->stale,
			t->stale == 1 ? "" : "s");
	zct_pairs_print(pairs, out, f);
	fprintf(f, "zctrace:   %s\n", ZCT_NOT_SEEN);
}

int zct_tree_write(const struct zct_tree *t, const char *out, FILE *f)
{
	json_t *tree = json_array();
	for (size_t i = 0; tree && i < t->n; i++)
		json_array_append_new(tree, entry(&t->r[i]));
	struct zc_error err = {0};
	if (tree && json_object_set_new(t->r[0].doc, "process_tree", tree) == 0 &&
	    zc_json_write_atomic(t->r[0].doc, out, &err) == 0)
		return 0;
	fprintf(f, "zctrace: cannot add the process tree to '%s': %s\n", out,
		err.text[0] ? err.text : "out of memory");
	return -1;
}

void zct_tree_free(struct zct_tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->r[i].path);
		json_decref(t->r[i].doc);
	}
	free(t->r);
	*t = (struct zct_tree){0};
}
