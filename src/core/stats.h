/*
 * stats.h: summary statistics over a run's samples (one per repetition).
 */
#ifndef ZC_STATS_H
#define ZC_STATS_H

#include <stddef.h>

struct zc_summary {
	double median, mean, stddev, cv, min, max;
};

/* Summarises n >= 1 samples; stddev is the sample standard deviation (0 when n == 1). */
void zc_summarize(const double *samples, size_t n, struct zc_summary *out);

/* The p-th percentile (0..100) of n >= 1 samples, linear interpolation between ranks. */
double zc_percentile(const double *samples, size_t n, double p);

#endif
