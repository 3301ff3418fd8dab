/*
 * human.h: figures as a person reads them, for the console (table.c): durations in the unit
 * a reader would use, ratios to a reference, "how many times". The same rules as the report's
 * jq functions (scripts/report-data.jq: sig3, fmt_ns, fmt_ratio, fmt_times), so a figure
 * reads the same on the console and in the report; never scientific notation.
 */
#ifndef ZC_HUMAN_H
#define ZC_HUMAN_H

#include <stddef.h>

/*
 * Each writes into buf (len >= 16) and returns buf; "?" for a figure that is not a number or
 * is negative (a ratio: not above 0, as the schema writes an unknown vs_memcpy).
 */

/* Nanoseconds in ns, us, ms or s, three significant figures at most: "25 ns", "1.33 ms". */
const char *zc_human_ns(double ns, char *buf, size_t len);

/* A ratio to a reference: "1.07x", "26.3x", and "1/51546x" below 0.01 (a share's cost). */
const char *zc_human_ratio(double x, char *buf, size_t len);

/* How many times one figure is another, 1 or more: "1.65x", "52,449x". */
const char *zc_human_times(double x, char *buf, size_t len);

#endif
