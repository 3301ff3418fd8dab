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

#include "frame.h"
#include "mannwhitney.h"

enum rule {
	RULE_VERDICT,	/* "copy" to "zero-copy" improves, any other change regresses */
	RULE_SHARING,	/* true to false regresses, false to true improves */
	RULE_FEWER,	/* a larger number regresses, a smaller one improves */
	RULE_FRAMES,	/* RULE_FEWER on bytes counted in hundredths of a frame */
};

static const struct {
	const char *metric;
	enum rule rule;
} invariants[] = {
	{ "identity.verdict", RULE_VERDICT },
	{ "identity.same_address", RULE_SHARING },
	{ "identity.aliasing_visible", RULE_SHARING },
	/*
	 * Copied bytes include a growing buffer's realloc moves, which depend on what lies
	 * beside it in the heap and differ by a few KiB from run to run: compared to a hundredth
	 * of a frame, an extra copy of the frame (or of 1% of it) still shows.
	 */
	{ "copies.bytes_per_transfer", RULE_FRAMES },
	{ "allocations.frame_sized_per_transfer", RULE_FEWER },
	{ "allocations.live_at_end", RULE_FEWER },
};

/* A result in one run, with the file it came from. */
struct side {
	const struct zc_results_file *file;
	const json_t *result;
};

/* One strategy present in both runs. */
struct pair {
	const char *scenario;
	const char *strategy;
	struct side base;
	struct side cur;
};

struct ctx {
	const struct zc_gate_options *opt;
	struct zc_gate_report *rep;
	int nomem;		/* set by any allocation that failed */
};

void zc_gate_options_init(struct zc_gate_options *opt)
{
	opt->threshold = ZC_GATE_DEFAULT_THRESHOLD;
	opt->alpha = ZC_GATE_DEFAULT_ALPHA;
}

const char *zc_gate_status_name(enum zc_gate_status status)
{
	switch (status) {
	case ZC_GATE_PASS: return "pass";
	case ZC_GATE_REGRESSED: return "regressed";
	case ZC_GATE_IMPROVED: return "improved";
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
	if (l->n == l->cap) {
		char **nv = realloc(l->v, (l->cap ? 2 * l->cap : 8) * sizeof(*nv));

		if (!nv) {
			free(s);
			c->nomem = 1;
			return;
		}
		l->v = nv;
		l->cap = l->cap ? 2 * l->cap : 8;
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
static void add_row(struct ctx *c, const struct pair *pr, const char *metric, json_t *b,
		    json_t *cv, double change, double p, enum zc_gate_status status)
{
	struct zc_gate_report *rep = c->rep;
	struct zc_gate_row *row;

	if (rep->nrows == rep->caprows) {
		size_t cap = rep->caprows ? 2 * rep->caprows : 32;
		struct zc_gate_row *nrows = realloc(rep->rows, cap * sizeof(*nrows));

		if (!nrows)
			goto out_nomem;
		rep->rows = nrows;
		rep->caprows = cap;
	}
	row = &rep->rows[rep->nrows];
	*row = (struct zc_gate_row){ .metric = metric, .baseline = b, .current = cv,
				  .change = change, .p = p, .status = status };
	row->scenario = strdup(pr->scenario);
	row->strategy = strdup(pr->strategy);
	rep->nrows++;	/* released with the report even when a strdup failed */
	if (!row->scenario || !row->strategy || !b || !cv) {
		c->nomem = 1;
		return;
	}
	rep->regressions += status == ZC_GATE_REGRESSED;
	rep->improvements += status == ZC_GATE_IMPROVED;
	rep->passed += status == ZC_GATE_PASS;
	return;

out_nomem:
	json_decref(b);
	json_decref(cv);
	c->nomem = 1;
}

static enum zc_gate_status fewer(double b, double cv)
{
	return cv > b ? ZC_GATE_REGRESSED : cv < b ? ZC_GATE_IMPROVED : ZC_GATE_PASS;
}

static enum zc_gate_status judge(enum rule rule, const json_t *b, const json_t *cv,
				 double frame_bytes)
{
	switch (rule) {
	case RULE_FRAMES:
		if (frame_bytes > 0)
			return fewer(round(json_number_value(b) / frame_bytes * 100),
				     round(json_number_value(cv) / frame_bytes * 100));
		return fewer(json_number_value(b), json_number_value(cv));
	case RULE_VERDICT:
		if (json_equal((json_t *)b, (json_t *)cv))
			return ZC_GATE_PASS;
		if (!strcmp(json_string_value(b), "copy") &&
		    !strcmp(json_string_value(cv), "zero-copy"))
			return ZC_GATE_IMPROVED;
		return ZC_GATE_REGRESSED;
	case RULE_SHARING:
		if (json_equal((json_t *)b, (json_t *)cv))
			return ZC_GATE_PASS;
		return json_is_true(b) ? ZC_GATE_REGRESSED : ZC_GATE_IMPROVED;
	case RULE_FEWER:
		return fewer(json_number_value(b), json_number_value(cv));
	}
	return ZC_GATE_REGRESSED;
}

static double relative_change(double b, double cv)
{
	if (b == cv)
		return 0;
	return b != 0 ? cv / b - 1 : (double)NAN;
}

static void zc_gate_invariants(struct ctx *c, const struct pair *pr)
{
	for (size_t i = 0; i < sizeof(invariants) / sizeof(invariants[0]); i++) {
		const char *metric = invariants[i].metric;
		json_t *b = zc_results_field(pr->base.result, metric);
		json_t *cv = zc_results_field(pr->cur.result, metric);
		double change = NAN;

		if (!b || !cv) {
			lines_add(c, &c->rep->notes, "%s/%s: '%s' absent in %s, not compared",
				  pr->scenario, pr->strategy, metric,
				  !b && !cv ? "both runs" : !b ? "the baseline" : "the current run");
			continue;
		}
		if (json_is_number(b))
			change = relative_change(json_number_value(b), json_number_value(cv));
		add_row(c, pr, metric, json_incref(b), json_incref(cv), change, NAN,
			judge(invariants[i].rule, b, cv,
			      (double)(pr->base.file->width * pr->base.file->height * ZC_BYTES_PER_PIXEL)));
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

/* The numbers at @field of @result in a new array, or NULL (none, empty or out of memory). */
static double *numbers(struct ctx *c, const json_t *result, const char *field, size_t *n)
{
	const json_t *arr = zc_results_field(result, field);
	double *v;

	*n = json_array_size(arr);
	if (*n == 0)
		return NULL;
	v = malloc(*n * sizeof(*v));
	if (!v) {
		c->nomem = 1;
		return NULL;
	}
	for (size_t i = 0; i < *n; i++)
		v[i] = json_number_value(json_array_get(arr, i));
	return v;
}

/*
 * The figures at @field of @s divided by the median of reference_memcpy's samples in the
 * same file, or NULL with a note or a warning saying why timing cannot be compared.
 */
static double *ratios(struct ctx *c, const struct pair *pr, const struct side *s,
		      const char *field, size_t *n)
{
	const json_t *ref = zc_results_lookup(s->file, pr->scenario, ZC_GATE_REFERENCE);
	double *v, *rv, rmed;
	size_t rn;

	if (!ref) {
		lines_add(c, &c->rep->warnings, "no '%s' for scenario '%s' in '%s': timing gates "
			  "skipped", ZC_GATE_REFERENCE, pr->scenario, s->file->path);
		return NULL;
	}
	rv = numbers(c, ref, "time.samples", &rn);
	if (!rv) {
		lines_add(c, &c->rep->warnings, "'%s' has no samples for scenario '%s' in '%s': "
			  "timing gates skipped", ZC_GATE_REFERENCE, pr->scenario, s->file->path);
		return NULL;
	}
	rmed = median(rv, rn);
	free(rv);
	if (!(rmed > 0)) {
		lines_add(c, &c->rep->warnings, "'%s' has a median of 0 for scenario '%s' in '%s': "
			  "timing gates skipped", ZC_GATE_REFERENCE, pr->scenario, s->file->path);
		return NULL;
	}
	v = numbers(c, s->result, field, n);
	if (!v) {
		lines_add(c, &c->rep->notes, "%s/%s: '%s' absent in '%s', not compared",
			  pr->scenario, pr->strategy, field, s->file->path);
		return NULL;
	}
	for (size_t i = 0; i < *n; i++)
		v[i] /= rmed;
	return v;
}

/*
 * What the test compares: each measuring process's median when both runs recorded enough of
 * them, else every repetition. Repetitions within one process share its page placement and
 * allocator state, so they are not independent: two processes of one build can differ by
 * 10-30%, and a test over repetitions would call that a change. Processes are independent.
 */
static const char *timing_unit(const struct pair *pr)
{
	size_t nb = json_array_size(zc_results_field(pr->base.result, "time.process_medians"));
	size_t nc = json_array_size(zc_results_field(pr->cur.result, "time.process_medians"));
	return nb >= ZC_GATE_MIN_PROCESSES && nc >= ZC_GATE_MIN_PROCESSES ? "time.process_medians"
									   : "time.samples";
}

/* A change counts when it passes both the threshold and the test. */
static enum zc_gate_status judge_time(const struct zc_gate_options *opt, double change, double p)
{
	if (p < opt->alpha && change > opt->threshold)
		return ZC_GATE_REGRESSED;
	if (p < opt->alpha && change < -opt->threshold)
		return ZC_GATE_IMPROVED;
	return ZC_GATE_PASS;
}

static void zc_gate_timing(struct ctx *c, const struct pair *pr)
{
	size_t nb = 0, nc = 0;
	double *b, *cv = NULL, bmed, cmed;
	struct zc_mw_result mw;

	if (!strcmp(pr->strategy, ZC_GATE_REFERENCE))
		return;
	const char *unit = timing_unit(pr);
	const bool by_process = !strcmp(unit, "time.process_medians");
	b = ratios(c, pr, &pr->base, unit, &nb);
	if (b)
		cv = ratios(c, pr, &pr->cur, unit, &nc);
	if (!b || !cv)
		goto out_free;
	if (by_process && (nb < ZC_GATE_GOOD_PROCESSES || nc < ZC_GATE_GOOD_PROCESSES))
		lines_add(c, &c->rep->warnings, "scenario '%s' was measured in %zu processes in the "
			  "baseline and %zu in the current run: with fewer than %d the Mann-Whitney "
			  "test is weak", pr->scenario, nb, nc, ZC_GATE_GOOD_PROCESSES);
	if (!by_process && (nb < ZC_GATE_MIN_REPETITIONS || nc < ZC_GATE_MIN_REPETITIONS))
		lines_add(c, &c->rep->warnings, "scenario '%s' has %zu repetitions in the baseline "
			  "and %zu in the current run: with fewer than %d the Mann-Whitney test "
			  "is weak", pr->scenario, nb, nc, ZC_GATE_MIN_REPETITIONS);
	if (zc_mw_test(b, nb, cv, nc, &mw)) {
		c->nomem = 1;
		goto out_free;
	}
	bmed = median(b, nb);
	cmed = median(cv, nc);
	if (!(bmed > 0)) {
		lines_add(c, &c->rep->notes, "%s/%s: median time of 0 in the baseline, timing not "
			  "compared", pr->scenario, pr->strategy);
		goto out_free;
	}
	add_row(c, pr, ZC_GATE_TIME_METRIC, json_real(bmed), json_real(cmed), cmed / bmed - 1,
		mw.p, judge_time(c->opt, cmed / bmed - 1, mw.p));
out_free:
	free(b);
	free(cv);
}

/* Find @r of @bf in @cur; 1 with @pr filled in when found. */
static int match(const struct zc_results_file *bf, const json_t *r, const struct zc_results_set *cur,
		 struct pair *pr)
{
	pr->scenario = zc_results_scenario(bf, r);
	pr->strategy = json_string_value(json_object_get(r, "strategy"));
	pr->base = (struct side){ bf, r };
	for (size_t i = 0; i < cur->nfiles; i++) {
		const json_t *cr = zc_results_lookup(&cur->files[i], pr->scenario, pr->strategy);

		if (cr) {
			pr->cur = (struct side){ &cur->files[i], cr };
			return 1;
		}
	}
	return 0;
}

/* Note the results of @set that @other lacks; @what names @set. */
static void note_unmatched(struct ctx *c, const struct zc_results_set *set,
			   const struct zc_results_set *other, const char *what)
{
	for (size_t i = 0; i < set->nfiles; i++) {
		size_t k;
		json_t *r;

		json_array_foreach(json_object_get(set->files[i].root, "results"), k, r) {
			struct pair pr;

			if (!match(&set->files[i], r, other, &pr))
				lines_add(c, &c->rep->notes, "%s/%s: only in the %s, not compared",
					  pr.scenario, pr.strategy, what);
		}
	}
}

static int compare_all(struct ctx *c, const struct zc_results_set *base,
		       const struct zc_results_set *cur, struct zc_results_error *err)
{
	for (size_t i = 0; i < base->nfiles; i++) {
		size_t k;
		json_t *r;

		json_array_foreach(json_object_get(base->files[i].root, "results"), k, r) {
			struct pair pr;

			if (!match(&base->files[i], r, cur, &pr))
				continue;
			if (zc_results_same_frame(pr.base.file, pr.cur.file, err))
				return -1;
			lines_add(c, &c->rep->scenarios, "%s", pr.scenario);
			zc_gate_invariants(c, &pr);
			zc_gate_timing(c, &pr);
		}
	}
	return 0;
}

static const struct zc_gate_row *sort_rows; /* for by_p: qsort passes no context */

static int by_p(const void *a, const void *b)
{
	double x = sort_rows[*(const size_t *)a].p, y = sort_rows[*(const size_t *)b].p;
	return (x > y) - (x < y);
}

/*
 * Holm's step-down correction over the timing rows. One run makes dozens of timing tests; at
 * alpha each, noise alone would fail a run every few. The k-th smallest p-value (k from 0)
 * of m must be below alpha / (m - k), and once one is not, none after it counts.
 */
static void correct_timing(struct ctx *c)
{
	struct zc_gate_report *rep = c->rep;
	size_t m = 0, *idx = malloc((rep->nrows + 1) * sizeof(*idx));
	if (!idx) {
		c->nomem = 1;
		return;
	}
	for (size_t i = 0; i < rep->nrows; i++)
		if (!strcmp(rep->rows[i].metric, ZC_GATE_TIME_METRIC) && !isnan(rep->rows[i].p))
			idx[m++] = i;
	sort_rows = rep->rows;
	qsort(idx, m, sizeof(*idx), by_p);
	bool holds = true;
	for (size_t k = 0; k < m; k++) {
		struct zc_gate_row *r = &rep->rows[idx[k]];
		holds = holds && r->p < c->opt->alpha / (double)(m - k);
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

int zc_gate_compare(const struct zc_results_set *base, const struct zc_results_set *cur,
		 const struct zc_gate_options *opt, struct zc_gate_report *rep,
		 struct zc_results_error *err)
{
	struct ctx c = { .opt = opt, .rep = rep };

	assert(base && cur && opt && rep);
	*rep = (struct zc_gate_report){ 0 };
	if (compare_all(&c, base, cur, err))
		goto out_release;
	if (rep->scenarios.n == 0) {
		zc_results_error_set(err, ZC_RESULTS_ENOCOMMON, "no results in common between '%s' and '%s'",
				  base->path, cur->path);
		goto out_release;
	}
	correct_timing(&c);
	note_unmatched(&c, base, cur, "baseline");
	note_unmatched(&c, cur, base, "current run");
	if (c.nomem) {
		zc_results_error_set(err, ZC_RESULTS_ENOMEM, "cannot compare '%s' and '%s': out of memory",
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
	lines_release(&rep->notes);
	lines_release(&rep->warnings);
	lines_release(&rep->scenarios);
	*rep = (struct zc_gate_report){ 0 };
}
