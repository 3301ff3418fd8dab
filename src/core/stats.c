/*
 * stats.c: median, mean, standard deviation, coefficient of variation, percentiles.
 */
#include "stats.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Percentile of an already sorted array. */
static double sorted_percentile(const double *s, size_t n, double p)
{
	double rank = p / 100.0 * (double)(n - 1);
	size_t lo = (size_t)floor(rank);
	size_t hi = lo + 1 < n ? lo + 1 : lo;
	double frac = rank - (double)lo;
	return s[lo] + (s[hi] - s[lo]) * frac;
}

double zc_percentile(const double *samples, size_t n, double p)
{
	assert(n >= 1);
	double *s = malloc(n * sizeof(*s));
	if (!s)
		return NAN;
	memcpy(s, samples, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	double v = sorted_percentile(s, n, p);
	free(s);
	return v;
}

void zc_summarize(const double *samples, size_t n, struct zc_summary *out)
{
	assert(n >= 1);
	double sum = 0, min = samples[0], max = samples[0];
	for (size_t i = 0; i < n; i++) {
		sum += samples[i];
		min = samples[i] < min ? samples[i] : min;
		max = samples[i] > max ? samples[i] : max;
	}
	double mean = sum / (double)n, ss = 0;
	for (size_t i = 0; i < n; i++)
		ss += (samples[i] - mean) * (samples[i] - mean);
	out->mean = mean;
	out->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
	out->cv = mean > 0 ? out->stddev / mean : 0.0;
	out->min = min;
	out->max = max;
	out->median = zc_percentile(samples, n, 50.0);
}
