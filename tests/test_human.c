/*
 * test_human.c: the console's durations and ratios (src/util/human.h) follow the report's
 * rules (scripts/report-data.jq), never in scientific notation; and run ids (context.h).
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "context.h"
#include "human.h"

static void test_durations(void **state)
{
	(void)state;
	static const struct { double ns; const char *want; } cases[] = {
		{0, "0 ns"}, {17.3, "17.3 ns"}, {25, "25 ns"}, {999, "999 ns"}, {1000, "1 us"},
		{48562, "48.6 us"}, {536548, "537 us"}, {1327895, "1.33 ms"},
		{16072838, "16.1 ms"}, {34318693000, "34.3 s"}, {2.5e12, "2500 s"},
		{-1, "?"}, {NAN, "?"},
	};
	char buf[32];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(zc_human_ns(cases[i].ns, buf, sizeof(buf)), cases[i].want);
}

static void test_ratios(void **state)
{
	(void)state;
	static const struct { double x; const char *want; } cases[] = {
		{1, "1x"}, {1.07, "1.07x"}, {0.994, "0.99x"}, {26.3, "26.3x"}, {0.0373, "0.04x"},
		{0.01, "0.01x"}, {4.39e-05, "1/22779x"}, {1.94e-05, "1/51546x"}, {1e-9, "1/1000000000x"},
		{0, "?"}, {-2, "?"}, {INFINITY, "?"},
	};
	char buf[32];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(zc_human_ratio(cases[i].x, buf, sizeof(buf)), cases[i].want);
}

static void test_times(void **state)
{
	(void)state;
	static const struct { double x; const char *want; } cases[] = {
		{1, "1x"}, {1.65, "1.65x"}, {10.44, "10.4x"}, {99.4, "99.4x"}, {100, "100x"},
		{52449.4, "52,449x"}, {1234567, "1,234,567x"}, {NAN, "?"},
	};
	char buf[32];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(zc_human_times(cases[i].x, buf, sizeof(buf)), cases[i].want);
}

static void test_run_ids(void **state)
{
	(void)state;
	char id[ZC_RUN_ID_MAX + 1];
	zc_run_id_make(1796610715, id, sizeof(id));
	assert_true(zc_run_id_valid(id));
	assert_memory_equal(id, "20261207T", 9);
	assert_true(zc_run_id_valid("ci-42.1"));
	assert_false(zc_run_id_valid(""));
	assert_false(zc_run_id_valid("a/b"));
	assert_false(zc_run_id_valid("a b"));
	assert_false(zc_run_id_valid("0123456789012345678901234567890123456789012345678901234567890123"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_ratios),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_run_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
