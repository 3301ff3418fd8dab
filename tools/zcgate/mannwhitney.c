/*
 * mannwhitney.c: the two-sided Mann-Whitney U test, exact for small samples without ties and
 * by the normal approximation otherwise (see mannwhitney.h).
 */
#include "mannwhitney.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

struct obs {
	double v;
	int from_x;
};

static int compare_obs(const void *a, const void *b)
{
	double x = ((const struct obs *)a)->v, y = ((const struct obs *)b)->v;

	return (x > y) - (x < y);
}

/*
 * Rank the pooled, sorted observations (ties get their mean rank) and return the rank sum of the
 * first sample; *@ties gets the sum of t^3 - t over the groups of t tied values.
 */
static double rank_sum_x(const struct obs *o, size_t n, double *ties)
{
	double sum = 0;

	*ties = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j + 1 < n && o[j + 1].v == o[i].v)
			j++;
		double t = (double)(j - i + 1), rank = (double)(i + j) / 2 + 1;

		for (size_t k = i; k <= j; k++)
			if (o[k].from_x)
				sum += rank;
		*ties += t * t * t - t;
		i = j + 1;
	}
	return sum;
}

/*
 * P(U <= u) for samples of @m and @n values without ties: the counts of U are the coefficients
 * of the Gaussian binomial [m+n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i).
 * Returns a negative value when out of memory.
 */
double zc_mw_exact_cdf(size_t m, size_t n, size_t u)
{
	size_t deg = m * n + m;
	double *c = calloc(deg + 1, sizeof(*c));
	double below = 0, total = 0;

	if (!c)
		return -1;
	c[0] = 1;
	for (size_t i = 1; i <= m; i++) {
		for (size_t k = deg; k >= n + i; k--)	/* times (1 - q^(n+i)) */
			c[k] -= c[k - n - i];
		for (size_t k = i; k <= deg; k++)	/* divided by (1 - q^i) */
			c[k] += c[k - i];
	}
	for (size_t k = 0; k <= m * n; k++) {
		total += c[k];
		if (k <= u)
			below += c[k];
	}
	free(c);
	return below / total;
}

static double normal_p(double u, double nx, double ny, double ties)
{
	double n = nx + ny;
	double var = nx * ny / 12 * ((n + 1) - ties / (n * (n - 1)));
	double z;

	if (!(var > 0))
		return 1;	/* every value equal: no evidence of a difference */
	z = (fabs(u - nx * ny / 2) - 0.5) / sqrt(var);
	if (z < 0)
		z = 0;
	return fmin(1, erfc(z / sqrt(2)));
}

int zc_mw_test(const double *x, size_t nx, const double *y, size_t ny, struct zc_mw_result *out)
{
	size_t n = nx + ny;
	struct obs *o;
	double ties;

	if (!x || !y || !out || nx == 0 || ny == 0)
		return -1;
	o = malloc(n * sizeof(*o));
	if (!o)
		return -1;
	for (size_t i = 0; i < n; i++) {
		o[i].v = i < nx ? x[i] : y[i - nx];
		o[i].from_x = i < nx;
		if (isnan(o[i].v)) {
			free(o);
			return -1;
		}
	}
	qsort(o, n, sizeof(*o), compare_obs);
	out->u = rank_sum_x(o, n, &ties) - (double)nx * (double)(nx + 1) / 2;
	free(o);

	out->exact = ties == 0 && n <= ZC_MW_EXACT_MAX;
	if (out->exact) {
		double small = fmin(out->u, (double)nx * (double)ny - out->u);
		double cdf = zc_mw_exact_cdf(nx, ny, (size_t)small);

		if (cdf < 0)
			return -1;
		out->p = fmin(1, 2 * cdf);
	} else {
		out->p = normal_p(out->u, (double)nx, (double)ny, ties);
	}
	assert(out->p >= 0 && out->p <= 1);
	return 0;
}
