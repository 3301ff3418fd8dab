/*
 * tree.h: the wrapper's summary of every process the traced command started (tree.c).
 */
#ifndef ZC_TRACE_TREE_H
#define ZC_TRACE_TREE_H

#include <stdio.h>

/*
 * Adds "process_tree" to the record at out (the first process's) from it and its children's
 * records, and prints one summary for all of them on summary. 0, or -1 (said on summary).
 */
int zct_tree_gather(const char *out, FILE *summary);

#endif
