/*
 * gate_format.c: render a gate report as a console table, Markdown, JSON and
 * github-action-benchmark entries.
 */
#include "gate_format.h"

#include <math.h>
#include <string.h>

enum { COL_SCENARIO, COL_STRATEGY, COL_METRIC, COL_BASE, COL_CUR, COL_CHANGE, COL_P, COL_RESULT,
       NCOLS };

static const char *const headers[NCOLS] = {
	"scenario", "strategy", "metric", "baseline", "current", "change", "p-value", "result",
};

struct cells {
	char c[NCOLS][96];
};

void zc_gate_format_value(char *buf, size_t len, const json_t *v)
{
	double d = json_real_value(v);

	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v) && d == floor(d) && fabs(d) < 1e15)
		snprintf(buf, len, "%.0f", d);
	else if (json_is_real(v))
		snprintf(buf, len, "%.4g", d);
	else
		snprintf(buf, len, "-");
}

void zc_gate_format_change(char *buf, size_t len, double change)
{
	if (isnan(change))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%+.1f%%", 100 * change);
}

static void format_p(char *buf, size_t len, double p)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.2g", p);
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void zc_gate_format_summary(char *buf, size_t len, const struct zc_gate_report *rep)
{
	char missing[32] = "", added[32] = "";

	if (rep->missing)
		snprintf(missing, sizeof(missing), ", %zu missing", rep->missing);
	if (rep->added)
		snprintf(added, sizeof(added), ", %zu new", rep->added);
	snprintf(buf, len, "%zu %s, %zu %s, %zu passed%s%s (%zu %s)",
		 rep->regressions, plural(rep->regressions, "regression", "regressions"),
		 rep->improvements, plural(rep->improvements, "improvement", "improvements"),
		 rep->passed, missing, added, rep->scenarios.n,
		 plural(rep->scenarios.n, "scenario", "scenarios"));
}

void zc_gate_format_sides(FILE *fp, const struct zc_gate_report *rep, const char *base,
			  const char *cur)
{
	fprintf(fp, "baseline: %s (commit %s, %zu results %s)\n", base,
		rep->base_commit ? rep->base_commit : "unknown", rep->base_results,
		plural(rep->base_results, "file", "files"));
	fprintf(fp, "current:  %s (commit %s, %zu results %s)\n", cur,
		rep->cur_commit ? rep->cur_commit : "unknown", rep->cur_results,
		plural(rep->cur_results, "file", "files"));
}

static void row_cells(const struct zc_gate_row *r, struct cells *out)
{
	snprintf(out->c[COL_SCENARIO], sizeof(out->c[0]), "%s", r->scenario);
	snprintf(out->c[COL_STRATEGY], sizeof(out->c[0]), "%s", r->strategy);
	snprintf(out->c[COL_METRIC], sizeof(out->c[0]), "%s", r->metric);
	zc_gate_format_value(out->c[COL_BASE], sizeof(out->c[0]), r->baseline);
	zc_gate_format_value(out->c[COL_CUR], sizeof(out->c[0]), r->current);
	zc_gate_format_change(out->c[COL_CHANGE], sizeof(out->c[0]), r->change);
	format_p(out->c[COL_P], sizeof(out->c[0]), r->p);
	snprintf(out->c[COL_RESULT], sizeof(out->c[0]), "%s", zc_gate_status_name(r->status));
}

/* Text columns are aligned left, numbers right; the last column is not padded. */
static void print_line(FILE *fp, const char *const cell[NCOLS], const int width[NCOLS])
{
	for (int i = 0; i < NCOLS; i++) {
		int right = i >= COL_BASE && i <= COL_P;

		if (i == NCOLS - 1)
			fprintf(fp, "%s\n", cell[i]);
		else
			fprintf(fp, right ? "%*s  " : "%-*s  ", width[i], cell[i]);
	}
}

/* Whether row r failed the gate: a regression, or a result missing from the current run. */
static bool failed(const struct zc_gate_row *r)
{
	return r->status == ZC_GATE_REGRESSED || r->status == ZC_GATE_MISSING;
}

/* The rows of @rep, every one or (@failed_only) those that did not pass, as a table. */
static void print_table(FILE *fp, const struct zc_gate_report *rep, bool failed_only)
{
	int width[NCOLS];
	struct cells cl;
	const char *cell[NCOLS];

	for (int i = 0; i < NCOLS; i++)
		width[i] = (int)strlen(headers[i]);
	for (size_t r = 0; r < rep->nrows; r++) {
		if (failed_only && !failed(&rep->rows[r]))
			continue;
		row_cells(&rep->rows[r], &cl);
		for (int i = 0; i < NCOLS; i++)
			if ((int)strlen(cl.c[i]) > width[i])
				width[i] = (int)strlen(cl.c[i]);
	}
	print_line(fp, headers, width);
	for (size_t r = 0; r < rep->nrows; r++) {
		if (failed_only && !failed(&rep->rows[r]))
			continue;
		row_cells(&rep->rows[r], &cl);
		for (int i = 0; i < NCOLS; i++)
			cell[i] = cl.c[i];
		print_line(fp, cell, width);
	}
}

void zc_gate_format_table(FILE *fp, const struct zc_gate_report *rep)
{
	print_table(fp, rep, false);
}

void zc_gate_format_failures(FILE *fp, const struct zc_gate_report *rep)
{
	if (rep->regressions || rep->missing)
		print_table(fp, rep, true);
}

/* @s with '|' escaped, for a Markdown table cell. */
static void md_text(FILE *fp, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\')
			fputc('\\', fp);
		fputc(*s, fp);
	}
}

static void md_table(FILE *fp, const struct zc_gate_report *rep, int only, enum zc_gate_status status)
{
	struct cells cl;

	fputs("| scenario | strategy | metric | baseline | current | change | p-value | result |\n"
	      "|---|---|---|---:|---:|---:|---:|---|\n", fp);
	for (size_t r = 0; r < rep->nrows; r++) {
		if (only && rep->rows[r].status != status)
			continue;
		row_cells(&rep->rows[r], &cl);
		for (int i = 0; i < NCOLS; i++) {
			fputs(i ? " | " : "| ", fp);
			if (i == COL_RESULT && (rep->rows[r].status == ZC_GATE_REGRESSED ||
						rep->rows[r].status == ZC_GATE_MISSING))
				fputs("**regressed**", fp);
			else
				md_text(fp, cl.c[i]);
		}
		fputs(" |\n", fp);
	}
	fputc('\n', fp);
}

static void md_list(FILE *fp, const char *title, const struct zc_gate_lines *l)
{
	if (l->n == 0)
		return;
	fprintf(fp, "### %s\n\n", title);
	for (size_t i = 0; i < l->n; i++) {
		fputs("- ", fp);
		md_text(fp, l->v[i]);
		fputc('\n', fp);
	}
	fputc('\n', fp);
}

void zc_gate_format_markdown(FILE *fp, const struct zc_gate_report *rep, const struct zc_gate_options *opt,
			  const char *base, const char *cur)
{
	char summary[128];

	zc_gate_format_summary(summary, sizeof(summary), rep);
	fprintf(fp, "## zcbench gate: %s\n\n%s\n\n", rep->regressions ? "regressed" : "passed",
		summary);
	fputs("Baseline `", fp);
	md_text(fp, base);
	fprintf(fp, "` (commit %s), current `", rep->base_commit ? rep->base_commit : "unknown");
	md_text(fp, cur);
	fprintf(fp, "` (commit %s). ", rep->cur_commit ? rep->cur_commit : "unknown");
	if (opt->invariants_only)
		fputs("Invariants only: timing is not compared with a baseline from another "
		      "run.\n\n", fp);
	else
		fprintf(fp, "Timing gates%s: threshold %.0f%%, alpha %g (Holm), times relative to "
			"%s.\n\n", opt->timing_only ? " only (the exact figures are gated against "
			"the committed baseline apart)" : "", 100 * opt->threshold, opt->alpha,
			ZC_GATE_REFERENCE);
	const struct {
		size_t n;
		const char *title;
		enum zc_gate_status status;
	} sections[] = {
		{ rep->regressions, "Regressions", ZC_GATE_REGRESSED },
		{ rep->missing, "Missing from the current run", ZC_GATE_MISSING },
		{ rep->added, "New in the current run", ZC_GATE_NEW },
		{ rep->improvements, "Improvements", ZC_GATE_IMPROVED },
	};
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (!sections[i].n)
			continue;
		fprintf(fp, "### %s\n\n", sections[i].title);
		md_table(fp, rep, 1, sections[i].status);
	}
	md_list(fp, "Warnings", &rep->warnings);
	md_list(fp, "Notes", &rep->notes);
	fprintf(fp, "<details><summary>All %zu comparisons</summary>\n\n", rep->nrows);
	md_table(fp, rep, 0, ZC_GATE_PASS);
	fputs("</details>\n", fp);
}

/* A number, or null for NAN (JSON has no NaN). */
static json_t *number_or_null(double d)
{
	return isnan(d) ? json_null() : json_real(d);
}

static json_t *lines_json(const struct zc_gate_lines *l)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < l->n; i++)
		if (json_array_append_new(a, json_string(l->v[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *row_json(const struct zc_gate_row *r)
{
	json_t *row = json_pack("{s:s, s:s, s:s, s:O, s:O, s:o, s:o, s:s}",
				"scenario", r->scenario, "strategy", r->strategy, "metric", r->metric,
				"baseline", r->baseline, "current", r->current,
				"change", number_or_null(r->change), "p_value", number_or_null(r->p),
				"status", zc_gate_status_name(r->status));
	if (row && zc_gate_is_timing(r) &&
	    (json_object_set_new(row, "processes", json_pack("[I, I]", (json_int_t)r->nbase,
							      (json_int_t)r->ncur)) ||
	     json_object_set_new(row, "change_interval",
				 json_pack("[o, o]", number_or_null(r->ci_lo),
					   number_or_null(r->ci_hi))) ||
	     json_object_set_new(row, "decided", json_boolean(r->decided)) ||
	     json_object_set_new(row, "floor", json_real(r->floor)) ||
	     ((r->slow_base || r->slow_cur) &&
	      json_object_set_new(row, "slow_mode", json_pack("[I, I]", (json_int_t)r->slow_base,
							       (json_int_t)r->slow_cur))) ||
	     (!isnan(r->confirm_p) &&
	      json_object_set_new(row, "confirm",
				  json_pack("{s:f, s:f, s:[I, I]}", "change", r->confirm_change,
					    "p_value_slower", r->confirm_p, "processes",
					    (json_int_t)r->confirm_nbase,
					    (json_int_t)r->confirm_ncur))))) {
		json_decref(row);
		return NULL;
	}
	return row;
}

json_t *zc_gate_report_json(const struct zc_gate_report *rep, const struct zc_gate_options *opt,
			 const char *base, const char *cur)
{
	json_t *rows = json_array();

	for (size_t i = 0; rows && i < rep->nrows; i++)
		if (json_array_append_new(rows, row_json(&rep->rows[i]))) {
			json_decref(rows);
			rows = NULL;
		}
	if (!rows)
		return NULL;
	return json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:f, s:f, s:b, s:b, s:s, "
			 "s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:o, s:o*, s:o*}",
			 "schema", "zcgate/1", "baseline", base, "current", cur,
			 "baseline_commit", rep->base_commit, "current_commit", rep->cur_commit,
			 "threshold", opt->threshold, "alpha", opt->alpha,
			 "invariants_only", opt->invariants_only, "timing_only", opt->timing_only,
			 "result", rep->regressions ? "regressed" : "passed",
			 "summary", "regressions", (json_int_t)rep->regressions,
			 "improvements", (json_int_t)rep->improvements,
			 "passed", (json_int_t)rep->passed,
			 "missing", (json_int_t)rep->missing,
			 "new", (json_int_t)rep->added,
			 "scenarios", (json_int_t)rep->scenarios.n,
			 "rows", rows, "warnings", lines_json(&rep->warnings),
			 "notes", lines_json(&rep->notes));
}

static const char *metric_unit(const char *metric)
{
	if (!strcmp(metric, ZC_GATE_TIME_METRIC))
		return "x " ZC_GATE_REFERENCE;
	if (!strcmp(metric, ZC_GATE_TIME_SAME_MACHINE))
		return "ns per transfer";
	if (!strcmp(metric, "copies.bytes_per_transfer"))
		return "bytes copied per transfer";
	if (!strcmp(metric, "allocations.frame_sized_per_transfer"))
		return "frame-sized allocations per transfer";
	if (!strcmp(metric, "allocations.live_at_end"))
		return "allocations live at end";
	const struct zc_schema_field *f = zc_schema_find(ZC_SCHEMA_RESULT, metric);
	return f ? f->unit : "";
}

static json_t *benchmark_entry(const struct zc_gate_row *r)
{
	char name[256], base[64], change[32], p[32], extra[256];

	snprintf(name, sizeof(name), "%s/%s %s", r->scenario, r->strategy, r->metric);
	zc_gate_format_value(base, sizeof(base), r->baseline);
	zc_gate_format_change(change, sizeof(change), r->change);
	format_p(p, sizeof(p), r->p);
	snprintf(extra, sizeof(extra), "baseline %s, change %s, p-value %s: %s", base, change, p,
		 zc_gate_status_name(r->status));
	return json_pack("{s:s, s:s, s:f, s:s}", "name", name, "unit", metric_unit(r->metric),
			 "value", json_number_value(r->current), "extra", extra);
}

json_t *zc_gate_github_benchmark(const struct zc_gate_report *rep)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < rep->nrows; i++) {
		if (!json_is_number(rep->rows[i].current))
			continue;
		if (json_array_append_new(a, benchmark_entry(&rep->rows[i]))) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}
