/*
 * handover_checks.c: the placement, reference and latency checks (handover_checks.h).
 */
#include "handover_checks.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "support.h"

static const char *const placements[] = {"same", "cross", "free"};

/* strategy@placement in doc, or NULL when the run did not measure that placement. */
static json_t *row(json_t *doc, const char *strategy, const char *placement)
{
	char name[128];
	json_t *results = json_object_get(doc, "results"), *r;
	size_t i;
	snprintf(name, sizeof(name), "%s@%s", strategy, placement);
	json_array_foreach(results, i, r)
		if (!strcmp(json_string_value(json_object_get(r, "strategy")), name))
			return r;
	return NULL;
}

/* The one CPU of an array of CPUs seen; fails unless it holds exactly one. */
static json_int_t only_cpu(json_t *r, const char *path)
{
	json_t *seen = json_object_get(json_object_get(r, "placement"), path);
	if (json_array_size(seen) != 1)
		fail_msg("%s: %s holds %zu CPUs, expected one",
			 json_string_value(json_object_get(r, "strategy")), path,
			 json_array_size(seen));
	return json_integer_value(json_array_get(seen, 0));
}

static void zt_check_placement(json_t *doc, const char *strategy)
{
	size_t rows = 0;
	for (size_t k = 0; k < ZT_COUNT(placements); k++) {
		json_t *r = row(doc, strategy, placements[k]);
		if (!r)
			continue;
		rows++;
		assert_string_equal(zt_string(r, "placement.name"), placements[k]);
		assert_true(strlen(zt_string(r, "placement.cpu_idle")) > 0);
		double producer = zt_number(r, "placement.producer_cpu");
		double consumer = zt_number(r, "placement.consumer_cpu");
		if (!strcmp(placements[k], "free")) {
			assert_true(producer == -1 && consumer == -1);
			continue;
		}
		assert_true(producer >= 0 && consumer >= 0);
		assert_true(only_cpu(r, "producer_cpus_seen") == (json_int_t)producer);
		assert_true(only_cpu(r, "consumer_cpus_seen") == (json_int_t)consumer);
		if (!strcmp(placements[k], "same"))
			assert_true(producer == consumer);
		else
			assert_true(producer != consumer);
	}
	assert_true(rows > 0);
}

static void zt_check_handover_reference(json_t *doc, const char *const *strategies, size_t n)
{
	size_t found = 0;
	for (size_t k = 0; k < ZT_COUNT(placements); k++) {
		json_t *ref = row(doc, "reference_handover", placements[k]);
		for (size_t i = 0; i < n; i++) {
			json_t *r = row(doc, strategies[i], placements[k]);
			if (!r)
				continue;
			assert_non_null(ref); /* every placed row has its reference */
			double want = zt_number(r, "time.ns_per_transfer.median") /
				      zt_number(ref, "time.ns_per_transfer.median");
			assert_true(fabs(zt_number(r, "time.vs_handover") - want) <= 1e-9 * want);
		}
		if (!ref)
			continue;
		found++;
		assert_true(zt_number(ref, "time.vs_handover") == 1.0);
		assert_string_equal(zt_string(ref, "identity.verdict"), "zero-copy");
		/* the control channel's own records cross a process boundary: bytes, no frame */
		assert_true(zt_number(ref, "copies.bytes_per_transfer") <
			    zt_number(doc, "frame.bytes") / 100);
	}
	assert_true(found > 0);
}

static void check_pooled(json_t *r, const char *kind, size_t processes)
{
	char path[64];
	snprintf(path, sizeof(path), "latency.%s.process_medians", kind);
	json_t *medians = json_object_get(json_object_get(json_object_get(r, "latency"), kind),
					  "process_medians");
	assert_int_equal(json_array_size(medians), processes);
	double lo = INFINITY, hi = -INFINITY;
	size_t i;
	json_t *m;
	json_array_foreach(medians, i, m) {
		lo = fmin(lo, json_number_value(m));
		hi = fmax(hi, json_number_value(m));
	}
	snprintf(path, sizeof(path), "latency.%s.p50", kind);
	double p50 = zt_number(r, path);
	snprintf(path, sizeof(path), "latency.%s.p99", kind);
	double p99 = zt_number(r, path);
	snprintf(path, sizeof(path), "latency.%s.count", kind);
	assert_true(zt_number(r, path) >= (double)processes);
	assert_true(lo > 0 && p50 >= lo && p50 <= hi);
	assert_true(p99 >= p50);
}

static void zt_check_latency_pooled(json_t *doc, const char *strategy)
{
	for (size_t k = 0; k < ZT_COUNT(placements); k++) {
		json_t *r = row(doc, strategy, placements[k]);
		if (!r)
			continue;
		size_t processes = json_array_size(json_object_get(json_object_get(r, "time"),
								   "process_medians"));
		assert_true(processes > 1);
		check_pooled(r, "one_way_ns", processes);
		check_pooled(r, "post_ns", processes);
	}
}

void zt_check_placed_rows(json_t *doc, const char *const *strategies, size_t n)
{
	assert_true(n > 1 && !strcmp(strategies[0], "reference_handover"));
	for (size_t i = 0; i < n; i++) {
		zt_check_placement(doc, strategies[i]);
		zt_check_latency_pooled(doc, strategies[i]);
	}
	zt_check_handover_reference(doc, strategies + 1, n - 1);
}
