/*
 * table.h: the summary table printed at the end of a scenario run: one row per strategy
 * (verdict, median, ratio to memcpy, spread, frames copied, frame-sized allocations, faults,
 * leaks, flags as verdict.c decided them), what the cheapest share saves against the cheapest copy, and on request the
 * evidence in words.
 */
#ifndef ZC_TABLE_H
#define ZC_TABLE_H

#include <stdbool.h>
#include <stdio.h>

#include "results.h"

/*
 * Prints @r's table; its rows judged already (verdict.h): the flags are theirs. @machine, when
 * not NULL, is one line printed above it: the busy machine's warning (machine.h).
 */
void zc_table_print(FILE *f, const struct zc_results *r, const char *machine, bool evidence);

#endif
