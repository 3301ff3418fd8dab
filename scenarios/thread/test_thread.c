/*
 * test_thread.c: runs build/bin/thread on a small frame and checks its verdicts, copy counts,
 * allocations, placement, hand-over reference and latency, and memory in the JSON it writes.
 * Rows are STRATEGY@PLACEMENT; the run has the default placements, same and cross.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handover_checks.h"
#include "support.h"

#define FRAME_BYTES (256.0 * 256.0 * 4.0)

static json_t *doc;

static int run_once(void **state)
{
	(void)state;
	const char *args[] = {"--quick", "--quiet", "--frame", "256x256", NULL};
	return zt_group_run("thread", args, &doc);
}

static const char *verdict(json_t *r)
{
	return json_string_value(json_object_get(json_object_get(r, "identity"), "verdict"));
}

static void test_copy_carries_the_bytes(void **state)
{
	(void)state;
	json_t *r = zt_result(doc, "copy@same");
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
	check_zero_copy("move@same", 1.0); /* a fresh frame per message, freed by the finalizer */
	check_zero_copy("pool@same", 0.0); /* frames come back through the return port */
	check_zero_copy("move@cross", 1.0);
	check_zero_copy("pool@cross", 0.0);
}

/*
 * The page tables agree, where they can be read (Linux 6.7+, root, no sanitizer): the copy
 * writes a frame's pages of frame bytes and maps none of the producer's pages; move and pool
 * write none and map all of them. One address space: the consumer's pages are the producer's.
 */
static void check_pages(const char *strategy, double frames, double same_pages)
{
	json_t *r = zt_result(doc, strategy);
	json_t *pw = json_object_get(r, "pages_written");
	assert_true(json_is_null(json_object_get(pw, "consumer_per_transfer")));
	if (json_is_number(json_object_get(pw, "frame_bytes_per_transfer"))) {
		double copied = zt_number(r, "pages_written.frame_bytes_per_transfer") * 4096;
		assert_true(fabs(copied - frames * FRAME_BYTES) <= 2 * 4096); /* a page each end */
	}
	json_t *same = json_object_get(json_object_get(r, "identity"), "same_pages");
	if (json_is_number(same))
		assert_true(json_number_value(same) == same_pages);
}

static void test_page_tables_agree(void **state)
{
	(void)state;
	check_pages("copy@same", 1, 0);
	check_pages("move@same", 0, 1);
	check_pages("pool@same", 0, 1);
}

static const char *const placed[] = {"reference_handover", "copy", "move", "pool"};

/*
 * Each row ran where its placement says (the CPUs sched_getcpu returned on each side are the
 * ones it was pinned to), its latency pooled over every measuring process, and every row is
 * a multiple of reference_handover at the same placement.
 */
static void test_placed_rows(void **state)
{
	(void)state;
	zt_check_placed_rows(doc, placed, ZT_COUNT(placed));
}

/* One address space: no memory.consumer (the producer's figures are both sides'). */
static void test_memory_is_one_process(void **state)
{
	(void)state;
	const char *names[] = {"reference_memcpy", "copy@same", "move@cross", "pool@same"};
	for (size_t i = 0; i < 4; i++) {
		json_t *mem = json_object_get(zt_result(doc, names[i]), "memory");
		assert_null(json_object_get(mem, "consumer"));
		const char *m = json_string_value(json_object_get(mem, "rss_peak_method"));
		assert_non_null(m);
		assert_true(!strcmp(m, "vmhwm_reset") || !strcmp(m, "vmhwm_minus_setup_rss"));
	}
}

/*
 * The pool's three frames are rendered in setup, so its resident memory holds all three (a
 * frame large enough to stand out from the benchmark library's 2 MiB); a sanitizer's
 * allocator serves them its own way.
 */
static void test_pool_is_resident(void **state)
{
	(void)state;
	if (ZT_SANITIZER_BUILD)
		skip();
	char bigdir[256];
	const char *args[] = {"--quick", "--quiet", "--frame", "1024x1024", "--strategy", "pool",
			      "--placement", "same", NULL};
	json_t *big = zt_run_scenario("thread", args, bigdir, sizeof(bigdir));
	assert_non_null(big);
	assert_true(zt_number(zt_result(big, "pool@same"), "memory.resident_frames") >= 3.0);
	zt_release_scenario(big, bigdir);
}

/* When the kernel refuses the VmHWM reset, the results say the peak is the fallback's. */
static void test_peak_fallback_is_recorded(void **state)
{
	(void)state;
	char fbdir[256];
	const char *args[] = {"--quick", "--quiet", "--frame", "256x256", "--strategy", "move",
			      "--placement", "free", NULL};
	assert_int_equal(setenv("ZCBENCH_REFUSE_PEAK_RESET", "1", 1), 0);
	json_t *fb = zt_run_scenario("thread", args, fbdir, sizeof(fbdir));
	unsetenv("ZCBENCH_REFUSE_PEAK_RESET");
	assert_non_null(fb);
	assert_string_equal(zt_string(zt_result(fb, "move@free"), "memory.rss_peak_method"),
			    "vmhwm_minus_setup_rss");
	assert_string_equal(zt_string(zt_result(fb, "reference_memcpy"),
				      "memory.rss_peak_method"),
			    "vmhwm_minus_setup_rss");
	zt_release_scenario(fb, fbdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_carries_the_bytes),
		cmocka_unit_test(test_move_and_pool_share),
		cmocka_unit_test(test_page_tables_agree),
		cmocka_unit_test(test_placed_rows),
		cmocka_unit_test(test_memory_is_one_process),
		cmocka_unit_test(test_pool_is_resident),
		cmocka_unit_test(test_peak_fallback_is_recorded),
	};
	return cmocka_run_group_tests_name("thread", tests, run_once, zt_group_teardown);
}
