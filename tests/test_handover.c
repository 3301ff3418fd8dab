/*
 * test_handover.c: what a placed row's figures are made of: latency pooled over measuring
 * processes, the bimodal flag from their medians, and --placement's parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "placement.h"
#include "results.h"
#include "verdict.h"

/* Two processes' samples pooled: one median each, p50 and p99 over all seven. */
static void test_latency_pooled(void **state)
{
	(void)state;
	const double a[] = {1, 2, 3}, b[] = {100, 200, 300, 400};
	struct zc_latency l = {0};
	assert_int_equal(zc_latency_add(&l, a, 3), 0);
	assert_true(l.p50 == 2);
	assert_int_equal(zc_latency_add(&l, b, 4), 0);
	assert_int_equal(l.nsamples, 7);
	assert_int_equal(l.nprocesses, 2);
	assert_true(l.process_medians[0] == 2 && l.process_medians[1] == 250);
	assert_true(l.p50 == 100); /* 1 2 3 [100] 200 300 400: not the first process's 2 */
	assert_true(l.p99 > 390 && l.p99 <= 400);
	assert_int_equal(zc_latency_add(&l, NULL, 0), 0); /* a process that logged nothing */
	assert_int_equal(l.nprocesses, 2);
	free(l.samples);
}

static bool modes(const double *medians, size_t n)
{
	struct zc_timing t = {.nprocesses = n};
	memcpy(t.process_medians, medians, n * sizeof(*medians));
	zc_verdict_modes(&t);
	return t.bimodal;
}

/* A row whose process medians differ by more than 2x is bimodal; 2x or less is not. */
static void test_bimodal(void **state)
{
	(void)state;
	const double two_modes[] = {10.2, 9.0, 9.0, 316, 220}; /* a thread pool's, measured */
	const double one_mode[] = {10, 12, 20, 15};
	const double one[] = {10};
	assert_true(modes(two_modes, 5));
	assert_false(modes(one_mode, 4));
	assert_false(modes(one, 1));
}

static void test_placement_parse(void **state)
{
	(void)state;
	enum zc_placement p[ZC_PLACEMENTS_MAX];
	size_t n;
	struct zc_error err = {0};
	assert_int_equal(zc_placement_parse("free,same", p, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_true(p[0] == ZC_PLACEMENT_FREE && p[1] == ZC_PLACEMENT_SAME);
	assert_int_equal(zc_placement_parse(NULL, p, &n, &err), 0);
	assert_true(n >= 1 && p[0] == ZC_PLACEMENT_SAME);
	assert_int_equal(zc_placement_parse("same,same", p, &n, &err), -1);
	assert_int_equal(err.code, ZC_EXIT_USAGE);
	struct zc_error bad = {0};
	assert_int_equal(zc_placement_parse("near", p, &n, &bad), -1);
	assert_non_null(strstr(bad.text, "unknown placement 'near'"));
	struct zc_error none = {0};
	assert_int_equal(zc_placement_parse(",", p, &n, &none), -1);
	assert_string_equal(zc_placement_name(ZC_PLACEMENT_CROSS), "cross");
	assert_null(zc_placement_name(ZC_PLACEMENT_NONE));
}

/* Pinned where asked: the calling thread runs on the producer's CPU afterwards. */
static void test_enter_pins(void **state)
{
	(void)state;
	int producer, consumer;
	assert_int_equal(zc_placement_enter(ZC_PLACEMENT_SAME, &producer, &consumer), 0);
	assert_true(producer >= 0 && producer == consumer);
	assert_true(zc_placement_cpu_bit() == (uint64_t)1 << producer);
	assert_int_equal(zc_placement_enter(ZC_PLACEMENT_FREE, &producer, &consumer), 0);
	assert_true(producer == -1 && consumer == -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latency_pooled),
		cmocka_unit_test(test_bimodal),
		cmocka_unit_test(test_placement_parse),
		cmocka_unit_test(test_enter_pins),
	};
	return cmocka_run_group_tests_name("handover", tests, NULL, NULL);
}
