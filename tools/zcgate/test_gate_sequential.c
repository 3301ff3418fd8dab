/*
 * test_gate_sequential.c: what the sequential gate (make gate) decides between rounds: the
 * shift's confidence interval (shift.h) against values worked out by hand, and zcgate's
 * timing rows on results made here, one file per measuring process as gate-ab.sh writes
 * them: a quiet unchanged row is decided and stops, a noisy one is not and gets more rounds,
 * a slowed one is caught once it has enough, a comparison too small for the test is
 * refused at the end but not at an interim look, the later rounds confirm a slowdown
 * on their own, and after a screen they alone judge.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gate.h"
#include "results_load.h"
#include "shift.h"
#include "support.h"

#define FIX "tools/zcgate/fixtures/"
#define REFERENCE_NS 1000.0

/* --- the interval ---------------------------------------------------------------------------- */

/*
 * x = 1..6, y = x + 10: the 36 differences are 10 + d, d = j - i, with 6 - |d| of each. The
 * exact 95% interval for 6 and 6 values is the 6th smallest to the 6th largest (P(U <= 5) =
 * 0.0206 <= 0.025 < P(U <= 6) = 0.0325): d = -3 and +3, so [7, 13], estimate 10.
 */
static void test_interval_by_hand(void **state)
{
	(void)state;
	double x[6], y[6];
	for (int i = 0; i < 6; i++) {
		x[i] = i + 1;
		y[i] = i + 11;
	}
	struct zc_shift sh;
	assert_int_equal(zc_shift_ci(x, 6, y, 6, 0.95, &sh), 0);
	assert_int_equal(sh.k, 6);
	assert_true(sh.estimate == 10);
	assert_true(sh.lo == 7 && sh.hi == 13);
}

/* Two values a side cannot reach 95%: the interval is unbounded, never a decision. */
static void test_interval_too_small(void **state)
{
	(void)state;
	double x[] = {1, 2}, y[] = {1, 2};
	struct zc_shift sh;
	assert_int_equal(zc_shift_ci(x, 2, y, 2, 0.95, &sh), 0);
	assert_int_equal(sh.k, 0);
	assert_true(isinf(sh.lo) && sh.lo < 0 && isinf(sh.hi) && sh.hi > 0);
}

/*
 * 30 and 30 values (past the exact distribution): the normal approximation gives the
 * tabulated critical value (U <= 317 two-sided at 0.05, so k = 318), and a pure shift of 5
 * lies inside an interval symmetric about it.
 */
static void test_interval_normal_approximation(void **state)
{
	(void)state;
	double x[30], y[30];
	for (int i = 0; i < 30; i++) {
		x[i] = i * 0.37;
		y[i] = i * 0.37 + 5;
	}
	struct zc_shift sh;
	assert_int_equal(zc_shift_ci(x, 30, y, 30, 0.95, &sh), 0);
	assert_true(sh.k >= 317 && sh.k <= 319);
	assert_true(fabs(sh.estimate - 5) < 1e-9);
	assert_true(sh.lo < 5 && sh.hi > 5);
	assert_true(fabs((5 - sh.lo) - (sh.hi - 5)) < 1e-9);
}

static void test_interval_bad_arguments(void **state)
{
	(void)state;
	double x[] = {1, NAN}, y[] = {1, 2};
	struct zc_shift sh;
	assert_int_equal(zc_shift_ci(x, 2, y, 2, 0.95, &sh), -1);
	assert_int_equal(zc_shift_ci(y, 0, y, 2, 0.95, &sh), -1);
	assert_int_equal(zc_shift_ci(y, 2, y, 2, 1.5, &sh), -1);
}

/* --- zcgate's rows on results written here --------------------------------------------------- */

static char dir[256];

static int setup(void **state)
{
	(void)state;
	zt_tmpdir(dir, sizeof(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	zt_rmdir(dir);
	return 0;
}

/*
 * SIDE/p<i>.json for i < n: the gate fixture's results with one measuring process each:
 * reference_memcpy at REFERENCE_NS, copy at ratio[i] times it, the other strategies removed.
 */
/* The files of a side written with reference_memcpy: the first with_reference (make gate's
 * later rounds run with --no-reference). */
static size_t with_reference = SIZE_MAX;

static void write_side(const char *side, const double *ratio, size_t n)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, side);
	zt_rmdir(path);
	assert_int_equal(mkdir(path, 0700), 0);
	for (size_t i = 0; i < n; i++) {
		json_t *doc = zt_load_json(FIX "baseline.json");
		json_t *results = json_object_get(doc, "results"), *keep = json_array();
		size_t k;
		json_t *r;
		json_array_foreach(results, k, r) {
			const char *name = json_string_value(json_object_get(r, "strategy"));
			double ns = !strcmp(name, "copy") ? ratio[i] * REFERENCE_NS : REFERENCE_NS;
			if (strcmp(name, "copy") && strcmp(name, "reference_memcpy"))
				continue;
			if (!strcmp(name, "reference_memcpy") && i >= with_reference)
				continue;
			json_t *t = json_object_get(r, "time");
			json_object_set_new(t, "samples", json_pack("[f]", ns));
			json_object_set_new(t, "process_medians", json_pack("[f]", ns));
			json_array_append(keep, r);
		}
		json_object_set_new(doc, "results", keep);
		snprintf(path, sizeof(path), "%s/%s/p%02zu.json", dir, side, i);
		assert_int_equal(json_dump_file(doc, path, 0), 0);
		json_decref(doc);
	}
}

/* zcgate's comparison of the two sides; 0 and the copy row's timing in *out, or -1. */
static bool same_machine; /* compare() as make gate does: --same-machine */
static bool confirm;	  /* and with the later rounds in cbase/ and chead/: --confirm-* */
static bool screened;	  /* and the pooled rounds a screen: --screened */

static int compare(bool interim, struct zc_gate_row *out, struct zc_error *err)
{
	char b[512], c[512];
	struct zc_results_set base, cur;
	struct zc_gate_report rep;
	struct zc_gate_options opt;
	snprintf(b, sizeof(b), "%s/base", dir);
	snprintf(c, sizeof(c), "%s/head", dir);
	zc_gate_options_init(&opt);
	opt.threshold = 0.15;
	opt.interim = interim;
	opt.same_machine = same_machine;
	opt.screened = screened;
	if (zc_results_load(&base, b, err) || zc_results_load(&cur, c, err))
		fail_msg("%s", err->text);
	struct zc_results_set later_base = {0}, later_cur = {0};
	if (confirm) {
		snprintf(b, sizeof(b), "%s/cbase", dir);
		snprintf(c, sizeof(c), "%s/chead", dir);
		if (zc_results_load(&later_base, b, err) || zc_results_load(&later_cur, c, err))
			fail_msg("%s", err->text);
		opt.confirm_base = &later_base;
		opt.confirm_cur = &later_cur;
	}
	int rc = zc_gate_compare(&base, &cur, &opt, &rep, err);
	zc_results_set_release(&base);
	zc_results_set_release(&cur);
	zc_results_set_release(&later_base);
	zc_results_set_release(&later_cur);
	if (rc != 0)
		return -1;
	for (size_t i = 0; i < rep.nrows; i++)
		if (!strcmp(rep.rows[i].strategy, "copy") && zc_gate_is_timing(&rep.rows[i])) {
			*out = rep.rows[i];
			out->scenario = out->strategy = NULL; /* freed with the report */
			out->baseline = out->current = NULL;
		}
	zc_gate_report_release(&rep);
	return 0;
}

/* n values around 1 +- spread (a fixed pattern, no randomness), times factor. */
static void pattern(double *v, size_t n, double spread, double factor)
{
	static const double step[] = {0, 0.7, -0.4, 1, -1, 0.2, -0.7, 0.5, -0.2, 0.9,
				      -0.9, 0.4, -0.5, 0.1, 0.8, -0.3};
	for (size_t i = 0; i < n; i++)
		v[i] = (1 + spread * step[i % 16]) * factor;
}

/*
 * n processes a side, each side's ratios around factor (the head's times slower) with the
 * given spread, compared; 0 with the copy row in *r, or -1 with err.
 */
static int sides(size_t n, double spread, double factor, double slower, bool interim,
		 struct zc_gate_row *r, struct zc_error *err)
{
	double b[16], h[16];
	assert_true(n <= 16);
	pattern(b, n, spread, factor);
	pattern(h, n, spread, factor * slower);
	write_side("base", b, n);
	write_side("head", h, n);
	return compare(interim, r, err);
}

/* A figure a row leaves unchecked: ANY for a flag or count, NAN for a bound. */
#define ANY (-1)

/*
 * One comparison of two sides made by sides() (n processes a side, spread, the base's factor,
 * the head slower by slower, an interim look or the final one) and what its copy row shows:
 * decided and undecided (0 or 1), its status, its interval above ci_lo_above and below
 * ci_hi_below, its change within 0.02 of change, its slow counts' sum.
 */
struct sides_case {
	const char *what;
	size_t n;
	double spread, factor, slower;
	bool interim;
	int decided, undecided;
	enum zc_gate_status status;
	double ci_lo_above, ci_hi_below, change;
	int slow_modes;
};

static const struct sides_case sides_cases[] = {
	/* Unchanged and quiet (2%): decided after 7 processes a side, so the gate stops it. */
	{"quiet unchanged row is decided", 7, 0.02, 1.5, 1.01, false, 1, 0, ZC_GATE_PASS, -0.15,
	 0.15, NAN, ANY},
	/* Unchanged but noisy (40%, a JIT's two modes): not decided at 7 a side, so the gate
	 * gives it more rounds; and with 7 a side it is no regression either. */
	{"noisy row needs more", 7, 0.4, 3, 1, true, 0, 1, ZC_GATE_PASS, NAN, NAN, NAN, ANY},
	/* Slowed by 30%, quiet: a regression once the test can reach Holm's level (7 a side: the
	 * smallest p-value, 2 / C(14, 7) = 0.00058, is below 0.05 over the row's one test), and
	 * never "decided" (its interval lies above the threshold, not inside it). */
	{"slowed row is caught", 7, 0.02, 1.5, 1.3, false, 0, ANY, ZC_GATE_REGRESSED, 0.15, NAN,
	 0.3, ANY},
	/* A quiet unchanged row decided on few processes is not refused for them: its answer is
	 * clear. */
	{"decided row not refused", 5, 0.005, 1.5, 1, false, 1, ANY, ZC_GATE_PASS, NAN, NAN, NAN,
	 ANY},
	/* A slowdown of 3x on every process is no pair of modes: the sides share none. Caught. */
	{"whole row slower is not two modes", 8, 0.03, 2, 3, false, ANY, ANY, ZC_GATE_REGRESSED,
	 NAN, NAN, NAN, 0},
};

static void check_sides_case(const struct sides_case *c)
{
	struct zc_gate_row r;
	struct zc_error err = {0};
	if (sides(c->n, c->spread, c->factor, c->slower, c->interim, &r, &err) != 0)
		fail_msg("%s: %s", c->what, err.text);
	if (c->decided != ANY && r.decided != (c->decided == 1))
		fail_msg("%s: decided is %d", c->what, (int)r.decided);
	if (c->undecided != ANY && zc_gate_undecided(&r) != (c->undecided == 1))
		fail_msg("%s: undecided is %d", c->what, (int)zc_gate_undecided(&r));
	if (r.status != c->status)
		fail_msg("%s: status %d, want %d", c->what, (int)r.status, (int)c->status);
	if (!isnan(c->ci_lo_above) && !(r.ci_lo > c->ci_lo_above))
		fail_msg("%s: interval starts at %g", c->what, r.ci_lo);
	if (!isnan(c->ci_hi_below) && !(r.ci_hi < c->ci_hi_below))
		fail_msg("%s: interval ends at %g", c->what, r.ci_hi);
	if (!isnan(c->change) && !(fabs(r.change - c->change) < 0.02))
		fail_msg("%s: change %g", c->what, r.change);
	if (c->slow_modes != ANY && (int)(r.slow_base + r.slow_cur) != c->slow_modes)
		fail_msg("%s: %d slow processes", c->what, (int)(r.slow_base + r.slow_cur));
}

static void test_sides_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sides_cases) / sizeof(sides_cases[0]); i++)
		check_sides_case(&sides_cases[i]);
}

/*
 * Three processes a side, undecided: the final comparison refuses it (over three values a
 * side the smallest p-value is 2 / C(6, 3) = 0.1), an interim look does not (more rounds
 * are coming).
 */
static void test_underpowered_refused_at_the_end_only(void **state)
{
	(void)state;
	struct zc_gate_row r;
	struct zc_error err = {0};
	assert_int_equal(sides(3, 0.4, 3, 1, true, &r, &err), 0);
	assert_true(zc_gate_undecided(&r));
	assert_int_equal(compare(false, &r, &err), -1);
	assert_int_equal(err.code, ZC_RESULTS_EUNDERPOWERED);
	assert_non_null(strstr(err.text, "cannot detect a timing regression"));
}

/*
 * Two modes 6x apart (a JVM process runs fast or slow, by chance): 7 of 10 processes of the
 * base slow, 2 of 10 of the head. Across the mix the medians differ several-fold; within the
 * fast mode nothing changed: a pass, the slow counts kept on the row.
 */
static void test_two_modes_compared_within_the_fast_one(void **state)
{
	(void)state;
	double b[10], h[10];
	pattern(b, 10, 0.03, 2);
	pattern(h, 10, 0.03, 2);
	for (int i = 0; i < 7; i++)
		b[i] *= 6;
	for (int i = 0; i < 2; i++)
		h[i] *= 6;
	write_side("base", b, 10);
	write_side("head", h, 10);
	struct zc_gate_row r;
	struct zc_error err = {0};
	assert_int_equal(compare(false, &r, &err), 0);
	assert_int_equal(r.status, ZC_GATE_PASS);
	assert_int_equal(r.slow_base, 7);
	assert_int_equal(r.slow_cur, 2);
	assert_int_equal(r.nbase, 3);
	assert_int_equal(r.ncur, 8);
	assert_true(fabs(r.change) < 0.05);

	/* Three slow a side, every process of the head 30% slower: caught within the fast mode. */
	pattern(b, 10, 0.02, 2);
	pattern(h, 10, 0.02, 2 * 1.3);
	for (int i = 0; i < 3; i++) {
		b[i] *= 6;
		h[i] *= 6;
	}
	write_side("base", b, 10);
	write_side("head", h, 10);
	assert_int_equal(compare(false, &r, &err), 0);
	assert_int_equal(r.slow_base, 3);
	assert_int_equal(r.status, ZC_GATE_REGRESSED);
}

/* Sets every reference_memcpy sample of SIDE/p<i>.json to @ns: one process's noisy second. */
static void set_reference(const char *side, size_t i, double ns)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s/p%02zu.json", dir, side, i);
	json_t *doc = zt_load_json(path);
	json_t *r = zt_result(doc, "reference_memcpy");
	json_object_set_new(json_object_get(r, "time"), "samples", json_pack("[f]", ns));
	assert_int_equal(json_dump_file(doc, path, 0), 0);
	json_decref(doc);
}

/*
 * Side by side on one machine (make gate, --same-machine): the times themselves are compared.
 * Three of eight base processes measured their reference in a noisy second (3x slower): as
 * ratios their copy rows look 3x faster and the unchanged row reads as an improvement; as
 * times nothing moved. The metric says which: time.ns_per_transfer.
 */
static void test_same_machine_ignores_a_noisy_reference(void **state)
{
	(void)state;
	double b[8], h[8];
	pattern(b, 8, 0.01, 1.5);
	pattern(h, 8, 0.01, 1.5);
	write_side("base", b, 8);
	write_side("head", h, 8);
	for (size_t i = 0; i < 3; i++)
		set_reference("base", i, 3 * REFERENCE_NS);
	struct zc_gate_row r;
	struct zc_error err = {0};
	same_machine = false;
	assert_int_equal(compare(false, &r, &err), 0);
	assert_true(r.ci_hi > 0.15); /* the ratios cannot tell */
	same_machine = true;
	assert_int_equal(compare(false, &r, &err), 0);
	same_machine = false;
	assert_int_equal(r.status, ZC_GATE_PASS);
	assert_true(r.decided);
	assert_true(fabs(r.change) < 0.02);
}

/*
 * The confirmation (gate.h): 10 first rounds, noisy (40%) and unchanged, then 6 later rounds
 * of this row alone, quiet (3%), where the head is @slower. Pooled, the 16 processes a side
 * mix the two; the later rounds alone are compared again, one-sided. Returns the row as
 * judged with the confirmation; *pooled_only its status without it.
 */
static struct zc_gate_row later_rounds(double slower, enum zc_gate_status *pooled_only)
{
	double b[16], h[16];
	struct zc_gate_row r;
	struct zc_error err = {0};

	pattern(b, 10, 0.4, 2);
	pattern(h, 10, 0.4, 2);
	pattern(b + 10, 6, 0.03, 2);
	pattern(h + 10, 6, 0.03, 2 * slower);
	write_side("base", b, 16);
	write_side("head", h, 16);
	write_side("cbase", b + 10, 6);
	write_side("chead", h + 10, 6);
	same_machine = true;
	assert_int_equal(compare(false, &r, &err), 0);
	*pooled_only = r.status;
	confirm = true;
	assert_int_equal(compare(false, &r, &err), 0);
	confirm = same_machine = false;
	return r;
}

static void test_later_rounds_confirm_a_slowdown(void **state)
{
	(void)state;
	enum zc_gate_status pooled;

	/* +30% in the later rounds: the pooled test, diluted by the noisy first rounds, misses
	 * it; the later rounds alone (6 and 6, p 0.0011 one-sided) catch it. */
	struct zc_gate_row r = later_rounds(1.3, &pooled);
	assert_int_equal(pooled, ZC_GATE_PASS);
	assert_int_equal(r.status, ZC_GATE_REGRESSED);
	assert_true(fabs(r.confirm_change - 0.3) < 0.02);
	assert_true(r.confirm_p < 0.002);
	assert_int_equal(r.confirm_nbase, 6);
	assert_int_equal(r.confirm_ncur, 6);

	/* Unchanged there too: a pass. */
	r = later_rounds(1, &pooled);
	assert_int_equal(r.status, ZC_GATE_PASS);
	assert_true(r.confirm_p > 0.1);

	/* Slower, certainly, but by 10%: under the threshold, a pass. */
	r = later_rounds(1.1, &pooled);
	assert_int_equal(r.status, ZC_GATE_PASS);
	assert_true(r.confirm_p < 0.002);

	/* Faster: the confirmation is one-sided (a false alarm is a regression called). */
	r = later_rounds(0.7, &pooled);
	assert_int_equal(r.status, pooled);
	assert_true(r.confirm_p > 0.9);
}

/*
 * A screen (make gate, --screened): the pooled rounds, three a side here, only chose the
 * suspects. The screen's own figures judge nothing, however slow, and are not refused for
 * being few; the later rounds alone judge, at the full alpha, and are refused when they
 * cannot reach it.
 */
static void test_screen_then_confirm(void **state)
{
	(void)state;
	double b[8], h[8];
	struct zc_gate_row r;
	struct zc_error err = {0};

	pattern(b, 3, 0.02, 1.5);
	pattern(h, 3, 0.02, 1.5 * 1.5);
	write_side("base", b, 3);
	write_side("head", h, 3);
	same_machine = screened = true;
	/* +50% in the screen, no suspect's rounds: a pass (not a refusal: three a side). */
	assert_int_equal(compare(false, &r, &err), 0);
	assert_int_equal(r.status, ZC_GATE_PASS);
	assert_true(r.change > 0.45);
	assert_true(isnan(r.confirm_p));

	/* +30% in 3 and 4 later rounds: one-sided p 1 / C(7, 3) = 0.029, below alpha (0.05)
	 * over the one row they measured, above the alpha / 2 the confirmation has beside a
	 * pooled test: caught after a screen. */
	pattern(b, 3, 0.02, 1.5);
	pattern(h, 4, 0.02, 1.5 * 1.3);
	write_side("cbase", b, 3);
	write_side("chead", h, 4);
	confirm = true;
	assert_int_equal(compare(false, &r, &err), 0);
	assert_int_equal(r.status, ZC_GATE_REGRESSED);
	assert_true(fabs(r.confirm_p - 1.0 / 35) < 1e-9);

	/* Unchanged in those rounds: a pass, the screen's +50% notwithstanding. */
	pattern(h, 4, 0.02, 1.5);
	write_side("chead", h, 4);
	assert_int_equal(compare(false, &r, &err), 0);
	assert_int_equal(r.status, ZC_GATE_PASS);

	/* 3 and 3 later rounds can give at best 1 / C(6, 3) = 0.05, not below 0.05: refused. */
	pattern(h, 3, 0.02, 1.5 * 1.3);
	write_side("chead", h, 3);
	assert_int_equal(compare(false, &r, &err), -1);
	assert_int_equal(err.code, ZC_RESULTS_EUNDERPOWERED);
	assert_non_null(strstr(err.text, "cannot confirm a timing regression"));
	assert_non_null(strstr(err.text, "measure at least 4 a side"));
	confirm = same_machine = screened = false;
}

/*
 * A screen of 3 processes a side (the head 1.5 times slower) and later rounds of 8 (1.3 times),
 * rows of size memcpys, the first screen_refs files of each screen side and the first
 * later_refs of each later side holding reference_memcpy, compared as make gate does: the
 * floor is 0.1% of the reference, the confirmation sees the slowdown, and the row regresses
 * only when it is big enough to move past the floor.
 */
static void screen_then_confirm_floor(double size, size_t screen_refs, size_t later_refs,
				      bool big)
{
	double b[8], h[8];
	struct zc_gate_row r;
	struct zc_error err = {0};
	with_reference = screen_refs;
	pattern(b, 3, 0.02, size);
	pattern(h, 3, 0.02, size * 1.5);
	write_side("base", b, 3);
	write_side("head", h, 3);
	with_reference = later_refs;
	pattern(b, 8, 0.02, size);
	pattern(h, 8, 0.02, size * 1.3);
	write_side("cbase", b, 8);
	write_side("chead", h, 8);
	with_reference = SIZE_MAX;
	same_machine = screened = confirm = true;
	assert_int_equal(compare(false, &r, &err), 0);
	assert_true(fabs(r.floor - ZC_GATE_FLOOR * REFERENCE_NS) < 1e-9 * REFERENCE_NS);
	assert_true(r.confirm_change > 0.25 && r.confirm_p < 0.001);
	assert_int_equal(r.status, big ? ZC_GATE_REGRESSED : ZC_GATE_PASS);
	screened = confirm = false;
}

/*
 * The floor (ZC_GATE_FLOOR): a hand-over of 2e-5 memcpys (6 ns beside a 0.3 ms memcpy) found
 * 30% slower in every later round, at a p-value that would call a copy regressed, moved by
 * less than 0.1% of a memcpy: it passes, in the confirmation and in the pooled test alike.
 * The same rows 500 times slower (0.01 memcpys: +30% moves them by 0.3% of one) regress.
 */
static void test_floor(void **state)
{
	(void)state;
	double b[12], h[12];
	struct zc_gate_row r;
	struct zc_error err = {0};

	for (int big = 0; big < 2; big++) {
		const double size = big ? 1e-2 : 2e-5;
		screen_then_confirm_floor(size, SIZE_MAX, SIZE_MAX, big);

		/* The pooled test alone (no screen), 12 processes a side: the same. */
		same_machine = true;
		pattern(b, 12, 0.02, size);
		pattern(h, 12, 0.02, size * 1.3);
		write_side("base", b, 12);
		write_side("head", h, 12);
		assert_int_equal(compare(false, &r, &err), 0);
		assert_true(r.change > 0.25 && r.p < 0.001);
		assert_int_equal(r.status, big ? ZC_GATE_REGRESSED : ZC_GATE_PASS);
		same_machine = false;
	}
}

/*
 * make gate measures reference_memcpy in round 1 alone (--no-reference after it): the floor
 * comes from the base's files that hold it, and the later rounds, which hold none, are
 * compared and judged as before.
 */
static void test_floor_from_the_first_round(void **state)
{
	(void)state;
	for (int big = 0; big < 2; big++)
		screen_then_confirm_floor(big ? 1e-2 : 2e-5, 1, 0, big);
	same_machine = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interval_by_hand),
		cmocka_unit_test(test_interval_too_small),
		cmocka_unit_test(test_interval_normal_approximation),
		cmocka_unit_test(test_interval_bad_arguments),
		cmocka_unit_test(test_sides_cases),
		cmocka_unit_test(test_underpowered_refused_at_the_end_only),
		cmocka_unit_test(test_two_modes_compared_within_the_fast_one),
		cmocka_unit_test(test_same_machine_ignores_a_noisy_reference),
		cmocka_unit_test(test_later_rounds_confirm_a_slowdown),
		cmocka_unit_test(test_screen_then_confirm),
		cmocka_unit_test(test_floor),
		cmocka_unit_test(test_floor_from_the_first_round),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
