/*
 * test_managed.c: build/bin/managed on 1920x1080 frames (the collector's figures depend on the
 * frame's size against the 16 MiB young generation): verdicts, and the direction of the GC and
 * memory figures.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "support.h"

#define FRAME_BYTES 8294400.0
#define FRAME_KIB (FRAME_BYTES / 1024.0)
#define TIMED_FRAMES (6 * 8) /* --benchmark_repetitions=6 --transfers 8, in each process */

static json_t *doc; /* one --quick run of every strategy at 1920x1080, shared by the tests */

static int group_setup(void **state)
{
	(void)state;
	/*
	 * The GC figures cover one process's transfers: enough of them for unsized frames to pile
	 * up. Their number is fixed (--transfers), never what a timer allows: on a busy machine a
	 * timed run once made 18 frames where the test needs 20.
	 */
	const char *args[] = {"--quick", "--quiet", "--frame", "1920x1080", "--transfers", "8",
			      "--benchmark_repetitions=6", "--processes", "2", NULL};
	return zt_group_run("managed", args, &doc);
}

static void test_verdicts(void **state)
{
	(void)state;
	assert_string_equal(zt_string(doc, "schema"), "zcbench/1");
	assert_string_equal(zt_string(doc, "context.allocator.name"), "glibc");
	assert_string_equal(zt_string(zt_result(doc, "copy"), "identity.verdict"), "copy");
	assert_string_equal(zt_string(zt_result(doc, "clone_sync"), "identity.verdict"), "copy");
	assert_string_equal(zt_string(zt_result(doc, "external"), "identity.verdict"), "zero-copy");
	assert_string_equal(zt_string(zt_result(doc, "external_unsized"), "identity.verdict"),
			    "zero-copy");
}

/* Two frames nearly fill the 16 MiB young generation: copying needs a collection every two. */
static void test_copy_collects_at_least_every_two_frames(void **state)
{
	(void)state;
	json_t *copy = zt_result(doc, "copy");
	assert_true(zt_number(copy, "gc.frames") >= TIMED_FRAMES);
	assert_true(zt_number(copy, "gc.collections_per_100_frames") >= 50.0);
	assert_true(zt_number(copy, "gc.collections_by_cause.young_full") > 0);
	assert_true(zt_number(copy, "gc.payload_bytes_copied_by_gc") > 0);
	assert_true(zt_number(copy, "gc.young_payload_bytes_per_frame") == FRAME_BYTES);
}

/* Wrapped frames never enter the young generation: no collection comes from payload bytes. */
static void test_external_collects_only_for_its_reported_size(void **state)
{
	(void)state;
	json_t *ext = zt_result(doc, "external");
	assert_true(zt_number(ext, "gc.young_payload_bytes_per_frame") == 0);
	assert_true(zt_number(ext, "gc.collections_by_cause.young_full") == 0);
	assert_true(zt_number(ext, "gc.payload_bytes_copied_by_gc") == 0);
	assert_true(zt_number(ext, "gc.collections_by_cause.external_size") > 0);
	assert_true(zt_number(ext, "gc.finalizers_run") > 0);
	assert_true(zt_copied_frames(zt_number(ext, "copies.bytes_per_transfer"), 0, FRAME_BYTES));
}

/* Without externalSize the collector runs only for unrelated reasons and frames pile up. */
static void test_unsized_external_holds_more_memory(void **state)
{
	(void)state;
	if (ZT_SANITIZER_BUILD)
		skip();
	json_t *ext = zt_result(doc, "external"), *unsized = zt_result(doc, "external_unsized");
	assert_true(zt_number(unsized, "gc.frames") >= TIMED_FRAMES);
	assert_true(zt_number(unsized, "gc.collections_by_cause.external_size") == 0);
	assert_true(zt_number(unsized, "gc.frames_alive_at_peak") >=
		    zt_number(ext, "gc.frames_alive_at_peak") + 4);
	double rss_ext = zt_number(ext, "memory.rss_peak_kib");
	double rss_unsized = zt_number(unsized, "memory.rss_peak_kib");
	assert_true(rss_unsized >= rss_ext + 4 * FRAME_KIB);
}

/*
 * Timed in its steady state, whatever the run's length: warmed up until the heap collected
 * once, so its timed frames reuse the memory the finalizers gave back instead of faulting in
 * a fresh frame each (2,025 faults a transfer before the first collection: what made a quick
 * run 100 times dearer than a full one).
 */
static void test_unsized_external_timed_in_steady_state(void **state)
{
	(void)state;
	if (ZT_SANITIZER_BUILD)
		skip();
	static char log[65536];
	char out[512], bin[512];
	snprintf(out, sizeof(out), "%s/managed-short.json", zt_group_dir());
	snprintf(bin, sizeof(bin), "%s/bin/managed", zt_build_dir());
	/* A run far shorter than the young generation's fill: 4 timed frames, once. */
	const char *argv[] = {bin, "--quick", "--quiet", "--frame", "1920x1080", "--strategy",
			      "external_unsized", "--transfers", "4", "--benchmark_repetitions=1",
			      "--processes", "1", "--no-pages", "--out", out, NULL};
	assert_int_equal(zt_run(argv, log, sizeof(log)), 0);
	json_t *short_run = zt_load_json(out);
	json_t *unsized = zt_result(short_run, "external_unsized");
	assert_true(zt_number(unsized, "gc.collections") > 0);
	assert_true(zt_number(unsized, "memory.minor_faults_per_transfer") < FRAME_BYTES / 4096 / 4);
	assert_string_equal(zt_string(unsized, "identity.verdict"), "zero-copy");
	json_decref(short_run);
}

/* clone_sync's finalizer runs at once, for every frame. */
static void test_clone_sync_finalizes_every_frame(void **state)
{
	(void)state;
	json_t *clone = zt_result(doc, "clone_sync");
	assert_true(zt_number(clone, "gc.finalizers_run") == zt_number(clone, "gc.frames"));
	assert_true(zt_number(clone, "copies.bytes_per_transfer") >= FRAME_BYTES);
}

/* A young generation of 64 MiB holds several frames: copying collects less often. */
static void test_young_gen_option(void **state)
{
	(void)state;
	static char log[65536];
	char out[512];
	snprintf(out, sizeof(out), "%s/managed-64.json", zt_group_dir());
	char bin[512];
	snprintf(bin, sizeof(bin), "%s/bin/managed", zt_build_dir());
	const char *argv[] = {bin, "--quick", "--quiet", "--frame", "1920x1080", "--strategy",
			      "copy", "--young-gen", "64", "--transfers", "8",
			      "--benchmark_repetitions=6", "--out", out, NULL};
	assert_int_equal(zt_run(argv, log, sizeof(log)), 0);
	json_t *big = zt_load_json(out);
	json_t *copy = zt_result(big, "copy");
	assert_true(zt_number(copy, "gc.young_gen_bytes") == 64.0 * 1024 * 1024);
	assert_true(zt_number(copy, "gc.collections_per_100_frames") <
		    zt_number(zt_result(doc, "copy"), "gc.collections_per_100_frames") / 2);
	json_decref(big);
}

static void test_bad_options(void **state)
{
	(void)state;
	static char log[65536];
	char bin[512], out[512];
	snprintf(bin, sizeof(bin), "%s/bin/managed", zt_build_dir());
	snprintf(out, sizeof(out), "%s/bad.json", zt_group_dir());
	const char *young[] = {bin, "--young-gen", "0", "--out", out, NULL};
	assert_int_equal(zt_run(young, log, sizeof(log)), 2);
	assert_non_null(strstr(log, "invalid value '0' for '--young-gen'"));
	const char *alloc[] = {bin, "--allocator", "tcmalloc", "--out", out, NULL};
	assert_int_equal(zt_run(alloc, log, sizeof(log)), 2);
	assert_non_null(strstr(log, "unknown allocator 'tcmalloc' (valid: glibc mimalloc jemalloc)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_copy_collects_at_least_every_two_frames),
		cmocka_unit_test(test_external_collects_only_for_its_reported_size),
		cmocka_unit_test(test_unsized_external_holds_more_memory),
		cmocka_unit_test(test_unsized_external_timed_in_steady_state),
		cmocka_unit_test(test_clone_sync_finalizes_every_frame),
		cmocka_unit_test(test_young_gen_option),
		cmocka_unit_test(test_bad_options),
	};
	return cmocka_run_group_tests(tests, group_setup, zt_group_teardown);
}
