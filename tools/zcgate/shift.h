/*
 * shift.h: how far apart two samples are, with a confidence interval that assumes nothing of
 * their distribution: the Hodges-Lehmann estimate of the shift (the median of every
 * difference y_j - x_i) and the interval between two order statistics of those differences
 * that the Mann-Whitney distribution gives (every shift the test would not reject at that
 * level). The sequential gate stops measuring a row once this interval lies inside the
 * threshold: its answer ("unchanged") is clear.
 */
#ifndef ZC_SHIFT_H
#define ZC_SHIFT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct zc_shift {
	double estimate; /* Hodges-Lehmann: the median of the differences y_j - x_i */
	double lo, hi;   /* the interval; -INFINITY and INFINITY when the samples are too small
			    for the level asked */
	size_t k;        /* lo is the k-th smallest difference, hi the k-th largest; 0: none */
};

/*
 * The shift of @y (@ny values) against @x (@nx values) at confidence @level (0.95 for a 95%
 * interval). Exact for nx + ny <= ZC_MW_EXACT_MAX (mannwhitney.h), the normal approximation
 * above. Both need a value and no NaN. Returns 0 with @out filled in, or -1 (bad arguments,
 * out of memory).
 */
int zc_shift_ci(const double *x, size_t nx, const double *y, size_t ny, double level,
		struct zc_shift *out);

#ifdef __cplusplus
}
#endif

#endif
