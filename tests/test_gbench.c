/*
 * test_gbench.c: the C shim over Google Benchmark: registration with an argument, repetitions,
 * the bytes-processed counter, errors, and the runs handed back to C.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "gbench.h"

struct seen {
	int repetitions, aggregates, errors, timed;
	int64_t iterations;
	double rate;
};

static int calls;

static void body(zc_bench_state *st, void *arg)
{
	int *value = arg;
	calls++;
	while (zc_bench_keep_running(st))
		zc_do_not_optimize(value);
	zc_bench_set_bytes_processed(st, zc_bench_iterations(st) * *value);
}

static void failing(zc_bench_state *st, void *arg)
{
	(void)arg;
	zc_bench_skip_with_error(st, "deliberate");
	while (zc_bench_keep_running(st))
		;
}

static void on_run(const struct zc_bench_run *run, void *arg)
{
	struct seen *s = arg;
	if (run->error) {
		s->errors += strcmp(run->error_message, "deliberate") == 0;
		return;
	}
	if (run->aggregate) {
		s->aggregates++;
		return;
	}
	s->repetitions++;
	s->iterations = run->iterations;
	for (size_t i = 0; i < run->ncounters; i++)
		if (strcmp(run->counter_names[i], "bytes_per_second") == 0)
			s->rate = run->counter_values[i];
	s->timed += run->real_ns > 0 && run->cpu_ns > 0;
}

static void runs_come_back_to_c(void **unused)
{
	(void)unused;
	static int value = 42;
	char arg0[] = "test_gbench";
	char *argv[] = {arg0, NULL};
	int argc = 1;
	const char *bad;
	assert_int_equal(zc_bench_init(&argc, argv, &bad), 0);
	zc_bench *b = zc_bench_register("shim/body", body, &value);
	zc_bench_set_min_time(b, 0.001);
	zc_bench_set_repetitions(b, 3);
	zc_bench_use_real_time(b);
	zc_bench *f = zc_bench_register("shim/failing", failing, NULL);
	zc_bench_set_min_time(f, 0.001);
	struct seen s = {0};
	assert_int_equal(zc_bench_run_all(on_run, &s, true), 2);
	assert_true(calls >= 3);             /* one call per repetition, and some to calibrate */
	assert_int_equal(s.repetitions, 3);
	assert_true(s.aggregates >= 3);      /* mean, median, stddev (and cv) */
	assert_true(s.iterations > 0);
	assert_true(s.rate > 0);             /* bytes processed, divided by the time */
	assert_int_equal(s.timed, 3);
	assert_int_equal(s.errors, 1);
	assert_string_equal(zc_bench_error(), "");
	assert_non_null(zc_bench_library_version());
}

static void unknown_benchmark_flags_are_reported(void **unused)
{
	(void)unused;
	char arg0[] = "test_gbench", flag[] = "--benchmark_nonsense=1";
	char *argv[] = {arg0, flag, NULL};
	int argc = 2;
	const char *bad = NULL;
	assert_int_equal(zc_bench_init(&argc, argv, &bad), 1);
	assert_string_equal(bad, "--benchmark_nonsense=1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(runs_come_back_to_c),
		cmocka_unit_test(unknown_benchmark_flags_are_reported),
	};
	return cmocka_run_group_tests_name("gbench", tests, NULL, NULL);
}
