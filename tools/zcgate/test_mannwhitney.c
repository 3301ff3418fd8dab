/*
 * test_mannwhitney.c: the Mann-Whitney U test against values worked out by hand and by
 * brute-force enumeration of every arrangement of the ranks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "mannwhitney.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void near(double got, double want, double tol)
{
	if (fabs(got - want) > tol)
		fail_msg("got %.12g, want %.12g (tolerance %g)", got, want, tol);
}

/* A figure a case leaves unchecked: ANY for exactness, NAN for U. */
#define ANY (-1)

/* A case worked out beforehand: the samples, whether the test is exact, U and p within tol. */
struct mw_case {
	const char *what;
	double x[8], y[8];
	size_t nx, ny;
	int exact;
	double u, p, tol;
};

static const struct mw_case cases[] = {
	/* Complete separation of 5 and 5: only 2 of the C(10,5) = 252 arrangements are as
	 * extreme, either way round. */
	{"separated", {1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}, 5, 5, 1, 0, 2.0 / 252, 1e-15},
	{"separated, swapped", {6, 7, 8, 9, 10}, {1, 2, 3, 4, 5}, 5, 5, 1, 25, 2.0 / 252, 1e-15},
	/* SciPy's documentation example (males, females): U = 17; 7 of the 126 arrangements have
	 * U <= 3, p = 14/126. */
	{"scipy example", {19, 22, 16, 29, 24}, {20, 11, 17, 12}, 5, 4, 1, 17, 14.0 / 126, 1e-15},
	/* Against a Python enumeration of all C(13,6) = 1716 arrangements: U = 12,
	 * p = 0.2342657343. */
	{"enumeration", {1.1, 5.2, 3.3, 9.4, 2.5, 7.6}, {4.7, 6.8, 8.9, 10.1, 11.2, 0.3, 12.4}, 6, 7,
	 1, 12, 402.0 / 1716, 1e-12},
	/* Ties: mid-ranks, tie-corrected variance and continuity correction. Ranks of x are 1, 3,
	 * 3, 5.5 so U = 2.5; ties sum to 24 + 6; var = 16/12 (9 - 30/56);
	 * z = (5.5 - 0.5) / sqrt(var); p = erfc(z / sqrt(2)) = 0.136658247696. */
	{"ties use the normal approximation", {1, 2, 2, 3}, {2, 3, 4, 5}, 4, 4, 0, 2.5,
	 0.136658247696, 1e-9},
	/* The same values on both sides, all equal: no difference at all. */
	{"all equal", {7, 7, 7}, {7, 7, 7}, 3, 3, ANY, NAN, 1, 0},
};

static void test_worked_out_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		const struct mw_case *c = &cases[i];
		struct zc_mw_result r;
		if (zc_mw_test(c->x, c->nx, c->y, c->ny, &r) != 0)
			fail_msg("%s: refused", c->what);
		if (c->exact != ANY && (r.exact != 0) != c->exact)
			fail_msg("%s: exact is %d", c->what, (int)r.exact);
		if (!isnan(c->u))
			near(r.u, c->u, 0);
		near(r.p, c->p, c->tol);
	}
}

/* Larger than ZC_MW_EXACT_MAX: the normal approximation, still tiny for complete separation. */
static void test_large_samples(void **state)
{
	double x[30], y[30];
	struct zc_mw_result r;

	(void)state;
	for (int i = 0; i < 30; i++) {
		x[i] = i;
		y[i] = 100 + i;
	}
	assert_int_equal(zc_mw_test(x, N(x), y, N(y), &r), 0);
	assert_false(r.exact);
	assert_true(r.p < 1e-9);
	/* the same values in both: no difference at all */
	assert_int_equal(zc_mw_test(x, N(x), x, N(x), &r), 0);
	assert_true(r.p > 0.99);
}

static void test_bad_arguments(void **state)
{
	const double x[] = { 1, NAN };
	struct zc_mw_result r;

	(void)state;
	assert_int_equal(zc_mw_test(x, 0, x, 1, &r), -1);
	assert_int_equal(zc_mw_test(x, 1, x, 0, &r), -1);
	assert_int_equal(zc_mw_test(x, 2, x, 1, &r), -1);
	assert_int_equal(zc_mw_test(NULL, 1, x, 1, &r), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worked_out_cases),
		cmocka_unit_test(test_large_samples),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
