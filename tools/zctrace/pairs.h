/*
 * pairs.h: the probe pairs of a whole run (pairs.c). The marks of every process are paired
 * by label (a tag's part before its first ':') in the order they were made, across the
 * processes (their monotonic time), and each pair is judged from the records (judge.h).
 */
#ifndef ZC_TRACE_PAIRS_H
#define ZC_TRACE_PAIRS_H

#include <stdio.h>

#include <jansson.h>

#include "tree.h"

/*
 * {"pairs": [...], "unpaired": [...]}: the run's pairs and the marks left over (the root
 * record's "probe_pairs"; docs/zctrace.md). NULL when out of memory.
 */
json_t *zct_pairs_make(const struct zct_tree *t);

/* One line per pair on f (at most a screenful, then how many more), and the unpaired. */
void zct_pairs_print(json_t *pairs, const char *out, FILE *f);

/* "frame:rust [pid 7] and frame:dart [pid 8]" into buf. */
const char *zct_pair_between(json_t *pair, char *buf, size_t len);

/*
 * Who wrote the second mark's bytes: the copy or kernel read with the most bytes ("memcpy
 * from probe_demo+0x14e5 [pid 7]", "read from a pipe by handover:main [pid 8] (127 calls)"),
 * how many others, or the proof when none was seen. Into buf.
 */
const char *zct_pair_by(json_t *pair, char *buf, size_t len);

#endif
