/*
 * test_thread.c: runs build/bin/thread on a small frame and checks its verdicts, copy counts,
 * allocations and hand-over latency in the JSON it writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

#define FRAME_BYTES (256.0 * 256.0 * 4.0)

static json_t *doc;
static char dir[256];

static int run_once(void **state)
{
	(void)state;
	const char *args[] = {"--quick", "--quiet", "--frame", "256x256", NULL};
	doc = zt_run_scenario("thread", args, dir, sizeof(dir));
	return doc ? 0 : -1;
}

static int clean_up(void **state)
{
	(void)state;
	zt_release_scenario(doc, dir);
	return 0;
}

static const char *verdict(json_t *r)
{
	return json_string_value(json_object_get(json_object_get(r, "identity"), "verdict"));
}

static void test_copy_carries_the_bytes(void **state)
{
	(void)state;
	json_t *r = zt_result(doc, "copy");
	assert_non_null(r);
	assert_string_equal(verdict(r), "copy");
	assert_true(zt_copied_frames(zt_number(r, "copies.bytes_per_transfer"), 1, FRAME_BYTES));
	assert_true(zt_number(r, "copies.copies_per_transfer") == 1.0);
	assert_true(zt_number(r, "allocations.frame_sized_per_transfer") == 1.0);
	assert_true(json_is_false(json_object_get(json_object_get(r, "identity"),
						   "aliasing_visible")));
}

static void check_zero_copy(const char *strategy, double frame_allocs)
{
	json_t *r = zt_result(doc, strategy);
	assert_non_null(r);
	assert_string_equal(verdict(r), "zero-copy");
	assert_true(zt_copied_frames(zt_number(r, "copies.bytes_per_transfer"), 0, FRAME_BYTES));
	json_t *id = json_object_get(r, "identity");
	assert_true(json_is_true(json_object_get(id, "same_address")));
	assert_true(json_is_true(json_object_get(id, "aliasing_visible")));
	assert_true(zt_number(r, "allocations.frame_sized_per_transfer") == frame_allocs);
	/* ThreadSanitizer keeps a block per thread it saw start; its own leak check covers ours. */
	if (!ZT_SANITIZER_BUILD)
		assert_int_equal(json_integer_value(json_object_get(
					 json_object_get(r, "allocations"), "live_at_end")),
				 0);
}

static void test_move_and_pool_share(void **state)
{
	(void)state;
	check_zero_copy("move", 1.0); /* a fresh frame per message, freed by the finalizer */
	check_zero_copy("pool", 0.0); /* frames come back through the return port */
}

static void test_latency_reported(void **state)
{
	(void)state;
	const char *names[] = {"copy", "move", "pool"};
	for (size_t i = 0; i < 3; i++) {
		json_t *r = zt_result(doc, names[i]);
		double median = zt_number(r, "latency_ns.median"), p99 = zt_number(r, "latency_ns.p99");
		assert_true(median > 0);
		assert_true(p99 >= median);
		assert_true(zt_number(r, "latency_ns.count") > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_carries_the_bytes),
		cmocka_unit_test(test_move_and_pool_share),
		cmocka_unit_test(test_latency_reported),
	};
	return cmocka_run_group_tests_name("thread", tests, run_once, clean_up);
}
