/*
 * results.c: the results model: a growable array of per-strategy results.
 */
#include "results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

struct zc_result *zc_results_add(struct zc_results *r, const char *strategy, const char *mirrors,
				 bool expect_zero_copy)
{
	if (zc_grow(&r->v, &r->cap, r->n, sizeof(*r->v), 8) != 0)
		return NULL;
	struct zc_result *res = &r->v[r->n++];
	memset(res, 0, sizeof(*res));
	res->scenario = r->scenario;
	res->strategy = strategy;
	res->mirrors = mirrors;
	res->expect_zero_copy = expect_zero_copy;
	/* Not measured until an instrument says otherwise. */
	res->id.same_pages = NAN;
	res->copies.pages_bytes_per_transfer = NAN;
	res->pages_written = (struct zc_written_result){.producer_per_transfer = NAN,
							.consumer_per_transfer = NAN,
							.fresh_per_transfer = NAN,
							.frame_per_transfer = NAN,
							.frame_bytes_per_transfer = NAN,
							.unwatched.io_uring = -1,
							.consumer_unwatched.io_uring = -1};
	snprintf(res->id.same_pages_unavailable, sizeof(res->id.same_pages_unavailable),
		 "not measured");
	snprintf(res->pages_written.unavailable, sizeof(res->pages_written.unavailable),
		 "not measured");
	return res;
}

struct zc_result *zc_results_find(struct zc_results *r, const char *strategy)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].strategy, strategy) == 0)
			return &r->v[i];
	return NULL;
}

int zc_result_set_samples(struct zc_result *res, const double *samples, size_t n,
			  size_t frame_bytes)
{
	if (n == 0)
		return -1;
	double *copy = malloc(n * sizeof(*copy));
	if (!copy)
		return -1;
	memcpy(copy, samples, n * sizeof(*copy));
	free(res->time.samples);
	res->time.samples = copy;
	res->time.nsamples = n;
	zc_summarize(copy, n, &res->time.ns);
	double med = res->time.ns.median;
	res->time.frames_per_s = med > 0 ? 1e9 / med : 0;
	res->time.gb_per_s = med > 0 ? (double)frame_bytes / med : 0; /* bytes per ns = GB/s */
	res->measured = true;
	return 0;
}

int zc_result_add_samples(struct zc_result *res, const double *samples, size_t n,
			  size_t frame_bytes)
{
	size_t total = res->time.nsamples + n;
	double *all = malloc(total * sizeof(*all));
	if (!all)
		return -1;
	memcpy(all, res->time.samples, res->time.nsamples * sizeof(*all));
	memcpy(all + res->time.nsamples, samples, n * sizeof(*all));
	int rc = zc_result_set_samples(res, all, total, frame_bytes);
	free(all);
	return rc;
}

int zc_latency_add(struct zc_latency *l, const double *samples, size_t n)
{
	if (n == 0)
		return 0;
	double *all = realloc(l->samples, (l->nsamples + n) * sizeof(*all));
	if (!all)
		return -1;
	memcpy(all + l->nsamples, samples, n * sizeof(*all));
	l->samples = all;
	if (l->nprocesses < sizeof(l->process_medians) / sizeof(l->process_medians[0]))
		l->process_medians[l->nprocesses++] = zc_percentile(all + l->nsamples, n, 50);
	l->nsamples += n;
	l->p50 = zc_percentile(all, l->nsamples, 50);
	l->p99 = zc_percentile(all, l->nsamples, 99);
	return 0;
}

void zc_results_release(struct zc_results *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].time.samples);
		free(r->v[i].handover.one_way.samples);
		free(r->v[i].handover.post.samples);
		json_decref(r->v[i].extra);
	}
	free(r->v);
	json_decref(r->context);
	memset(r, 0, sizeof(*r));
}
