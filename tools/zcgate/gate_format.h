/*
 * gate_format.h: the ways a gate report is shown: a console table, a Markdown summary for CI,
 * JSON for machines and github-action-benchmark's customSmallerIsBetter entries.
 */
#ifndef ZC_GATE_FORMAT_H
#define ZC_GATE_FORMAT_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#include "gate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A compared value as text: "zero-copy", "true", "8294400", "2.013". */
void zc_gate_format_value(char *buf, size_t len, const json_t *v);

/* A relative change as text: "+20.0%", "-3.1%", or "-" when there is none. */
void zc_gate_format_change(char *buf, size_t len, double change);

/* "2 regressions, 1 improvement, 40 passed (3 scenarios)". */
void zc_gate_format_summary(char *buf, size_t len, const struct zc_gate_report *rep);

/* Two lines naming each side: its path, the commit it was built from, its files. */
void zc_gate_format_sides(FILE *fp, const struct zc_gate_report *rep, const char *base,
			  const char *cur);

/* Every row in fixed-width columns under a header line. */
void zc_gate_format_table(FILE *fp, const struct zc_gate_report *rep);
/*
 * The same table with only the rows that did not pass (regressed, missing); nothing when
 * every row passed. Improvements and new rows are in the closing line's counts (--all lists
 * them).
 */
void zc_gate_format_failures(FILE *fp, const struct zc_gate_report *rep);

/* A CI job summary: the verdict, regressions and improvements first, then every row. */
void zc_gate_format_markdown(FILE *fp, const struct zc_gate_report *rep, const struct zc_gate_options *opt,
			  const char *base, const char *cur);

/* The report as a "zcgate/1" JSON object (new reference), or NULL when out of memory. */
json_t *zc_gate_report_json(const struct zc_gate_report *rep, const struct zc_gate_options *opt,
			 const char *base, const char *cur);

/*
 * The current run's numeric metrics as github-action-benchmark "customSmallerIsBetter"
 * entries: [{"name", "unit", "value", "extra"}] (new reference), or NULL when out of memory.
 */
json_t *zc_gate_github_benchmark(const struct zc_gate_report *rep);

#ifdef __cplusplus
}
#endif

#endif
