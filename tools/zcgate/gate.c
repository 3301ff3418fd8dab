/*
 * gate.c: the comparison behind zcgate: invariant gates, exact, and timing gates relative to
 * reference_memcpy with a Mann-Whitney test (see gate.h for the rules).
 */
#include "gate.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "grow.h"
#include "mannwhitney.h"
#include "modes.h"
#include "schema.h"
#include "shift.h"

/*
 * The exact invariants, their rules and their order are schema.h's (ZC_GATED rows):
 * zc_schema_invariant(0), (1)... until NULL.
 */

/* A result in one run, with the file it came from. */
struct side {
	const struct zc_results_file *file;
	const json_t *result;
};

/*
 * One strategy of one scenario, with every result for it on each side: an A/B run keeps
 * one file per measuring process, and the gate pools them.
 */
struct group {
	const char *scenario;
	const char *strategy;
	struct side *base;
	size_t nbase;
	struct side *cur;
	size_t ncur;
};

struct ctx {
	const struct zc_gate_options *opt;
	struct zc_gate_report *rep;
	int nomem;		/* set by any allocation that failed */
};
void zc_gate_options_init(struct zc_gate_options *opt)
{
	*opt = (struct zc_gate_options){ .threshold = ZC_GATE_DEFAULT_THRESHOLD,
					 .alpha = ZC_GATE_DEFAULT_ALPHA };
}

const char *zc_gate_status_name(enum zc_gate_status status)
{
	switch (status) {
	case ZC_GATE_PASS: return "pass";
	case ZC_GATE_REGRESSED: return "regressed";
	case ZC_GATE_IMPROVED: return "improved";
	case ZC_GATE_MISSING: return "missing";
	case ZC_GATE_NEW: return "new";
	}
	return "unknown";
}

/* Add a line to @l unless it is there already. */
static void lines_add(struct ctx *c, struct zc_gate_lines *l, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void lines_add(struct ctx *c, struct zc_gate_lines *l, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		c->nomem = 1;
		return;
	}
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s)) {
			free(s);
			return;
		}
	if (zc_grow(&l->v, &l->cap, l->n, sizeof(*l->v), 8) != 0) {
		free(s);
		c->nomem = 1;
		return;
	}
	l->v[l->n++] = s;
}

static void lines_release(struct zc_gate_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	*l = (struct zc_gate_lines){ 0 };
}

/* Append a row; it takes over @b and @cv. */
static struct zc_gate_row *add_row(struct ctx *c, const struct group *g, const char *metric,
				   json_t *b, json_t *cv, double change, double p,
				   enum zc_gate_status status)
{
	struct zc_gate_report *rep = c->rep;
	struct zc_gate_row *row;

	if (zc_grow(&rep->rows, &rep->caprows, rep->nrows, sizeof(*rep->rows), 32) != 0)
		goto out_nomem;
	row = &rep->rows[rep->nrows];
	*row = (struct zc_gate_row){ .metric = metric, .baseline = b, .current = cv,
				  .change = change, .p = p, .status = status,
				  .confirm_change = NAN, .confirm_p = NAN,
				  .confirm_moved = NAN };
	row->scenario = strdup(g->scenario);
	row->strategy = strdup(g->strategy);
	rep->nrows++;	/* released with the report even when a strdup failed */
	if (!row->scenario || !row->strategy || !b || !cv) {
		c->nomem = 1;
		return NULL;
	}
	rep->regressions += status == ZC_GATE_REGRESSED;
	rep->improvements += status == ZC_GATE_IMPROVED;
	rep->passed += status == ZC_GATE_PASS;
	return row;

out_nomem:
	json_decref(b);
	json_decref(cv);
	c->nomem = 1;
	return NULL;
}

static enum zc_gate_status fewer(double b, double cv)
{
	return cv > b ? ZC_GATE_REGRESSED : cv < b ? ZC_GATE_IMPROVED : ZC_GATE_PASS;
}

/* Bytes compared in hundredths of a frame (as they are when the frame is unknown). */
static enum zc_gate_status fewer_frames(double b, double cv, double frame_bytes)
{
	if (frame_bytes > 0)
		return fewer(round(b / frame_bytes * 100), round(cv / frame_bytes * 100));
	return fewer(b, cv);
}

/*
 * runtime: a runtime's own threads kept blocks in either result (runtime_row): its collector
 * or interpreter adds blocks and pages of its own, so ZC_RULE_BLOCKS and ZC_RULE_PAGES give it
 * their runtime slack.
 */
static enum zc_gate_status judge(enum zc_schema_rule rule, const json_t *b, const json_t *cv,
				 double frame_bytes, bool runtime)
{
	const double page = (double)sysconf(_SC_PAGESIZE);

	switch (rule) {
	case ZC_RULE_FRAMES:
		return fewer_frames(json_number_value(b), json_number_value(cv), frame_bytes);
	case ZC_RULE_VERDICT:
		if (json_equal((json_t *)b, (json_t *)cv))
			return ZC_GATE_PASS;
		if (!strcmp(json_string_value(b), "copy") &&
		    !strcmp(json_string_value(cv), "zero-copy"))
			return ZC_GATE_IMPROVED;
		return ZC_GATE_REGRESSED;
	case ZC_RULE_SHARING:
		if (json_equal((json_t *)b, (json_t *)cv))
			return ZC_GATE_PASS;
		return json_is_true(b) ? ZC_GATE_REGRESSED : ZC_GATE_IMPROVED;
	case ZC_RULE_PAGES: {
		double x = json_number_value(b), y = json_number_value(cv);
		double hundredths = frame_bytes > 0 ? fabs(y - x) * page / frame_bytes * 100 : 0;
		double slack = runtime ? ZC_RUNTIME_PAGES_SLACK_HUNDREDTHS : ZC_PAGES_SLACK_HUNDREDTHS;
		if (frame_bytes > 0 && (hundredths <= slack ||
					fabs(y - x) <= fabs(x) * ZC_PAGES_SLACK_PCT / 100))
			return ZC_GATE_PASS;
		return fewer_frames(x * page, y * page, frame_bytes);
	}
	case ZC_RULE_SHARED: /* more shared is fewer unshared */
		return fewer(round((1 - json_number_value(b)) * 100),
			     round((1 - json_number_value(cv)) * 100));
	case ZC_RULE_FEWER:
		return fewer(json_number_value(b), json_number_value(cv));
	case ZC_RULE_BLOCKS: {
		double x = json_number_value(b), y = json_number_value(cv);
		double slack = runtime ? ZC_RUNTIME_BLOCK_SLACK : 0;
		return y > x && y <= x + slack ? ZC_GATE_PASS : fewer(x, y);
	}
	case ZC_RULE_NONE:
		break;
	}
	return ZC_GATE_REGRESSED;
}

static double relative_change(double b, double cv)
{
	if (b == cv)
		return 0;
	return b != 0 ? cv / b - 1 : (double)NAN;
}

static double frame_bytes(const struct zc_results_file *f)
{
	return (double)(f->width * f->height * ZC_BYTES_PER_PIXEL);
}

/* A runtime's row: its own threads kept blocks in either result. */
static bool runtime_row(const json_t *base, const json_t *cur)
{
	const json_t *b = zc_results_field(base, "allocations.runtime_live_at_end");
	const json_t *c = zc_results_field(cur, "allocations.runtime_live_at_end");
	return (json_is_integer(b) && json_integer_value(b) != 0) ||
	       (json_is_integer(c) && json_integer_value(c) != 0);
}

/*
 * Warn when the results of one side disagree on an invariant: an exact count that changes
 * from one measuring process to the next is not exact, and the gate compares the first.
 */
static void check_agreement(struct ctx *c, const struct group *g, const struct side *v, size_t n,
			    const struct zc_schema_field *inv, const char *what)
{
	const json_t *first = zc_results_field(v[0].result, inv->path);
	const json_t *pages = zc_results_field(v[0].result, "pages_written.unavailable");

	for (size_t i = 1; i < n; i++) {
		const json_t *other = zc_results_field(v[i].result, inv->path);

		const json_t *other_pages = zc_results_field(v[i].result,
							     "pages_written.unavailable");

		/* A run without the pages (--no-pages) saw less: not a disagreement. */
		if ((pages || other_pages) && !json_equal((json_t *)pages, (json_t *)other_pages))
			continue;
		if (other && first && !json_is_null(first) && !json_is_null(other) &&
		    judge(inv->rule, first, other, frame_bytes(v[0].file),
			  runtime_row(v[0].result, v[i].result)) != ZC_GATE_PASS) {
			lines_add(c, &c->rep->warnings, "%s/%s: '%s' differs between the %s's "
				  "results ('%s' and '%s'): the first is compared", g->scenario,
				  g->strategy, inv->path, what, v[0].file->path, v[i].file->path);
			return;
		}
	}
}

static void gate_invariants(struct ctx *c, const struct group *g)
{
	const struct zc_schema_field *inv;

	for (size_t i = 0; (inv = zc_schema_invariant(i)); i++) {
		const char *metric = inv->path;
		json_t *b = zc_results_field(g->base[0].result, metric);
		json_t *cv = zc_results_field(g->cur[0].result, metric);
		double change = NAN;

		if (!b || !cv) {
			lines_add(c, &c->rep->notes, "%s/%s: '%s' absent in %s, not compared",
				  g->scenario, g->strategy, metric,
				  !b && !cv ? "both runs" : !b ? "the baseline" : "the current run");
			continue;
		}
		if (json_is_null(b) || json_is_null(cv)) { /* the instrument was not there */
			if (!json_is_null(b) || !json_is_null(cv))
				lines_add(c, &c->rep->notes, "%s/%s: '%s' not measured in %s, "
					  "not compared", g->scenario, g->strategy, metric,
					  json_is_null(b) ? "the baseline" : "the current run");
			continue;
		}
		check_agreement(c, g, g->base, g->nbase, inv, "baseline");
		check_agreement(c, g, g->cur, g->ncur, inv, "current run");
		if (json_is_number(b))
			change = relative_change(json_number_value(b), json_number_value(cv));
		add_row(c, g, metric, json_incref(b), json_incref(cv), change, NAN,
			judge(inv->rule, b, cv, frame_bytes(g->base[0].file),
			      runtime_row(g->base[0].result, g->cur[0].result)));
	}
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of @n > 0 values; @v is sorted in place. */
static double median(double *v, size_t n)
{
	assert(n > 0);
	qsort(v, n, sizeof(*v), compare_doubles);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A growing array of doubles. */
struct values {
	double *v;
	size_t n, cap;
};

static void values_push(struct ctx *c, struct values *vs, double d)
{
	if (zc_grow(&vs->v, &vs->cap, vs->n, sizeof(*vs->v), 16) != 0) {
		c->nomem = 1;
		return;
	}
	vs->v[vs->n++] = d;
}

/* The median of reference_memcpy's samples in @s's file, or 0 with a warning. */
static double reference_median(struct ctx *c, const struct group *g, const struct side *s)
{
	const json_t *ref = zc_results_lookup(s->file, g->scenario, ZC_GATE_REFERENCE);
	const json_t *arr = zc_results_field(ref, "time.samples");
	struct values rv = { 0 };
	double rmed = 0;

	if (!ref) {
		lines_add(c, &c->rep->warnings, "no '%s' for scenario '%s' in '%s': timing gates "
			  "skipped", ZC_GATE_REFERENCE, g->scenario, s->file->path);
		return 0;
	}
	for (size_t i = 0; i < json_array_size(arr); i++)
		values_push(c, &rv, json_number_value(json_array_get(arr, i)));
	if (rv.n == 0) {
		lines_add(c, &c->rep->warnings, "'%s' has no samples for scenario '%s' in '%s': "
			  "timing gates skipped", ZC_GATE_REFERENCE, g->scenario, s->file->path);
		return 0;
	}
	rmed = median(rv.v, rv.n);
	free(rv.v);
	if (!(rmed > 0))
		lines_add(c, &c->rep->warnings, "'%s' has a median of 0 for scenario '%s' in '%s': "
			  "timing gates skipped", ZC_GATE_REFERENCE, g->scenario, s->file->path);
	return rmed > 0 ? rmed : 0;
}

/*
 * The figures at @field of every result of one side, each divided by the median of
 * reference_memcpy's samples in its own file (measured by the same program seconds before),
 * or by nothing with same_machine (gate.h), pooled into @out. Returns -1, with a note or a warning saying why, when timing cannot be
 * compared.
 */
static int ratios(struct ctx *c, const struct group *g, const struct side *v, size_t n,
		  const char *field, struct values *out)
{
	for (size_t i = 0; i < n; i++) {
		const json_t *arr = zc_results_field(v[i].result, field);
		double rmed = c->opt->same_machine ? 1 : reference_median(c, g, &v[i]);

		if (rmed == 0)
			return -1;
		if (json_array_size(arr) == 0) {
			lines_add(c, &c->rep->notes, "%s/%s: '%s' absent in '%s', not compared",
				  g->scenario, g->strategy, field, v[i].file->path);
			return -1;
		}
		for (size_t k = 0; k < json_array_size(arr); k++)
			values_push(c, out, json_number_value(json_array_get(arr, k)) / rmed);
	}
	return c->nomem ? -1 : 0;
}

static size_t count_all(const struct side *v, size_t n, const char *field)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += json_array_size(zc_results_field(v[i].result, field));
	return total;
}

/*
 * What the test compares: each measuring process's median when both runs recorded enough of
 * them, else every repetition. Repetitions within one process share its page placement and
 * allocator state, so they are not independent: two processes of one build can differ by
 * 10-30%, and a test over repetitions would call that a change. Processes are independent.
 */
static const char *timing_unit(const struct group *g)
{
	size_t nb = count_all(g->base, g->nbase, "time.process_medians");
	size_t nc = count_all(g->cur, g->ncur, "time.process_medians");
	return nb >= ZC_GATE_MIN_PROCESSES && nc >= ZC_GATE_MIN_PROCESSES ? "time.process_medians"
									   : "time.samples";
}

/* The pooled test's level: alpha, or half of it beside a confirmation (gate.h). */
static double pooled_alpha(const struct zc_gate_options *opt)
{
	return opt->confirm_base && opt->confirm_cur ? opt->alpha / 2 : opt->alpha;
}

/* The confirmation's level: alpha after a screen, else half of it (gate.h). */
static double confirm_alpha(const struct zc_gate_options *opt)
{
	return opt->screened ? opt->alpha : opt->alpha / 2;
}

/*
 * A change counts when it passes the threshold, the test and the floor (it moved the row by
 * more than @floor); a screen's never.
 */
static enum zc_gate_status judge_time(const struct zc_gate_options *opt, double change, double p,
				      double moved, double floor)
{
	if (opt->screened || !(fabs(moved) > floor))
		return ZC_GATE_PASS;
	if (p < pooled_alpha(opt) && change > opt->threshold)
		return ZC_GATE_REGRESSED;
	if (p < pooled_alpha(opt) && change < -opt->threshold)
		return ZC_GATE_IMPROVED;
	return ZC_GATE_PASS;
}

/*
 * The floor of @g's timing rows in their unit (ZC_GATE_FLOOR): a share of the median of the
 * baseline's reference_memcpy medians in ns, or of one memcpy itself when the rows are ratios
 * to it. 0 (no floor) when a baseline file has no reference: ratios() warns about it.
 */
static double floor_of(struct ctx *c, const struct group *g)
{
	struct values m = { 0 };
	double floor = 0;

	if (!c->opt->same_machine)
		return ZC_GATE_FLOOR;
	for (size_t i = 0; i < g->nbase; i++) {
		const json_t *ref = zc_results_lookup(g->base[i].file, g->scenario,
						      ZC_GATE_REFERENCE);
		const json_t *arr = zc_results_field(ref, "time.samples");
		struct values rv = { 0 };

		for (size_t k = 0; k < json_array_size(arr); k++)
			values_push(c, &rv, json_number_value(json_array_get(arr, k)));
		if (rv.n)
			values_push(c, &m, median(rv.v, rv.n));
		free(rv.v);
	}
	if (m.n)
		floor = ZC_GATE_FLOOR * median(m.v, m.n);
	free(m.v);
	return floor;
}

static void warn_weak(struct ctx *c, const struct group *g, bool by_process, size_t nb, size_t nc)
{
	if (by_process && (nb < ZC_GATE_GOOD_PROCESSES || nc < ZC_GATE_GOOD_PROCESSES))
		lines_add(c, &c->rep->warnings, "scenario '%s' was measured in %zu processes in the "
			  "baseline and %zu in the current run: with fewer than %d the Mann-Whitney "
			  "test is weak", g->scenario, nb, nc, ZC_GATE_GOOD_PROCESSES);
	if (!by_process && (nb < ZC_GATE_MIN_REPETITIONS || nc < ZC_GATE_MIN_REPETITIONS))
		lines_add(c, &c->rep->warnings, "scenario '%s' has %zu repetitions in the baseline "
			  "and %zu in the current run: with fewer than %d the Mann-Whitney test "
			  "is weak", g->scenario, nb, nc, ZC_GATE_MIN_REPETITIONS);
}

/* The logarithms of @v's values into @out; false when one is not positive. */
static bool logs(const struct values *v, double *out)
{
	for (size_t i = 0; i < v->n; i++) {
		if (!(v->v[i] > 0))
			return false;
		out[i] = log(v->v[i]);
	}
	return true;
}

/*
 * The interval of @row's change at ZC_GATE_STOP_LEVEL, from the logarithms of the ratios
 * (a shift of the logarithms is a factor), and whether it lies inside the threshold.
 */
static void change_interval(struct ctx *c, struct zc_gate_row *row, const struct values *b,
			    const struct values *cv)
{
	struct zc_shift sh;
	double *lb = malloc(b->n * sizeof(*lb)), *lc = malloc(cv->n * sizeof(*lc));

	row->ci_lo = row->ci_hi = NAN;
	if (!lb || !lc) {
		c->nomem = 1;
	} else if (logs(b, lb) && logs(cv, lc)) {
		if (zc_shift_ci(lb, b->n, lc, cv->n, ZC_GATE_STOP_LEVEL, &sh) != 0)
			c->nomem = 1;
		else if (sh.k > 0) {
			row->ci_lo = exp(sh.lo) - 1;
			row->ci_hi = exp(sh.hi) - 1;
			row->decided = row->ci_lo > -c->opt->threshold &&
				       row->ci_hi < c->opt->threshold;
		}
	}
	free(lb);
	free(lc);
}

bool zc_gate_is_timing(const struct zc_gate_row *r)
{
	return !strcmp(r->metric, ZC_GATE_TIME_METRIC) ||
	       !strcmp(r->metric, ZC_GATE_TIME_SAME_MACHINE);
}

bool zc_gate_undecided(const struct zc_gate_row *r)
{
	return zc_gate_is_timing(r) && !r->decided;
}

/* Keeps the values of @v at or below @cut, in place. */
static void keep_below(struct values *v, double cut)
{
	size_t k = 0;
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i] <= cut)
			v->v[k++] = v->v[i];
	v->n = k;
}

/*
 * When @b and @cv fall in two modes on both sides (modes.h), keeps their fast mode only and
 * says how often each side was slow; the mix is chance, the fast mode is the strategy's cost.
 * A change that moves every process (a slowdown of 2x) is not two modes: its sides do not
 * share them. 0, or -1 when out of memory.
 */
static int fast_mode(struct ctx *c, const struct group *g, struct values *b, struct values *cv,
		     struct zc_modes *modes)
{
	if (zc_modes_find(b->v, b->n, cv->v, cv->n, modes) != 0) {
		c->nomem = 1;
		return -1;
	}
	if (!modes->two)
		return 0;
	lines_add(c, &c->rep->notes, "%s/%s: two modes %.1fx apart, slow in %zu of %zu "
		  "processes of the baseline and %zu of %zu of the current run: compared within "
		  "the fast mode", g->scenario, g->strategy, modes->gap, modes->slow_base, b->n,
		  modes->slow_cur, cv->n);
	keep_below(b, modes->cut);
	keep_below(cv, modes->cut);
	return 0;
}

/* Every result for @scenario/@strategy in @set, in file order, into a new array. */
static struct side *collect(struct ctx *c, const struct zc_results_set *set, const char *scenario,
			    const char *strategy, size_t *n)
{
	struct side *v = calloc(set->nfiles ? set->nfiles : 1, sizeof(*v));

	*n = 0;
	if (!v) {
		c->nomem = 1;
		return NULL;
	}
	for (size_t i = 0; i < set->nfiles; i++) {
		const json_t *r = zc_results_lookup(&set->files[i], scenario, strategy);

		if (r)
			v[(*n)++] = (struct side){ &set->files[i], r };
	}
	return v;
}

/*
 * The confirmation's figures for @row (gate.h): its process medians in the later rounds
 * alone, within their fast mode when they fall in two, and the one-sided p-value that the
 * current run is slower. Left NAN when either side has fewer than 2 processes there.
 */
static void confirm_row(struct ctx *c, const struct group *g, struct zc_gate_row *row)
{
	struct group later = { .scenario = g->scenario, .strategy = g->strategy };
	struct values b = { 0 }, cv = { 0 };
	struct zc_mw_result mw;
	struct zc_modes modes;
	double bmed, cmed;

	later.base = collect(c, c->opt->confirm_base, g->scenario, g->strategy, &later.nbase);
	later.cur = collect(c, c->opt->confirm_cur, g->scenario, g->strategy, &later.ncur);
	if (!later.base || !later.cur || !later.nbase || !later.ncur ||
	    ratios(c, &later, later.base, later.nbase, "time.process_medians", &b) ||
	    ratios(c, &later, later.cur, later.ncur, "time.process_medians", &cv))
		goto out_free;
	if (zc_modes_find(b.v, b.n, cv.v, cv.n, &modes) != 0) {
		c->nomem = 1;
		goto out_free;
	}
	if (modes.two) {
		keep_below(&b, modes.cut);
		keep_below(&cv, modes.cut);
		row->confirm_two_modes = true;
	}
	if (b.n < 2 || cv.n < 2)
		goto out_free;
	if (zc_mw_test(b.v, b.n, cv.v, cv.n, &mw)) {
		c->nomem = 1;
		goto out_free;
	}
	bmed = median(b.v, b.n);
	cmed = median(cv.v, cv.n);
	if (!(bmed > 0))
		goto out_free;
	row->confirm_change = cmed / bmed - 1;
	row->confirm_moved = cmed - bmed;
	row->confirm_p = row->confirm_change > 0 ? mw.p / 2 : 1 - mw.p / 2;
	row->confirm_nbase = b.n;
	row->confirm_ncur = cv.n;
out_free:
	free(later.base);
	free(later.cur);
	free(b.v);
	free(cv.v);
}

static void gate_timing(struct ctx *c, const struct group *g)
{
	struct values b = { 0 }, cv = { 0 };
	struct zc_mw_result mw;
	struct zc_modes modes;
	struct zc_gate_row *row;
	double bmed, cmed;

	if (!strcmp(g->strategy, ZC_GATE_REFERENCE))
		return;
	const char *unit = timing_unit(g);
	const bool by_process = !strcmp(unit, "time.process_medians");
	if (ratios(c, g, g->base, g->nbase, unit, &b) || ratios(c, g, g->cur, g->ncur, unit, &cv))
		goto out_free;
	if (fast_mode(c, g, &b, &cv, &modes))
		goto out_free;
	warn_weak(c, g, by_process, b.n, cv.n);
	if (zc_mw_test(b.v, b.n, cv.v, cv.n, &mw)) {
		c->nomem = 1;
		goto out_free;
	}
	bmed = median(b.v, b.n);
	cmed = median(cv.v, cv.n);
	if (!(bmed > 0)) {
		lines_add(c, &c->rep->notes, "%s/%s: median time of 0 in the baseline, timing not "
			  "compared", g->scenario, g->strategy);
		goto out_free;
	}
	const double floor = floor_of(c, g);
	row = add_row(c, g, c->opt->same_machine ? ZC_GATE_TIME_SAME_MACHINE : ZC_GATE_TIME_METRIC,
		      json_real(bmed), json_real(cmed), cmed / bmed - 1, mw.p,
		      judge_time(c->opt, cmed / bmed - 1, mw.p, cmed - bmed, floor));
	if (row) {
		row->floor = floor;
		if (row->status != judge_time(c->opt, row->change, mw.p, cmed - bmed, 0))
			lines_add(c, &c->rep->notes, "%s/%s: time changed %+.1f%% (p %.2g), but by "
				  "%.3g, under the floor of %.3g (%g of a memcpy of the frame): "
				  "passed", g->scenario, g->strategy, 100 * row->change, mw.p,
				  cmed - bmed, floor, ZC_GATE_FLOOR);
		row->nbase = b.n;
		row->ncur = cv.n;
		row->by_process = by_process;
		row->slow_base = modes.two ? modes.slow_base : 0;
		row->slow_cur = modes.two ? modes.slow_cur : 0;
		change_interval(c, row, &b, &cv);
		if (c->opt->confirm_base && c->opt->confirm_cur)
			confirm_row(c, g, row);
	}
out_free:
	free(b.v);
	free(cv.v);
}

/* The context value at dotted @field of @f as text, or NULL when it is absent. */
static char *context_text(const struct zc_results_file *f, const char *field)
{
	const json_t *v = zc_results_field(json_object_get(f->root, "context"), field);

	if (!v || json_is_null(v))
		return NULL;
	return json_dumps(v, JSON_ENCODE_ANY);
}

/*
 * What must be the same on both sides for a comparison to mean anything. The frame is
 * checked apart (EFRAME). Copies and allocations depend on the allocator and on whether the
 * counting allocator was there; timing also on the build and on quick or full runs.
 */
static const char *const invariant_context[] = { "allocator.name", "counting_allocator", NULL };
static const char *const timing_context[] = { "allocator.name", "counting_allocator", "build",
					      "quick", NULL };

static int same_context(const struct zc_gate_options *opt, const struct zc_results_file *b,
			const struct zc_results_file *cv, struct zc_error *err)
{
	const char *const *fields = opt->invariants_only ? invariant_context : timing_context;

	for (size_t i = 0; fields[i]; i++) {
		char *x = context_text(b, fields[i]), *y = context_text(cv, fields[i]);
		int differ = x && y && strcmp(x, y);

		if (differ)
			zc_error_set(err, ZC_RESULTS_ECONTEXT,
				     "different context.%s: '%s' has %s, '%s' has %s", fields[i],
				     b->path, x, cv->path, y);
		free(x);
		free(y);
		if (differ)
			return -1;
	}
	return 0;
}

/* Compare one strategy present on both sides. */
static int compare_group(struct ctx *c, const struct group *g, struct zc_error *err)
{
	if (zc_results_same_frame(g->base[0].file, g->cur[0].file, err) ||
	    same_context(c->opt, g->base[0].file, g->cur[0].file, err))
		return -1;
	lines_add(c, &c->rep->scenarios, "%s", g->scenario);
	if (!c->opt->timing_only)
		gate_invariants(c, g);
	if (!c->opt->invariants_only)
		gate_timing(c, g);
	return 0;
}

/* A strategy on one side only: missing from the current run, or new in it. */
static void one_side_only(struct ctx *c, const struct group *g, bool missing)
{
	struct zc_gate_row *row;

	row = add_row(c, g, "result", json_string(missing ? "present" : "absent"),
		      json_string(missing ? "absent" : "present"), NAN, NAN,
		      missing ? ZC_GATE_MISSING : ZC_GATE_NEW);
	if (!row)
		return;
	if (!missing) {
		c->rep->added++;
		return;
	}
	c->rep->missing++;
	if (c->opt->allow_missing)
		lines_add(c, &c->rep->notes, "%s/%s: missing from the current run, allowed by "
			  "--allow-missing", g->scenario, g->strategy);
	else
		c->rep->regressions++;
}

/* 1 when @scenario/@strategy came before result @k of file @fi in @set. */
static bool seen_before(const struct zc_results_set *set, size_t fi, size_t k,
			const char *scenario, const char *strategy)
{
	for (size_t i = 0; i <= fi; i++) {
		const json_t *results = json_object_get(set->files[i].root, "results");
		size_t end = i == fi ? k : json_array_size(results);

		for (size_t j = 0; j < end; j++) {
			const json_t *r = json_array_get(results, j);

			if (!strcmp(zc_results_scenario(&set->files[i], r), scenario) &&
			    !strcmp(json_string_value(json_object_get(r, "strategy")), strategy))
				return true;
		}
	}
	return false;
}

/*
 * Walk the distinct strategies of @from; for each, gather its results on both sides and
 * compare them (@from is the baseline) or, from the current run, list those that are new.
 */
static int walk(struct ctx *c, const struct zc_results_set *from, const struct zc_results_set *base,
		const struct zc_results_set *cur, struct zc_error *err)
{
	const bool from_base = from == base;

	for (size_t i = 0; i < from->nfiles && !c->nomem; i++) {
		size_t k;
		json_t *r;

		json_array_foreach(json_object_get(from->files[i].root, "results"), k, r) {
			struct group g = {
				.scenario = zc_results_scenario(&from->files[i], r),
				.strategy = json_string_value(json_object_get(r, "strategy")),
			};
			int rc = 0;

			if (seen_before(from, i, k, g.scenario, g.strategy))
				continue;
			g.base = collect(c, base, g.scenario, g.strategy, &g.nbase);
			g.cur = collect(c, cur, g.scenario, g.strategy, &g.ncur);
			if (g.base && g.cur) {
				if (g.nbase && g.ncur && from_base)
					rc = compare_group(c, &g, err);
				else if (!g.nbase || !g.ncur)
					one_side_only(c, &g, from_base);
			}
			free(g.base);
			free(g.cur);
			if (rc)
				return -1;
		}
	}
	return 0;
}

/* The smallest p-value the test can give for samples of @nb and @nc values. */
static double smallest_p(size_t nb, size_t nc)
{
	struct zc_mw_result mw = { .p = 1 };
	double *x = malloc((nb + nc) * sizeof(*x));

	if (!x)
		return 0; /* cannot tell: do not refuse */
	for (size_t i = 0; i < nb + nc; i++)
		x[i] = (double)i;
	if (zc_mw_test(x, nb, x + nb, nc, &mw))
		mw.p = 0;
	free(x);
	return mw.p;
}

/*
 * After a screen, refuse a confirmation that cannot find a regression: a suspect's later
 * rounds must be able to reach the one-sided p < alpha / m of Holm's first step over the m
 * rows they measured (make gate measures at least that many rounds).
 */
static int check_confirm_power(struct ctx *c, struct zc_error *err)
{
	const struct zc_gate_report *rep = c->rep;
	size_t m = 0;

	for (size_t i = 0; i < rep->nrows; i++)
		m += zc_gate_is_timing(&rep->rows[i]) && !isnan(rep->rows[i].confirm_p);
	for (size_t i = 0; i < rep->nrows; i++) {
		const struct zc_gate_row *r = &rep->rows[i];
		double need = confirm_alpha(c->opt) / (double)m;
		size_t n = 2;

		if (!zc_gate_is_timing(r) || isnan(r->confirm_p) ||
		    smallest_p(r->confirm_nbase, r->confirm_ncur) / 2 < need)
			continue;
		/* Two modes: which one a process lands in is chance; the fast one may be small. */
		if (r->confirm_two_modes) {
			lines_add(c, &c->rep->warnings, "%s/%s: %zu and %zu processes in the fast "
				  "mode of its later rounds cannot confirm a regression among %zu "
				  "rows: measure more (GATE_MAX_ROUNDS, GATE_BUDGET)", r->scenario,
				  r->strategy, r->confirm_nbase, r->confirm_ncur, m);
			continue;
		}
		while (n < 64 && smallest_p(n, n) / 2 >= need)
			n++;
		return zc_error_set(err, ZC_RESULTS_EUNDERPOWERED,
			"cannot confirm a timing regression: '%s/%s' has %zu processes in the "
			"baseline's later rounds and %zu in the current run's, whose smallest "
			"possible one-sided p-value %.2g is not below alpha/%zu = %.2g (Holm over the "
			"%zu rows they measured): measure at least %zu a side", r->scenario,
			r->strategy, r->confirm_nbase, r->confirm_ncur,
			smallest_p(r->confirm_nbase, r->confirm_ncur) / 2, m, need, m, n);
	}
	return 0;
}

/*
 * Refuse a comparison that cannot find a timing regression: a single regression among m
 * timing tests must reach p < alpha / m under Holm's correction, and with few processes the
 * test cannot give a p-value that small however large the change.
 */
static int check_power(struct ctx *c, struct zc_error *err)
{
	if (c->opt->screened)
		return check_confirm_power(c, err);

	const struct zc_gate_report *rep = c->rep;
	size_t m = 0;

	for (size_t i = 0; i < rep->nrows; i++)
		m += zc_gate_is_timing(&rep->rows[i]);
	for (size_t i = 0; i < rep->nrows; i++) {
		const struct zc_gate_row *r = &rep->rows[i];
		double need = pooled_alpha(c->opt) / (double)m, p;
		size_t n = 2;

		/* A row whose interval lies inside the threshold has its answer. */
		if (!zc_gate_is_timing(r) || r->decided ||
		    smallest_p(r->nbase, r->ncur) < need)
			continue;
		/* Two modes: which one a process lands in is chance; the fast one may be small. */
		if (r->slow_base || r->slow_cur) {
			lines_add(c, &c->rep->warnings, "%s/%s: %zu and %zu processes in its fast "
				  "mode cannot show a regression among %zu timing tests: measure "
				  "more (GATE_MAX_ROUNDS, GATE_BUDGET)", r->scenario, r->strategy,
				  r->nbase, r->ncur, m);
			continue;
		}
		p = smallest_p(r->nbase, r->ncur);
		while (n < 64 && smallest_p(n, n) >= need)
			n++;
		return zc_error_set(err, ZC_RESULTS_EUNDERPOWERED,
			"cannot detect a timing regression: '%s/%s' has %zu %s in the baseline and "
			"%zu in the current run, whose smallest possible p-value %.2g is not below "
			"alpha/%zu = %.2g (Holm over %zu timing tests): measure at least %zu %s a side",
			r->scenario, r->strategy, r->nbase, r->by_process ? "processes" : "repetitions",
			r->ncur, p, m, need, m, n, r->by_process ? "processes" : "repetitions");
	}
	return 0;
}

static const struct zc_gate_row *sort_rows; /* for by_p: qsort passes no context */

static int by_p(const void *a, const void *b)
{
	double x = sort_rows[*(const size_t *)a].p, y = sort_rows[*(const size_t *)b].p;
	return (x > y) - (x < y);
}

static int by_confirm_p(const void *a, const void *b)
{
	double x = sort_rows[*(const size_t *)a].confirm_p;
	double y = sort_rows[*(const size_t *)b].confirm_p;
	return (x > y) - (x < y);
}

/*
 * The timing rows with a p-value (the pooled test's, or with @confirm the confirmation's), by
 * that p-value, smallest first: a new array of their indexes, *m of them; NULL when out of
 * memory.
 */
static size_t *timing_rows_by(struct ctx *c, bool confirm, size_t *m)
{
	struct zc_gate_report *rep = c->rep;
	size_t *idx = malloc((rep->nrows + 1) * sizeof(*idx));

	*m = 0;
	if (!idx) {
		c->nomem = 1;
		return NULL;
	}
	for (size_t i = 0; i < rep->nrows; i++)
		if (zc_gate_is_timing(&rep->rows[i]) &&
		    !isnan(confirm ? rep->rows[i].confirm_p : rep->rows[i].p))
			idx[(*m)++] = i;
	sort_rows = rep->rows;
	qsort(idx, *m, sizeof(*idx), confirm ? by_confirm_p : by_p);
	return idx;
}

/*
 * Holm's step-down correction over the timing rows. One run makes dozens of timing tests; at
 * alpha each, noise alone would fail a run every few. The k-th smallest p-value (k from 0)
 * of m must be below alpha / (m - k), and once one is not, none after it counts.
 */
static void correct_timing(struct ctx *c)
{
	struct zc_gate_report *rep = c->rep;
	size_t m, *idx = timing_rows_by(c, false, &m);
	if (!idx)
		return;
	bool holds = true;
	for (size_t k = 0; k < m; k++) {
		struct zc_gate_row *r = &rep->rows[idx[k]];
		holds = holds && r->p < pooled_alpha(c->opt) / (double)(m - k);
		if (holds || r->status == ZC_GATE_PASS)
			continue;
		lines_add(c, &rep->notes, "%s/%s: time changed %+.1f%% (p %.2g), not significant "
			  "among the run's %zu timing tests (Holm)", r->scenario, r->strategy,
			  100 * r->change, r->p, m);
		rep->regressions -= r->status == ZC_GATE_REGRESSED;
		rep->improvements -= r->status == ZC_GATE_IMPROVED;
		rep->passed++;
		r->status = ZC_GATE_PASS;
	}
	free(idx);
}

/*
 * The confirmation (gate.h): Holm's step-down over the rows the later rounds measured, at
 * alpha / 2 (alpha after a screen), one-sided; a row slower there by more than the threshold
 * regresses, whatever the pooled test said.
 */
static void confirm_timing(struct ctx *c)
{
	struct zc_gate_report *rep = c->rep;
	const double alpha = confirm_alpha(c->opt);
	size_t m, *idx = timing_rows_by(c, true, &m);

	if (!idx)
		return;
	for (size_t k = 0; k < m; k++) {
		struct zc_gate_row *r = &rep->rows[idx[k]];

		if (!(r->confirm_p < alpha / (double)(m - k)))
			break;
		if (!(r->confirm_change > c->opt->threshold) || r->status == ZC_GATE_REGRESSED)
			continue;
		if (!(r->confirm_moved > r->floor)) {
			lines_add(c, &rep->notes, "%s/%s: %+.1f%% slower in the later rounds alone "
				  "(one-sided p %.2g), but by %.3g, under the floor of %.3g (%g of "
				  "a memcpy of the frame): passed", r->scenario, r->strategy,
				  100 * r->confirm_change, r->confirm_p, r->confirm_moved,
				  r->floor, ZC_GATE_FLOOR);
			continue;
		}
		lines_add(c, &rep->notes, "%s/%s: %+.1f%% slower in the later rounds alone (%zu "
			  "and %zu processes, one-sided p %.2g, Holm over the %zu rows they "
			  "measured): regressed", r->scenario, r->strategy,
			  100 * r->confirm_change, r->confirm_nbase, r->confirm_ncur, r->confirm_p, m);
		rep->passed -= r->status == ZC_GATE_PASS;
		rep->improvements -= r->status == ZC_GATE_IMPROVED;
		rep->regressions++;
		r->status = ZC_GATE_REGRESSED;
	}
	free(idx);
}

/* After a screen, a note saying on what the timing rows were judged. */
static void note_screen(struct ctx *c)
{
	size_t m = 0, later = 0;

	for (size_t i = 0; i < c->rep->nrows; i++) {
		m += zc_gate_is_timing(&c->rep->rows[i]);
		later += zc_gate_is_timing(&c->rep->rows[i]) && !isnan(c->rep->rows[i].confirm_p);
	}
	if (m == 0)
		return;
	lines_add(c, &c->rep->notes, "timing screened: %zu of %zu timing rows judged on their "
		  "later rounds alone (the suspects, slower by more than half the threshold at "
		  "the first look); the others' pooled figures are the screen's, not a test", later,
		  m);
}

/* The commit a side was built from (its first file's context.git_commit), or NULL. */
static char *side_commit(const struct zc_results_set *set)
{
	const json_t *v;

	if (set->nfiles == 0)
		return NULL;
	v = zc_results_field(json_object_get(set->files[0].root, "context"), "git_commit");
	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

int zc_gate_compare(const struct zc_results_set *base, const struct zc_results_set *cur,
		 const struct zc_gate_options *opt, struct zc_gate_report *rep,
		 struct zc_error *err)
{
	struct ctx c = { .opt = opt, .rep = rep };

	assert(base && cur && opt && rep);
	*rep = (struct zc_gate_report){ 0 };
	rep->base_commit = side_commit(base);
	rep->cur_commit = side_commit(cur);
	rep->base_results = base->nfiles;
	rep->cur_results = cur->nfiles;
	if (walk(&c, base, base, cur, err) || walk(&c, cur, base, cur, err))
		goto out_release;
	if (rep->scenarios.n == 0) {
		zc_error_set(err, ZC_RESULTS_ENOCOMMON,
			     "no results in common between '%s' and '%s'", base->path, cur->path);
		goto out_release;
	}
	if (!c.nomem && !opt->interim && check_power(&c, err))
		goto out_release;
	correct_timing(&c);
	if (opt->confirm_base && opt->confirm_cur)
		confirm_timing(&c);
	if (opt->screened && !opt->invariants_only)
		note_screen(&c);
	if (c.nomem) {
		zc_error_set(err, ZC_RESULTS_ENOMEM, "cannot compare '%s' and '%s': out of memory",
			     base->path, cur->path);
		goto out_release;
	}
	return 0;

out_release:
	zc_gate_report_release(rep);
	return -1;
}

void zc_gate_report_release(struct zc_gate_report *rep)
{
	for (size_t i = 0; i < rep->nrows; i++) {
		free(rep->rows[i].scenario);
		free(rep->rows[i].strategy);
		json_decref(rep->rows[i].baseline);
		json_decref(rep->rows[i].current);
	}
	free(rep->rows);
	free(rep->base_commit);
	free(rep->cur_commit);
	lines_release(&rep->notes);
	lines_release(&rep->warnings);
	lines_release(&rep->scenarios);
	*rep = (struct zc_gate_report){ 0 };
}
