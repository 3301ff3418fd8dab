/*
 * tree.h: the records of every process a traced command started, read back by the wrapper
 * once the command has exited (tree.c), its summary, and the root record it completes.
 */
#ifndef ZC_TRACE_TREE_H
#define ZC_TRACE_TREE_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

/* One process's record. */
struct zct_record {
	char *path;
	json_t *doc;
	long pid;
};

/* A run's records: the first process's (OUT) first, then the others by pid. */
struct zct_tree {
	struct zct_record *r;
	size_t n;
	size_t stale; /* records of other runs found where this run's are, and ignored */
};

/*
 * Reads the record at out and those of the run's other processes (out.h, zct_child_record:
 * in dir, or beside out when dir is NULL) whose "run" is run; records of other runs are
 * counted in stale. 0, or -1 when out holds no record of this run (t is then empty).
 */
int zct_tree_load(struct zct_tree *t, const char *out, const char *dir, const char *run);

/*
 * Names every record's call sites (names.h: function and file:line from the symbol tables and
 * DWARF, once per site); a child's record is written back, the root's with the tree. What
 * could not be written is said on summary.
 */
void zct_tree_name(struct zct_tree *t, FILE *summary);

/*
 * Removes the records of earlier runs that lie where this run's children will write theirs
 * (dir, or beside out): zctrace records only (their "schema"), any run. Returns how many.
 */
size_t zct_tree_remove_stale(const char *out, const char *dir);

/*
 * Prints the summary: the totals over the tree, each copying process's lines, the quiet ones
 * counted, a line per pair of pairs (zct_pairs_make; may be NULL), what is not seen.
 */
void zct_tree_print(const struct zct_tree *t, const char *out, json_t *pairs, FILE *f);

/* Sums summary.OBJECT.KEY (summary.KEY when object is NULL) over every record. */
long long zct_tree_sum(const struct zct_tree *t, const char *object, const char *key);

/* "python3.11": the program's name in a record. */
const char *zct_record_name(json_t *doc);

/*
 * Adds "process_tree" (every record with its process and what it copied) to the root record
 * and writes it to out. 0, or -1 with the reason said on f.
 */
int zct_tree_write(const struct zct_tree *t, const char *out, FILE *f);

void zct_tree_free(struct zct_tree *t);

#endif
