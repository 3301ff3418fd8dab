/*
 * mannwhitney.h: the two-sided Mann-Whitney U test (Wilcoxon rank-sum) for two independent
 * samples, used to tell a real change in timing from noise.
 *
 * Method: when neither sample has ties and nx + ny <= ZC_MW_EXACT_MAX, the p-value comes from the
 * exact distribution of U (every arrangement of the ranks counted); otherwise from the normal
 * approximation with the tie correction of the variance and a continuity correction of 0.5.
 * The two-sided p-value is twice the smaller tail, at most 1.
 */
#ifndef ZC_MANNWHITNEY_H
#define ZC_MANNWHITNEY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest nx + ny for the exact distribution: its counts stay exact in a double. */
#define ZC_MW_EXACT_MAX 50

struct zc_mw_result {
	double u;	/* U of the first sample: pairs (x, y) with x > y, ties counting 1/2 */
	double p;	/* two-sided p-value */
	int exact;	/* 1 when p comes from the exact distribution */
};

/*
 * Test @x (@nx values) against @y (@ny values).  Both need at least one value and no NaN.
 * Returns 0 with @out filled in, or -1 (bad arguments or out of memory).
 */
int zc_mw_test(const double *x, size_t nx, const double *y, size_t ny, struct zc_mw_result *out);

/*
 * P(U <= u) under the null hypothesis for samples of @m and @n values without ties, from the
 * exact distribution (m + n <= ZC_MW_EXACT_MAX keeps its counts exact). Negative when out of
 * memory.
 */
double zc_mw_exact_cdf(size_t m, size_t n, size_t u);

#ifdef __cplusplus
}
#endif

#endif
