/*
 * test_gate.c: the regression gate on hand-written fixtures (tools/zcgate/fixtures/): the gate
 * logic called directly, its output formats, atomic output files, and build/bin/zcgate run as
 * a program for its exit codes and messages.  Run from the repository root; the tool is looked
 * up under $BUILD (default "build").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic_file.h"
#include "gate.h"
#include "gate_format.h"
#include "results_load.h"
#include "support.h"

#define FIX "tools/zcgate/fixtures/"

extern char **environ;

/* --- helpers: the library ------------------------------------------------------------------ */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Compare @base and @cur with @opt; the comparison's return value, @err and @rep filled in. */
static int try_compare(const char *base, const char *cur, const struct zc_gate_options *opt,
		       struct zc_gate_report *rep, struct zc_error *err)
{
	struct zc_results_set b, c;
	int rc;

	if (zc_results_load(&b, base, err))
		fail_msg("%s", err->text);
	if (zc_results_load(&c, cur, err))
		fail_msg("%s", err->text);
	rc = zc_gate_compare(&b, &c, opt, rep, err);
	zc_results_set_release(&b);
	zc_results_set_release(&c);
	return rc;
}

static void compare(const char *base, const char *cur, struct zc_gate_report *rep)
{
	struct zc_error err = { 0 };
	struct zc_gate_options opt;

	zc_gate_options_init(&opt);
	if (try_compare(base, cur, &opt, rep, &err))
		fail_msg("%s", err.text);
}

static const struct zc_gate_row *find_row(const struct zc_gate_report *rep, const char *scenario,
					  const char *strategy, const char *metric)
{
	for (size_t i = 0; i < rep->nrows; i++)
		if (!strcmp(rep->rows[i].scenario, scenario) &&
		    (!strategy || !strcmp(rep->rows[i].strategy, strategy)) &&
		    !strcmp(rep->rows[i].metric, metric))
			return &rep->rows[i];
	return NULL;
}

static size_t lines_with(const struct zc_gate_lines *l, const char *needle)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += strstr(l->v[i], needle) != NULL;
	return n;
}

static void expect_status(const struct zc_gate_report *rep, const char *strategy, const char *metric,
			  enum zc_gate_status status)
{
	const struct zc_gate_row *r = find_row(rep, "inproc", strategy, metric);

	if (!r)
		fail_msg("no row inproc/%s %s", strategy, metric);
	if (r->status != status)
		fail_msg("inproc/%s %s is %s, expected %s", strategy, metric,
			 zc_gate_status_name(r->status), zc_gate_status_name(status));
}

/* --- the gate: a table of comparisons ------------------------------------------------------ */

/* A closed interval a figure must lie in; unchecked unless set (IN(lo, hi)). */
struct range {
	double lo, hi;
	bool set;
};
#define IN(lo, hi) { (lo), (hi), true }

/* One row the report must have, and what it must say. */
struct want_row {
	const char *strategy, *metric;
	enum zc_gate_status status;
	const char *scenario;	/* NULL: inproc */
	struct range change, p;
	const char *current;	/* the current value as JSON, or NULL: unchecked */
	size_t samples;		/* timing: process medians compared on each side, or 0 */
};

/* A text that that many lines of the notes (or warnings) hold. */
struct want_lines {
	const char *text;
	size_t count;
};

/*
 * One comparison of two fixtures (paths under FIX) and what the report must hold: the counts
 * named in @counts ("regressions=1 notes=0"; one not named is not checked), the rows, the
 * metrics no row may have, the notes and warnings. With @error set, the comparison must fail
 * with that code and text instead, and leave the report empty.
 */
struct gate_case {
	const char *what;
	const char *base, *cur;
	double threshold, alpha;	/* 0: the default */
	bool allow_missing, invariants_only, timing_only;
	const char *counts;
	struct want_row rows[8];
	const char *no_metric;
	struct want_lines notes, warnings;
	const char *base_commit;
	enum zc_results_errcode error;
	const char *error_text;
	/* ZC_RESULTS_ECONTEXT's text: the context field, its value in base, in cur */
	struct {
		const char *field, *base, *cur;
	} context;
};

#define TIME ZC_GATE_TIME_METRIC
#define PASS ZC_GATE_PASS
#define REGRESSED ZC_GATE_REGRESSED
#define IMPROVED ZC_GATE_IMPROVED
#define MISSING ZC_GATE_MISSING

static const struct gate_case gate_cases[] = {
	{ "identical results pass", "baseline.json", "identical.json",
	  /* 5 strategies x 12 invariants (the consumer's pages, null on both sides, are not
	   * compared) + 4 timings */
	  .counts = "regressions=0 improvements=0 passed=64 rows=64 scenarios=1 notes=0 warnings=0",
	  .rows = { { "copy", TIME, PASS, .change = IN(0, 0), .p = IN(0.99, 1) } } },
	{ "a rerun passes", "baseline.json", "rerun.json",
	  .counts = "regressions=0 improvements=0" },
	{ "twice as slow everywhere, reference_memcpy included: the ratios do not move",
	  "baseline.json", "slower-machine.json", .counts = "regressions=0 improvements=0",
	  .rows = { { "copy", TIME, PASS, .change = IN(-0.02, 0.02) } } },
	{ "a zero-copy strategy that copies fails", "baseline.json", "move-copies.json",
	  .counts = "regressions=5",
	  .rows = { { "move", "identity.verdict", REGRESSED },
		    { "move", "identity.same_address", REGRESSED },
		    { "move", "identity.aliasing_visible", REGRESSED },
		    { "move", "copies.bytes_per_transfer", REGRESSED, .current = "8294400" },
		    { "move", "allocations.frame_sized_per_transfer", REGRESSED },
		    { "move", "allocations.live_at_end", PASS } } },
	/* make gate's head against base: the committed baseline gates the exact figures */
	{ "timing only: the copy is not this comparison's to find", "baseline.json",
	  "move-copies.json", .timing_only = true, .counts = "regressions=0",
	  .no_metric = "identity.verdict", .rows = { { "move", TIME, PASS } } },
	{ "a copy only the page tables saw (no hook counted it) fails",
	  "baseline.json", "move-inline-copy.json", .counts = "regressions=5",
	  .rows = { { "move", "identity.verdict", REGRESSED },
		    { "move", "copies.bytes_per_transfer", REGRESSED },
		    { "move", "copies.pages_bytes_per_transfer", REGRESSED },
		    { "move", "pages_written.producer_per_transfer", REGRESSED },
		    { "move", "pages_written.frame_bytes_per_transfer", REGRESSED },
		    { "move", "copies.user_bytes_per_transfer", PASS },
		    { "move", "identity.same_pages", PASS } } },
	{ "figures null where the page instruments are missing are noted, never a regression",
	  "baseline.json", "no-page-instruments.json", .counts = "regressions=0 notes=20",
	  /* same_pages, pages_bytes, producer and frame_bytes pages, for each of 5 strategies */
	  .notes = { "not measured in the current run", 20 } },
	{ "a copy that became zero-copy improves", "move-copies.json", "baseline.json",
	  .counts = "regressions=0 improvements=5",
	  .rows = { { "move", "identity.verdict", IMPROVED },
		    { "move", "copies.bytes_per_transfer", IMPROVED } } },
	{ "a few KiB more copied (a realloc that moved) is under a hundredth of a frame",
	  "baseline.json", "copies-jitter.json", .counts = "regressions=0",
	  .rows = { { "copy", "copies.bytes_per_transfer", PASS } } },
	{ "20% slower fails", "baseline.json", "slower-20.json", .counts = "regressions=1",
	  .rows = { { "copy", TIME, REGRESSED, .change = IN(0.15, 0.25), .p = IN(0, 0.001) } } },
	/* With five process medians a side the test compares processes: every current process
	 * 20% slower than every baseline process is a regression (exact p = 2/252)... */
	{ "20% slower in every process fails", "baseline-processes.json",
	  "slower-20-processes.json", .counts = "regressions=1",
	  .rows = { { "copy", TIME, REGRESSED, .p = IN(0, 0.01) } } },
	/* ...but with two of the five as fast as the baseline, the 20% in the median is noise
	 * between processes, although every repetition-level sample says otherwise. */
	{ "20% slower in three processes of five passes", "baseline-processes.json",
	  "slower-20-two-fast-processes.json", .counts = "regressions=0",
	  .rows = { { "copy", TIME, PASS, .change = IN(0.15, INFINITY), .p = IN(0.05, 1) } } },
	/* p = 0.026 and +19% would fail one test at alpha 0.05, but not among the run's timing
	 * tests under Holm's correction (the smallest p of 4 must be below 0.0125). */
	{ "Holm's correction", "baseline-holm.json", "slower-20-holm.json",
	  .counts = "regressions=0", .notes = { "Holm", 1 },
	  .rows = { { "copy", TIME, PASS, .change = IN(0.10, INFINITY), .p = IN(0.0125, 0.05) } } },
	{ "3% slower and noisy passes", "baseline.json", "slower-3-noisy.json",
	  .counts = "regressions=0",
	  .rows = { { "copy", TIME, PASS, .change = IN(1e-9, 0.06) } } },
	{ "20% slower in the median, samples overlapping too much to be sure, passes",
	  "baseline.json", "slower-20-noisy.json", .counts = "regressions=0",
	  .rows = { { "copy", TIME, PASS, .change = IN(0.10, INFINITY), .p = IN(0.05, 1) } } },
	{ "20% faster improves", "baseline.json", "faster-20.json",
	  .counts = "regressions=0 improvements=1", .rows = { { "copy", TIME, IMPROVED } } },
	{ "20% slower passes a 25% threshold", "baseline.json", "slower-20.json",
	  .threshold = 0.25, .counts = "regressions=0" },
	/* 10 against 10 repetitions can reach p 1.1e-5 < 1e-4 / 4 */
	{ "20% slower fails at alpha 1e-4", "baseline.json", "slower-20.json", .alpha = 1e-4,
	  .counts = "regressions=1" },
	{ "3% slower fails a 2% threshold (significant)", "baseline.json", "slower-3-noisy.json",
	  .threshold = 0.02, .counts = "regressions=1" },
	{ "a leak fails", "baseline.json", "leak.json", .counts = "regressions=1",
	  .rows = { { "move", "allocations.live_at_end", REGRESSED } } },
	{ "fewer copies improve", "baseline.json", "fewer-copies.json",
	  .counts = "regressions=0 improvements=2",
	  .rows = { { "sse", "copies.bytes_per_transfer", IMPROVED,
		      .change = IN(-0.5 - 1e-12, -0.5 + 1e-12) },
		    { "sse", "allocations.frame_sized_per_transfer", IMPROVED } } },
	{ "a field missing from the current run is skipped", "baseline.json",
	  "old-no-copies.json", .counts = "regressions=0",
	  .no_metric = "copies.bytes_per_transfer",
	  .notes = { "'copies.bytes_per_transfer' absent in the current run, not compared", 5 } },
	/* said once, not once per strategy; the reference itself went missing */
	{ "no reference_memcpy skips the timing", "baseline.json", "no-reference.json",
	  .counts = "missing=1 regressions=1 warnings=1", .no_metric = TIME,
	  .warnings = { "no 'reference_memcpy' for scenario 'inproc' in '" FIX
			"no-reference.json': timing gates skipped", 1 },
	  .rows = { { "reference_memcpy", "result", MISSING } } },
	{ "few repetitions warn, and the timing is still compared", "baseline.json",
	  "few-reps.json", .counts = "warnings=1",
	  .warnings = { "scenario 'inproc' has 10 repetitions in the baseline and 5 in the "
			"current run: with fewer than 9 the Mann-Whitney test is weak", 1 },
	  .rows = { { "copy", TIME, PASS } } },
	{ "directories", "dir-base", "dir-cur", .counts = "scenarios=2 regressions=1",
	  .rows = { { "pool", "allocations.live_at_end", REGRESSED, "pipe" } } },
	{ "different frame sizes are refused", "baseline.json", "other-frame.json",
	  .error = ZC_RESULTS_EFRAME,
	  .error_text = "different frame sizes: '" FIX "baseline.json' is 1920x1080, '"
			FIX "other-frame.json' is 256x256" },
	{ "no results in common are refused", "baseline.json", "no-common.json",
	  .error = ZC_RESULTS_ENOCOMMON,
	  .error_text = "no results in common between '" FIX "baseline.json' and '"
			FIX "no-common.json'" },
	{ "A/B sides are pooled: one process median from each of 8 files", "ab-base", "ab-same",
	  .counts = "base_results=8", .base_commit = "0000000",
	  .rows = { { "copy", TIME, PASS, .samples = 8 } } },
	{ "A/B: copy 25% slower in every process fails", "ab-base", "ab-head",
	  .counts = "regressions=1",
	  .rows = { { "copy", TIME, REGRESSED, .change = IN(0.2, 0.3) } } },
	/* 8 against 8 processes reach at best p = 2 / C(16, 8) = 1.6e-4 */
	{ "an underpowered timing test is refused", "ab-base", "ab-head", .alpha = 1e-4,
	  .error = ZC_RESULTS_EUNDERPOWERED,
	  .error_text = "cannot detect a timing regression: 'inproc/copy' has 8 processes in the "
			"baseline and 8 in the current run, whose smallest possible p-value "
			"0.00016 is not below alpha/1 = 0.0001 (Holm over 1 timing tests): "
			"measure at least 9 processes a side" },
	{ "no timing, nothing to refuse", "ab-base", "ab-head", .alpha = 1e-4,
	  .invariants_only = true, .no_metric = TIME },
	{ "a missing strategy fails", "baseline.json", "no-pool.json",
	  .counts = "missing=1 regressions=1", .rows = { { "pool", "result", MISSING } } },
	{ "a missing strategy allowed by --allow-missing", "baseline.json", "no-pool.json",
	  .allow_missing = true, .counts = "missing=1 regressions=0",
	  .notes = { "inproc/pool: missing from the current run, allowed by --allow-missing", 1 } },
	{ "a new strategy is listed and passes", "baseline.json", "new-strategy.json",
	  .counts = "added=1 regressions=0", .rows = { { "pool_v2", "result", ZC_GATE_NEW } } },
	/* reference_memcpy, copy and pool */
	{ "a missing scenario fails", "dir-base", "dir-cur-no-pipe",
	  .counts = "missing=3 regressions=3",
	  .rows = { { "copy", "result", MISSING, "pipe" }, { "pool", "result", MISSING, "pipe" } } },
	{ "another allocator is refused", "baseline.json", "other-allocator.json",
	  .error = ZC_RESULTS_ECONTEXT,
	  .context = { "allocator.name", "\"glibc\"", "\"mimalloc\"" } },
	{ "another allocator is refused for the invariants too", "baseline.json",
	  "other-allocator.json", .invariants_only = true, .error = ZC_RESULTS_ECONTEXT,
	  .context = { "allocator.name", "\"glibc\"", "\"mimalloc\"" } },
	{ "a run without the counting allocator is refused", "baseline.json",
	  "other-counting.json", .error = ZC_RESULTS_ECONTEXT,
	  .context = { "counting_allocator", "true", "false" } },
	{ "a run without the counting allocator is refused for the invariants too",
	  "baseline.json", "other-counting.json", .invariants_only = true,
	  .error = ZC_RESULTS_ECONTEXT,
	  .context = { "counting_allocator", "true", "false" } },
	{ "another build type is refused for the timing", "baseline.json", "other-build.json",
	  .error = ZC_RESULTS_ECONTEXT,
	  .context = { "build", "\"release\"", "\"debug\"" } },
	{ "a full run is refused against a quick one for the timing", "baseline.json",
	  "full-mode.json", .error = ZC_RESULTS_ECONTEXT,
	  .context = { "quick", "true", "false" } },
	/* the exact figures do not depend on the build type or the run length */
	{ "another build type is accepted for the invariants", "baseline.json",
	  "other-build.json", .invariants_only = true },
	{ "a full run is accepted for the invariants", "baseline.json", "full-mode.json",
	  .invariants_only = true },
};

/* The report's count named @name ("regressions", "notes"...). */
#define COUNT(member) { #member, offsetof(struct zc_gate_report, member) }
static size_t report_count(const struct zc_gate_report *rep, const char *name)
{
	static const struct {
		const char *name;
		size_t offset;
	} counts[] = {
		{ "rows", offsetof(struct zc_gate_report, nrows) },
		{ "notes", offsetof(struct zc_gate_report, notes.n) },
		{ "warnings", offsetof(struct zc_gate_report, warnings.n) },
		{ "scenarios", offsetof(struct zc_gate_report, scenarios.n) },
		COUNT(regressions),
		COUNT(improvements),
		COUNT(passed),
		COUNT(missing),
		COUNT(added),
		COUNT(base_results),
	};

	for (size_t i = 0; i < ARRAY_SIZE(counts); i++)
		if (!strcmp(counts[i].name, name))
			return *(const size_t *)(const void *)((const char *)rep + counts[i].offset);
	fail_msg("no count '%s' in a report", name);
	return 0;
}

static void check_counts(const char *what, const char *counts, const struct zc_gate_report *rep)
{
	char name[32];
	size_t want;
	int used;

	for (const char *at = counts; at && sscanf(at, " %31[a-z_]=%zu%n", name, &want, &used) == 2;
	     at += used)
		if (report_count(rep, name) != want)
			fail_msg("%s: %s is %zu, expected %zu", what, name, report_count(rep, name),
				 want);
}

static void check_range(const char *what, const struct want_row *w, const char *figure,
			double x, struct range r)
{
	if (r.set && !(x >= r.lo && x <= r.hi))
		fail_msg("%s: %s %s: %s %g is not in [%g, %g]", what, w->strategy, w->metric, figure,
			 x, r.lo, r.hi);
}

static void check_row(const char *what, const struct zc_gate_report *rep, const struct want_row *w)
{
	const char *scenario = w->scenario ? w->scenario : "inproc";
	const struct zc_gate_row *r = find_row(rep, scenario, w->strategy, w->metric);

	if (!r)
		fail_msg("%s: no row %s/%s %s", what, scenario, w->strategy, w->metric);
	if (r->status != w->status)
		fail_msg("%s: %s/%s %s is %s, expected %s", what, scenario, w->strategy, w->metric,
			 zc_gate_status_name(r->status), zc_gate_status_name(w->status));
	check_range(what, w, "change", r->change, w->change);
	check_range(what, w, "p", r->p, w->p);
	if (w->current) {
		json_t *want = json_loads(w->current, JSON_DECODE_ANY, NULL);

		assert_non_null(want);
		if (!json_equal(want, r->current))
			fail_msg("%s: %s %s: the current value is not %s", what, w->strategy,
				 w->metric, w->current);
		json_decref(want);
	}
	if (w->samples && (r->nbase != w->samples || r->ncur != w->samples || !r->by_process))
		fail_msg("%s: %s %s compared %zu and %zu values (by process: %d), expected %zu "
			 "process medians a side", what, w->strategy, w->metric, r->nbase, r->ncur,
			 r->by_process, w->samples);
}

static void check_lines(const char *what, const char *kind, const struct zc_gate_lines *l,
			struct want_lines w)
{
	if (w.text && lines_with(l, w.text) != w.count)
		fail_msg("%s: %zu %s hold '%s', expected %zu", what, lines_with(l, w.text), kind,
			 w.text, w.count);
}

static void check_report(const struct gate_case *c, const struct zc_gate_report *rep)
{
	check_counts(c->what, c->counts, rep);
	for (size_t i = 0; i < ARRAY_SIZE(c->rows) && c->rows[i].strategy; i++)
		check_row(c->what, rep, &c->rows[i]);
	if (c->no_metric)
		for (size_t i = 0; i < rep->nrows; i++)
			if (!strcmp(rep->rows[i].metric, c->no_metric))
				fail_msg("%s: a row of %s", c->what, c->no_metric);
	check_lines(c->what, "notes", &rep->notes, c->notes);
	check_lines(c->what, "warnings", &rep->warnings, c->warnings);
	if (c->base_commit)
		assert_string_equal(rep->base_commit, c->base_commit);
}

/* One case of the table: its state is the case. */
static void test_case(void **state)
{
	const struct gate_case *c = *state;
	struct zc_error err = { 0 };
	struct zc_gate_options opt;
	struct zc_gate_report rep;
	char base[256], cur[256], error_text[1024];
	int rc;

	zc_gate_options_init(&opt);
	assert_true(opt.threshold == ZC_GATE_DEFAULT_THRESHOLD && opt.alpha == ZC_GATE_DEFAULT_ALPHA);
	opt.threshold = c->threshold ? c->threshold : opt.threshold;
	opt.alpha = c->alpha ? c->alpha : opt.alpha;
	opt.allow_missing = c->allow_missing;
	opt.invariants_only = c->invariants_only;
	opt.timing_only = c->timing_only;
	snprintf(base, sizeof(base), FIX "%s", c->base);
	snprintf(cur, sizeof(cur), FIX "%s", c->cur);
	rc = try_compare(base, cur, &opt, &rep, &err);
	if (c->context.field)
		snprintf(error_text, sizeof(error_text), "different context.%s: '%s' has %s, '%s' has %s",
			 c->context.field, base, c->context.base, cur, c->context.cur);
	else if (c->error)
		snprintf(error_text, sizeof(error_text), "%s", c->error_text);
	if (c->error) {
		if (rc != -1 || err.code != (int)c->error || strcmp(err.text, error_text))
			fail_msg("%s: returned %d, error %d '%s'", c->what, rc, err.code, err.text);
		assert_int_equal(rep.nrows, 0);
		return;
	}
	if (rc)
		fail_msg("%s: %s", c->what, err.text);
	check_report(c, &rep);
	zc_gate_report_release(&rep);
}

/*
 * A copy of the baseline fixture whose move row has the given members of one section
 * (allocations, pages_written): n of them, name then value (a new reference) each.
 */
static void write_move(const char *path, const char *section, size_t n, ...)
{
	json_error_t jerr;
	json_t *doc = json_load_file(FIX "baseline.json", 0, &jerr), *r;
	size_t i;
	va_list ap;

	assert_non_null(doc);
	json_array_foreach(json_object_get(doc, "results"), i, r) {
		if (strcmp(json_string_value(json_object_get(r, "strategy")), "move") != 0)
			continue;
		va_start(ap, n);
		for (size_t k = 0; k < n; k++) {
			const char *name = va_arg(ap, const char *);
			json_object_set_new(json_object_get(r, section), name, va_arg(ap, json_t *));
		}
		va_end(ap);
	}
	assert_int_equal(json_dump_file(doc, path, 0), 0);
	json_decref(doc);
}

/* A baseline and a current fixture written into a fresh directory (remove it with zt_rmdir). */
struct fixtures {
	char dir[64], base[96], cur[96];
};

static void fixtures_init(struct fixtures *f)
{
	zt_tmpdir(f->dir, sizeof(f->dir));
	snprintf(f->base, sizeof(f->base), "%s/base.json", f->dir);
	snprintf(f->cur, sizeof(f->cur), "%s/cur.json", f->dir);
}

/* Compares the fixtures of @f as written; the move row's @metric must come out @want. */
static void expect_move(const struct fixtures *f, const char *metric, enum zc_gate_status want)
{
	struct zc_gate_report rep;

	compare(f->base, f->cur, &rep);
	expect_status(&rep, "move", metric, want);
	zc_gate_report_release(&rep);
}

/* The move row's blocks left: live, runtime of them the runtime's. */
static void write_blocks(const char *path, json_int_t live, json_int_t runtime)
{
	write_move(path, "allocations", 2, "live_at_end", json_integer(live),
		   "runtime_live_at_end", json_integer(runtime));
}

/* Blocks left: exact, but a block or two more passes where a runtime's own threads worked. */
static void test_runtime_blocks_slack(void **state)
{
	static const struct {
		json_int_t base, cur, runtime;
		enum zc_gate_status want;
	} cases[] = {
		{ 0, 1, 0, ZC_GATE_REGRESSED },          /* no runtime: one block is a leak */
		{ 0, 1, 7, ZC_GATE_PASS },               /* a JVM's bookkeeping */
		{ 0, ZC_RUNTIME_BLOCK_SLACK, 7, ZC_GATE_PASS },
		{ 0, ZC_RUNTIME_BLOCK_SLACK + 1, 7, ZC_GATE_REGRESSED },
		{ 3, 0, 7, ZC_GATE_IMPROVED },
	};
	struct fixtures f;

	(void)state;
	fixtures_init(&f);
	for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
		write_blocks(f.base, cases[k].base, 0);
		write_blocks(f.cur, cases[k].cur, cases[k].runtime);
		expect_move(&f, "allocations.live_at_end", cases[k].want);
	}
	zt_rmdir(f.dir);
}

/* The move row's pages written a transfer, and its runtime's blocks left (0: no runtime). */
static void write_pages(const char *path, double pages, json_int_t runtime)
{
	json_error_t jerr;
	json_t *doc, *r;
	size_t i;

	write_move(path, "pages_written", 1, "producer_per_transfer", json_real(pages));
	doc = json_load_file(path, 0, &jerr);
	assert_non_null(doc);
	json_array_foreach(json_object_get(doc, "results"), i, r)
		if (!strcmp(json_string_value(json_object_get(r, "strategy")), "move"))
			json_object_set_new(json_object_get(r, "allocations"),
					    "runtime_live_at_end", json_integer(runtime));
	assert_int_equal(json_dump_file(doc, path, 0), 0);
	json_decref(doc);
}

/*
 * Pages written: a runtime's own few per cent of noise passes, and on a runtime's row up to 40
 * hundredths of a frame; a copy of the frame (at 1080p, 2,025 pages) does not, however many
 * pages the row wrote before.
 */
static void test_pages_noise_passes(void **state)
{
	static const struct {
		double base, cur;
		json_int_t runtime; /* the runtime's blocks left: 0, not a runtime's row */
		enum zc_gate_status want;
	} cases[] = {
		{ 4018, 4077, 0, ZC_GATE_PASS },    /* java byte_array, two processes of one gate */
		{ 4077, 4018, 0, ZC_GATE_PASS },
		{ 99.75, 112.25, 0, ZC_GATE_PASS }, /* java direct_buffer: under 1 hundredth */
		{ 138.75, 172.75, 0, ZC_GATE_PASS }, /* node external_buffer: 1.7 hundredths */
		{ 4018, 4018 + 2025, 0, ZC_GATE_REGRESSED }, /* one frame more */
		{ 10, 10 + 2025, 0, ZC_GATE_REGRESSED },
		{ 10, 10 + 150, 0, ZC_GATE_REGRESSED }, /* 7.4 hundredths, and 1500% */
		{ 4018 + 2025, 4018, 0, ZC_GATE_IMPROVED },
		/* java byte_array in two runs: 29 hundredths, a collector's heap fresh or reused */
		{ 3481, 4077, 0, ZC_GATE_REGRESSED },
		{ 3481, 4077, 6, ZC_GATE_PASS },
		{ 3481, 3481 + 810, 6, ZC_GATE_PASS },        /* 40 hundredths */
		{ 3481, 3481 + 830, 6, ZC_GATE_REGRESSED },   /* 41 */
		{ 3481, 3481 + 2025, 6, ZC_GATE_REGRESSED },  /* a copy of the frame, runtime or not */
	};
	struct fixtures f;

	(void)state;
	fixtures_init(&f);
	for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
		write_pages(f.base, cases[k].base, 0);
		write_pages(f.cur, cases[k].cur, cases[k].runtime);
		expect_move(&f, "pages_written.producer_per_transfer", cases[k].want);
	}
	zt_rmdir(f.dir);
}

/* --- output formats ------------------------------------------------------------------------- */

static void test_summary_line(void **state)
{
	struct zc_gate_report rep = { .regressions = 2, .improvements = 1, .passed = 40 };
	char buf[128];

	(void)state;
	rep.scenarios.n = 3;
	zc_gate_format_summary(buf, sizeof(buf), &rep);
	assert_string_equal(buf, "2 regressions, 1 improvement, 40 passed (3 scenarios)");
	rep = (struct zc_gate_report){ .regressions = 1, .improvements = 0, .passed = 1 };
	rep.scenarios.n = 1;
	zc_gate_format_summary(buf, sizeof(buf), &rep);
	assert_string_equal(buf, "1 regression, 0 improvements, 1 passed (1 scenario)");
}

static void expect_text(json_t *v, const char *want)
{
	char buf[64];

	zc_gate_format_value(buf, sizeof(buf), v);
	assert_string_equal(buf, want);
	json_decref(v);
}

static void test_values(void **state)
{
	char buf[32];

	(void)state;
	expect_text(json_string("zero-copy"), "zero-copy");
	expect_text(json_true(), "true");
	expect_text(json_integer(8294400), "8294400");
	expect_text(json_real(8294400.0), "8294400");
	expect_text(json_real(2.01349), "2.013");
	expect_text(json_real(0.000218512), "0.0002185");
	zc_gate_format_change(buf, sizeof(buf), 0.2034);
	assert_string_equal(buf, "+20.3%");
	zc_gate_format_change(buf, sizeof(buf), -0.031);
	assert_string_equal(buf, "-3.1%");
	zc_gate_format_change(buf, sizeof(buf), NAN);
	assert_string_equal(buf, "-");
}

/* Every line of the table starts its last column at the same offset as the header's. */
static void test_table_columns(void **state)
{
	struct zc_gate_report rep;
	char *text = NULL, *line, *save = NULL;
	size_t len = 0, col = 0;
	FILE *fp = open_memstream(&text, &len);

	(void)state;
	assert_non_null(fp);
	compare(FIX "baseline.json", FIX "move-copies.json", &rep);
	zc_gate_format_table(fp, &rep);
	fclose(fp);
	assert_int_equal(strncmp(text, "scenario  strategy  ", 20), 0);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t at = (size_t)(strrchr(line, ' ') - line);

		if (!col)
			col = at;
		assert_int_equal(at, col);
	}
	free(text);
	zc_gate_report_release(&rep);
}

/* The default table holds only the rows that did not pass: an improvement is counted, not listed. */
static void test_failures_only(void **state)
{
	struct zc_gate_report rep;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	(void)state;
	assert_non_null(fp);
	compare(FIX "baseline.json", FIX "fewer-copies.json", &rep);
	assert_true(rep.improvements > 0);
	zc_gate_format_failures(fp, &rep);
	fclose(fp);
	assert_int_equal(len, 0);
	free(text);
	zc_gate_report_release(&rep);

	text = NULL;
	fp = open_memstream(&text, &len);
	assert_non_null(fp);
	compare(FIX "baseline.json", FIX "move-copies.json", &rep);
	zc_gate_format_failures(fp, &rep);
	fclose(fp);
	assert_non_null(strstr(text, "regressed"));
	assert_null(strstr(text, " passed"));
	assert_null(strstr(text, "improved"));
	free(text);
	zc_gate_report_release(&rep);
}

/* --- atomic output files -------------------------------------------------------------------- */

static size_t dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	return buf;
}

static void test_atomic_file(void **state)
{
	char dir[] = "/tmp/test_gate.XXXXXX", path[64];
	struct zc_atomic_file af;
	char *text;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.md", dir);
	assert_int_equal(zc_atomic_file_open(&af, path), 0);
	fputs("first\n", af.fp);
	assert_int_equal(dir_entries(dir), 1);	/* only the temporary file so far */
	assert_null(slurp(path));
	assert_int_equal(zc_atomic_file_commit(&af), 0);
	assert_int_equal(zc_atomic_file_open(&af, path), 0);
	fputs("second, never committed\n", af.fp);
	zc_atomic_file_abort(&af);
	text = slurp(path);
	assert_string_equal(text, "first\n");
	free(text);
	assert_int_equal(dir_entries(dir), 1);
	unlink(path);
	rmdir(dir);
	assert_int_equal(zc_atomic_file_open(&af, "/nonexistent-zcbench/out.md"), -1);
	assert_int_equal(errno, ENOENT);
}

/* --- the program ---------------------------------------------------------------------------- */

struct run {
	int status;	/* exit status */
	char *out;	/* stdout */
	char *err;	/* stderr */
};

/* Run $BUILD/bin/zcgate with the NULL-terminated arguments. */
static void zcgate(struct run *r, ...)
{
	char tool[256], outp[] = "/tmp/test_gate.out.XXXXXX", errp[] = "/tmp/test_gate.err.XXXXXX";
	const char *build = getenv("BUILD");
	char *argv[16];
	int argc = 0, fo = mkstemp(outp), fe = mkstemp(errp), ws;
	posix_spawn_file_actions_t fa;
	va_list ap;
	pid_t pid;

	assert_true(fo >= 0 && fe >= 0);
	snprintf(tool, sizeof(tool), "%s/bin/zcgate", build && *build ? build : "build");
	argv[argc++] = tool;
	va_start(ap, r);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fo, 1);
	posix_spawn_file_actions_adddup2(&fa, fe, 2);
	if (posix_spawn(&pid, tool, &fa, NULL, argv, environ))
		fail_msg("cannot run '%s'", tool);
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	assert_true(WIFEXITED(ws));
	r->status = WEXITSTATUS(ws);
	close(fo);
	close(fe);
	r->out = slurp(outp);
	r->err = slurp(errp);
	unlink(outp);
	unlink(errp);
}

static void run_release(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* The line of @text that holds every one of the NULL-terminated words, or fail. */
static void expect_line(const char *text, ...)
{
	const char *line = text;

	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		int all = 1;
		va_list ap;
		const char *w;

		va_start(ap, text);
		while ((w = va_arg(ap, const char *))) {
			const char *at = strstr(line, w);

			all &= at && at < line + len;
		}
		va_end(ap);
		if (all)
			return;
		line += len + (end != NULL);
	}
	fail_msg("no line with the expected words in:\n%s", text);
}

/*
 * A run of the program as data: its arguments, its exit status, and what its output must show.
 * An expectation checks stdout or stderr: IS the whole stream, STARTS its beginning, HAS a
 * substring, LACKS one, LINE a line holding every word.
 */
enum stream { OUT, ERR };
enum how { IS, STARTS, HAS, LACKS, LINE };

struct expect {
	enum stream in;
	enum how how;
	const char *words[9];	/* NULL-terminated; one for all but LINE */
};

struct tool_case {
	const char *what;
	const char *args[10];	/* after the program's name, NULL-terminated */
	int status;
	struct expect expect[4];	/* up to the first with no words */
};

#define BASE FIX "baseline.json"

static const struct tool_case tool_cases[] = {
	{ "tool: identical results pass, listing nothing", { BASE, FIX "identical.json" }, 0,
	  { { OUT, HAS, { "\nzcgate: 0 regressions, 0 improvements, 64 passed (1 scenario)\n" } },
	    { ERR, IS, { "" } },
	    /* Only what did not pass is listed: here nothing, not even the header. */
	    { OUT, LACKS, { "p-value" } } } },
	{ "tool: --all lists every row", { BASE, FIX "identical.json", "--all" }, 0,
	  { { OUT, LINE, { "scenario", "strategy", "metric", "baseline", "current", "change",
			   "p-value", "result" } },
	    { OUT, LINE, { "inproc", "copy", "time.vs_memcpy", "pass" } } } },
	{ "tool: 3% slower and noisy passes", { BASE, FIX "slower-3-noisy.json" }, .status = 0 },
	{ "tool: fewer copies improve", { BASE, FIX "fewer-copies.json", "--all" }, 0,
	  { { OUT, LINE, { "inproc", "sse", "copies.bytes_per_transfer", "16588800", "8294400",
			   "-50.0%", "improved" } } } },
	{ "tool: an improvement is counted, not listed, without --all",
	  { BASE, FIX "fewer-copies.json" }, 0,
	  { { OUT, LINE, { "zcgate: 0 regressions, 2 improvements" } } } },
	{ "tool: a zero-copy strategy that copies regresses", { BASE, FIX "move-copies.json" }, 1,
	  { { OUT, LINE, { "inproc", "move", "copies.bytes_per_transfer", "0", "8294400",
			   "regressed" } },
	    { OUT, LINE, { "inproc", "move", "identity.verdict", "zero-copy", "copy", "regressed" } },
	    { OUT, HAS, { "zcgate: 5 regressions, 0 improvements, 56 passed" } } } },
	/* faster: an improvement */
	{ "tool: faster passes", { FIX "slower-20.json", BASE, "--threshold", "5%" }, .status = 0 },
	{ "tool: options before the operands", { "--threshold", "10", BASE, FIX "slower-20.json" }, 1,
	  { { OUT, LINE, { "inproc", "copy", ZC_GATE_TIME_METRIC, "regressed" } } } },
	/* 10 repetitions a side cannot reach 0.00001 / 4 */
	{ "tool: an alpha out of reach", { BASE, FIX "slower-20.json", "--alpha", "0.00001" }, 2,
	  { { ERR, LINE, { "zcgate: cannot detect a timing regression",
			   "measure at least 12 repetitions a side" } } } },
	{ "tool: -q prints the summary alone", { BASE, FIX "leak.json", "-q" }, 1,
	  { { OUT, IS, { "zcgate: 1 regression, 0 improvements, 63 passed (1 scenario)\n" } } } },
	{ "tool: few repetitions warn", { BASE, FIX "few-reps.json" }, 0,
	  { { ERR, IS, { "zcgate: warning: scenario 'inproc' has 10 repetitions in the baseline "
			 "and 5 in the current run: with fewer than 9 the Mann-Whitney test is "
			 "weak\n" } } } },
	{ "tool: an absent metric is a note", { BASE, FIX "old-no-copies.json" }, 0,
	  { { OUT, LINE, { "note: inproc/move: 'copies.bytes_per_transfer' absent" } } } },
	{ "tool: one operand", { BASE }, 2,
	  { { ERR, STARTS, { "zcgate: expected BASELINE and CURRENT, got 1 operands" } } } },
	{ "tool: a bad alpha", { BASE, BASE, "--alpha", "2" }, 2,
	  { { ERR, IS, { "zcgate: invalid alpha '2': expected a number between 0 and 1\n" } } } },
	{ "tool: a bad threshold", { BASE, BASE, "--threshold", "ten" }, 2,
	  { { ERR, IS, { "zcgate: invalid threshold 'ten': expected a percentage such as "
			 "10\n" } } } },
	{ "tool: --help", { "--help" }, 0, { { OUT, STARTS, { "usage: zcgate BASELINE CURRENT" } } } },
	/* A bad option is one line with a hint, never the whole usage. */
	{ "tool: an unknown option", { BASE, BASE, "--bogus" }, 2,
	  { { ERR, IS, { "zcgate: unknown option '--bogus' (see zcgate --help)\n" } } } },
	{ "tool: an option without its value", { BASE, BASE, "--markdown" }, 2,
	  { { ERR, IS, { "zcgate: option '--markdown' needs a value (see zcgate --help)\n" } } } },
	{ "tool: half a confirmation", { BASE, BASE, "--confirm-base", BASE }, 2,
	  { { ERR, IS, { "zcgate: --confirm-base and --confirm-current go together (see zcgate "
			 "--help)\n" } } } },
	{ "tool: nothing left to compare", { BASE, BASE, "--invariants-only", "--timing-only" }, 2,
	  { { ERR, IS, { "zcgate: --invariants-only and --timing-only leave nothing to compare "
			 "together (see zcgate --help)\n" } } } },
	{ "tool: a confirmation that cannot be read",
	  { BASE, BASE, "--confirm-base", BASE, "--confirm-current", "/missing-zcbench" }, 2,
	  { { ERR, STARTS, { "zcgate: cannot read '/missing-zcbench'" } } } },
	/* An output that cannot be written is refused before the comparison prints anything. */
	{ "tool: an unwritable markdown file",
	  { BASE, FIX "slower.json", "--markdown", "/missing-zcbench/x.md" }, 2,
	  { { OUT, IS, { "" } },
	    { ERR, IS, { "zcgate: cannot write '/missing-zcbench/x.md': No such file or "
			 "directory\n" } } } },
	{ "tool: an unwritable json file",
	  { BASE, FIX "identical.json", "--json", "/nonexistent-zcbench/gate.json" }, 2,
	  { { ERR, IS, { "zcgate: cannot write '/nonexistent-zcbench/gate.json': No such file or "
			 "directory\n" } } } },
	{ "tool: directories of results", { FIX "dir-base", FIX "dir-cur" }, 1,
	  { { OUT, LINE, { "pipe", "pool", "allocations.live_at_end", "regressed" } },
	    { OUT, HAS, { "(2 scenarios)\n" } } } },
	{ "tool: a missing row regresses", { BASE, FIX "no-pool.json" }, 1,
	  { { OUT, LINE, { "inproc", "pool", "result", "present", "absent", "missing" } },
	    { OUT, LINE, { "zcgate: 1 regression, 0 improvements,", "1 missing" } } } },
	{ "tool: --allow-missing", { BASE, FIX "no-pool.json", "--allow-missing" }, .status = 0 },
	{ "tool: another build is refused", { BASE, FIX "other-build.json" }, 2,
	  { { ERR, LINE, { "zcgate: different context.build:" } } } },
	{ "tool: another build, invariants only",
	  { BASE, FIX "other-build.json", "--invariants-only" }, .status = 0 },
	{ "tool: an A/B of directories", { FIX "ab-base", FIX "ab-head" }, 1,
	  { { OUT, LINE, { "baseline: " FIX "ab-base (commit 0000000, 8 results files)" } },
	    { OUT, LINE, { "inproc", "copy", ZC_GATE_TIME_METRIC, "regressed" } } } },
	{ "tool: an A/B, invariants only", { FIX "ab-base", FIX "ab-head", "--invariants-only" },
	  .status = 0 },
	{ "tool: an A/B's alpha out of reach",
	  { FIX "ab-base", FIX "ab-head", "--alpha", "0.0001" }, 2,
	  { { ERR, LINE, { "measure at least 9 processes a side" } } } },
};

static void check_expect(const char *what, const struct run *r, const struct expect *e)
{
	const char *text = e->in == OUT ? r->out : r->err, *w = e->words[0];

	switch (e->how) {
	case IS:
		if (strcmp(text, w))
			fail_msg("%s: expected '%s', got '%s'", what, w, text);
		break;
	case STARTS:
		if (strncmp(text, w, strlen(w)))
			fail_msg("%s: expected to start with '%s', got '%s'", what, w, text);
		break;
	case HAS:
	case LACKS:
		if (!strstr(text, w) != (e->how == LACKS))
			fail_msg("%s: '%s' %s in '%s'", what, w,
				 e->how == HAS ? "absent" : "present", text);
		break;
	case LINE:
		expect_line(text, e->words[0], e->words[1], e->words[2], e->words[3],
			    e->words[4], e->words[5], e->words[6], e->words[7], NULL);
		break;
	}
}

/* One run of the table: its state is the case. */
static void test_tool_case(void **state)
{
	const struct tool_case *c = *state;
	struct run r;

	zcgate(&r, c->args[0], c->args[1], c->args[2], c->args[3], c->args[4], c->args[5],
	       c->args[6], c->args[7], c->args[8], NULL);
	if (r.status != c->status)
		fail_msg("%s: exit %d, expected %d; stderr '%s'", c->what, r.status, c->status,
			 r.err);
	for (size_t i = 0; i < ARRAY_SIZE(c->expect) && c->expect[i].words[0]; i++)
		check_expect(c->what, &r, &c->expect[i]);
	run_release(&r);
}

static const struct {
	const char *base;
	const char *cur;
	const char *message;	/* the whole of stderr */
} bad_runs[] = {
	{ FIX "baseline.json", FIX "missing.json",
	  "zcgate: cannot read '" FIX "missing.json': No such file or directory\n" },
	{ FIX "missing-dir", FIX "baseline.json",
	  "zcgate: cannot read '" FIX "missing-dir': No such file or directory\n" },
	{ FIX "baseline.json", FIX "empty.json",
	  "zcgate: cannot parse '" FIX "empty.json': empty file\n" },
	{ FIX "truncated.json", FIX "baseline.json",
	  "zcgate: cannot parse '" FIX "truncated.json': truncated file at line 182 column 17\n" },
	{ FIX "baseline.json", FIX "not-json.json",
	  "zcgate: cannot parse '" FIX "not-json.json': not JSON at line 1 column 7: "
	  "invalid token near 'results'\n" },
	{ FIX "baseline.json", FIX "wrong-schema.json",
	  "zcgate: wrong schema in '" FIX "wrong-schema.json': 'zcbench/0', expected "
	  "'zcbench/1'\n" },
	{ FIX "baseline.json", FIX "wrong-type.json",
	  "zcgate: wrong type in '" FIX "wrong-type.json': 'results[1].copies.bytes_per_transfer' "
	  "is a string, expected a number\n" },
	{ FIX "baseline.json", FIX "result-not-object.json",
	  "zcgate: wrong type in '" FIX "result-not-object.json': 'results[1]' is an integer, "
	  "expected an object\n" },
	{ FIX "baseline.json", FIX "other-frame.json",
	  "zcgate: different frame sizes: '" FIX "baseline.json' is 1920x1080, '"
	  FIX "other-frame.json' is 256x256\n" },
	{ FIX "baseline.json", FIX "no-common.json",
	  "zcgate: no results in common between '" FIX "baseline.json' and '" FIX
	  "no-common.json'\n" },
	{ FIX "baseline.json", FIX "duplicate.json",
	  "zcgate: duplicate result 'inproc/copy' in '" FIX "duplicate.json'\n" },
};

static void test_tool_bad_input(void **state)
{
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_runs) / sizeof(bad_runs[0]); i++) {
		zcgate(&r, bad_runs[i].base, bad_runs[i].cur, NULL);
		if (r.status != 2 || strcmp(r.err, bad_runs[i].message))
			fail_msg("%s %s: exit %d, stderr '%s'", bad_runs[i].base, bad_runs[i].cur,
				 r.status, r.err);
		assert_string_equal(r.out, "");
		run_release(&r);
	}
}

static json_t *export_entry(const json_t *entries, const char *name)
{
	size_t i;
	json_t *e;

	json_array_foreach(entries, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "name")), name))
			return e;
	fail_msg("no entry '%s'", name);
	return NULL;
}

static void check_export(const char *path)
{
	json_t *a = json_load_file(path, 0, NULL), *e;
	size_t i;

	assert_true(json_is_array(a));
	/* 5 x 9 numeric invariants, less the 3 move-copies.json lacks, + 4 timings */
	assert_int_equal(json_array_size(a), 46);
	json_array_foreach(a, i, e) {
		assert_true(json_is_string(json_object_get(e, "name")));
		assert_true(json_is_string(json_object_get(e, "unit")));
		assert_true(json_is_number(json_object_get(e, "value")));
	}
	e = export_entry(a, "inproc/move copies.bytes_per_transfer");
	assert_true(json_number_value(json_object_get(e, "value")) == 8294400);
	assert_string_equal(json_string_value(json_object_get(e, "unit")),
			    "bytes copied per transfer");
	e = export_entry(a, "inproc/copy time.vs_memcpy");
	assert_true(fabs(json_number_value(json_object_get(e, "value")) - 2) < 0.05);
	json_decref(a);
}

static void check_json(const char *path)
{
	json_t *j = json_load_file(path, 0, NULL), *rows;

	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "schema")), "zcgate/1");
	assert_string_equal(json_string_value(json_object_get(j, "result")), "regressed");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"),
							    "regressions")), 5);
	rows = json_object_get(j, "rows");
	assert_int_equal(json_array_size(rows), 61);
	assert_true(json_is_null(json_object_get(json_array_get(rows, 0), "p_value")));
	json_decref(j);
}

static void test_tool_outputs(void **state)
{
	char dir[] = "/tmp/test_gate.XXXXXX", md[64], js[64], ex[64];
	struct run r;
	char *text;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(md, sizeof(md), "%s/gate.md", dir);
	snprintf(js, sizeof(js), "%s/gate.json", dir);
	snprintf(ex, sizeof(ex), "%s/bench.json", dir);
	zcgate(&r, FIX "baseline.json", FIX "move-copies.json", "--markdown", md, "--json", js,
	       "--export-github-action-benchmark", ex, NULL);
	assert_int_equal(r.status, 1);
	run_release(&r);
	assert_int_equal(dir_entries(dir), 3);	/* no temporary file left behind */
	text = slurp(md);
	assert_non_null(text);
	assert_int_equal(strncmp(text, "## zcbench gate: regressed\n\n5 regressions, 0 "
				 "improvements, 56 passed (1 scenario)\n", 70), 0);
	assert_non_null(strstr(text, "### Regressions\n\n"));
	assert_non_null(strstr(text, "\n| inproc | move | copies.bytes_per_transfer | 0 | 8294400 "
				     "| - | - | **regressed** |\n"));
	free(text);
	check_json(js);
	check_export(ex);
	unlink(md);
	unlink(js);
	unlink(ex);
	rmdir(dir);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_runtime_blocks_slack),
		cmocka_unit_test(test_pages_noise_passes),
		cmocka_unit_test(test_summary_line),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_table_columns),
		cmocka_unit_test(test_failures_only),
		cmocka_unit_test(test_atomic_file),
		cmocka_unit_test(test_tool_bad_input),
		cmocka_unit_test(test_tool_outputs),
	};
	struct CMUnitTest tests[ARRAY_SIZE(gate_cases) + ARRAY_SIZE(tool_cases) + ARRAY_SIZE(fixed)];
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(gate_cases); i++)
		tests[n++] = (struct CMUnitTest){ .name = gate_cases[i].what, .test_func = test_case,
						  .initial_state = (void *)&gate_cases[i] };
	for (size_t i = 0; i < ARRAY_SIZE(tool_cases); i++)
		tests[n++] = (struct CMUnitTest){ .name = tool_cases[i].what,
						  .test_func = test_tool_case,
						  .initial_state = (void *)&tool_cases[i] };
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		tests[n++] = fixed[i];
	return _cmocka_run_group_tests("test_gate", tests, n, NULL, NULL);
}
