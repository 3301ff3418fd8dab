/*
 * shift.c: the Hodges-Lehmann shift of two samples and its distribution-free confidence
 * interval (shift.h). With D the n*m differences y_j - x_i sorted, the interval at level
 * 1 - a is [D_(k), D_(nm+1-k)] for the largest k with P(U <= k - 1) <= a / 2 under the null
 * hypothesis (Hollander & Wolfe, Nonparametric Statistical Methods, 4.3).
 */
#include "shift.h"
#include "mannwhitney.h"

#include <math.h>
#include <stdlib.h>

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The standard normal quantile of p in (0, 1), by bisection on erfc: no table, no library. */
static double normal_quantile(double p)
{
	double lo = -40, hi = 40;
	for (int i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;
		if (0.5 * erfc(-mid / sqrt(2)) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* The k of the interval (0 when even the extremes do not reach the level), or -1 (memory). */
static long interval_rank(size_t nx, size_t ny, double level)
{
	double tail = (1 - level) / 2, nm = (double)nx * (double)ny;
	if (nx + ny <= ZC_MW_EXACT_MAX) {
		long k = 0;
		for (size_t u = 0; u < nx * ny; u++) {
			double cdf = zc_mw_exact_cdf(nx, ny, u);
			if (cdf < 0)
				return -1;
			if (cdf > tail)
				break;
			k = (long)u + 1;
		}
		return k;
	}
	double sd = sqrt(nm * (double)(nx + ny + 1) / 12);
	double k = floor(nm / 2 + normal_quantile(tail) * sd - 0.5) + 1; /* continuity */
	return k < 1 ? 0 : (long)k;
}

int zc_shift_ci(const double *x, size_t nx, const double *y, size_t ny, double level,
		struct zc_shift *out)
{
	if (!x || !y || !out || nx == 0 || ny == 0 || !(level > 0 && level < 1))
		return -1;
	size_t n = nx * ny;
	double *d = malloc(n * sizeof(*d));
	if (!d)
		return -1;
	for (size_t i = 0; i < nx; i++)
		for (size_t j = 0; j < ny; j++)
			d[i * ny + j] = y[j] - x[i];
	for (size_t i = 0; i < n; i++)
		if (isnan(d[i])) {
			free(d);
			return -1;
		}
	qsort(d, n, sizeof(*d), compare_doubles);
	long k = interval_rank(nx, ny, level);
	if (k < 0) {
		free(d);
		return -1;
	}
	out->estimate = n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
	out->k = (size_t)k;
	out->lo = k > 0 ? d[k - 1] : -(double)INFINITY;
	out->hi = k > 0 ? d[n - (size_t)k] : (double)INFINITY;
	free(d);
	return 0;
}
