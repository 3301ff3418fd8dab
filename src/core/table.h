/*
 * table.h: the summary table printed at the end of a scenario run: one row per strategy
 * (verdict, median, ratio to memcpy, spread, frames copied, frame-sized allocations, faults,
 * leaks, flags), what the cheapest share saves against the cheapest copy, and on request the
 * evidence in words.
 */
#ifndef ZC_TABLE_H
#define ZC_TABLE_H

#include <stdbool.h>
#include <stdio.h>

#include "results.h"

/* Repetitions spread more than this (cv) make a row "noisy". */
#define ZC_NOISY_CV 0.05

/* The row's flags, space-separated, into buf ("" when none). */
void zc_table_flags(const struct zc_result *res, char *buf, size_t len);

void zc_table_print(FILE *f, const struct zc_results *r, bool evidence);

#endif
