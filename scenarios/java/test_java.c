/*
 * test_java.c: the java boundary. First build/bin/java --quick at 1920x1080 (its measuring
 * processes have JVMs of their own): each strategy's verdict and the bytes the instruments saw
 * copied, what the JVM said (isCopy) and what the Cleaner did. Then the strategies in this
 * process, on the one JVM a process can have: the write-through probe read by Java through its
 * own object, where the runtime says the bytes live, and every frame-sized block given back
 * at teardown (direct_buffer's only after the Cleaner ran).
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instrument.h"
#include "java_strategies.h"
#include "support.h"
#include "written.h"

#define FRAME_BYTES 8294400.0

/*
 * Whether bytes copied per transfer are frames frames, within a hundredth of a frame: the
 * instruments watch the whole process, and the JVM's own threads copy a few hundred bytes of
 * their own meanwhile (measured: 186 bytes a transfer, now and then).
 */
static int about_frames(double bytes, double frames)
{
	double d = bytes - frames * FRAME_BYTES;
	return d > -0.01 * FRAME_BYTES && d < 0.01 * FRAME_BYTES;
}

static json_t *doc; /* one --quick run of every strategy, shared by the tests that read it */

static int group_setup(void **state)
{
	(void)state;
	const char *args[] = {"--quick", "--quiet", "--processes", "2", NULL};
	int rc = zt_group_run("java", args, &doc);
	struct zc_error err = {0};
	if (zc_java_open(&err) != 0) {
		fprintf(stderr, "%s\n", err.text);
		return -1;
	}
	return rc;
}

static void verdicts_and_copied_bytes(void **state)
{
	(void)state;
	const char *copies[] = {"byte_array", "array_elements", "critical"};
	for (size_t i = 0; i < 3; i++) {
		json_t *r = zt_result(doc, copies[i]);
		zt_expect_identity(r, "copy", 0);
		if (zt_number(r, "copies.bytes_per_transfer") < FRAME_BYTES)
			fail_msg("%s: %g bytes copied per transfer", copies[i],
				 zt_number(r, "copies.bytes_per_transfer"));
	}
	json_t *d = zt_result(doc, "direct_buffer");
	zt_expect_identity(d, "zero-copy", 1);
	assert_true(zt_number(d, "identity.same_pages") >= 0.99);
	assert_true(zt_number(d, "copies.bytes_per_transfer") < FRAME_BYTES / 100);
	json_t *results = json_object_get(doc, "results"), *r;
	size_t i;
	json_array_foreach(results, i, r)
		if (!zt_bool(r, "identity.checksum_ok"))
			fail_msg("%s: checksum", zt_string(r, "strategy"));
}

/*
 * HotSpot's copies are observed, not taken from a declaration: SetByteArrayRegion's memmove
 * (declared as JNI documents it, one frame, and seen), and around the one copy this program
 * makes into GetByteArrayElements' buffer, the copy out of the array and the copy back at
 * the release, in a frame-sized block malloc'd per transfer: more than declared.
 */
static void hotspot_copies_are_observed(void **state)
{
	(void)state;
	json_t *b = zt_result(doc, "byte_array");
	assert_true(about_frames(zt_number(b, "copies.expected_bytes_per_transfer"), 1));
	assert_true(about_frames(zt_number(b, "copies.user_bytes_per_transfer"), 1));
	json_t *e = zt_result(doc, "array_elements");
	assert_true(about_frames(zt_number(e, "copies.expected_bytes_per_transfer"), 1));
	assert_true(about_frames(zt_number(e, "copies.user_bytes_per_transfer"), 3));
	assert_true(zt_number(e, "allocations.frame_sized_per_transfer") == 1);
	assert_true(zt_number(e, "allocations.frame_sized_frees_per_transfer") == 1);
	/* isCopy said what the instruments saw: every GetByteArrayElements was a copy. */
	assert_true(zt_number(e, "jvm.jni_is_copy.true") > 0);
	assert_true(zt_number(e, "jvm.jni_is_copy.false") == 0);
	/* critical: only this program's copy, into the array itself, and no copy by JNI. */
	json_t *c = zt_result(doc, "critical");
	assert_true(about_frames(zt_number(c, "copies.bytes_per_transfer"), 1));
	assert_true(zt_number(c, "allocations.frame_sized_per_transfer") == 0);
	assert_true(zt_number(c, "jvm.jni_is_copy.false") > 0);
}

/* Frames come back only through the Cleaner, after the collections the pool had to ask for. */
static void direct_buffers_come_back_through_the_cleaner(void **state)
{
	(void)state;
	json_t *d = zt_result(doc, "direct_buffer");
	double handed = zt_number(d, "jvm.direct_buffer.frames_handed_over");
	double back = zt_number(d, "jvm.direct_buffer.frames_given_back");
	double pool = zt_number(d, "jvm.direct_buffer.pool_frames");
	assert_true(handed > pool);
	assert_true(back >= handed - pool && back <= handed);
	assert_true(zt_number(d, "jvm.direct_buffer.cleaner_runs") == back);
	assert_true(zt_number(d, "jvm.direct_buffer.most_outstanding") <= pool);
	assert_true(zt_number(d, "jvm.direct_buffer.collections_forced") > 0);
	assert_true(zt_number(d, "allocations.frame_sized_per_transfer") == 0);
	json_t *gc = json_object_get(json_object_get(d, "jvm"), "gc");
	assert_non_null(json_object_get(gc, "collectors"));
	assert_true(json_array_size(json_object_get(gc, "collectors")) >= 1);
}

static void jvm_options_are_recorded(void **state)
{
	(void)state;
	json_t *r = zt_result(doc, "critical");
	json_t *opts = json_object_get(json_object_get(r, "jvm"), "options");
	bool rs = false, xmx = false, fixed = false;
	size_t i;
	json_t *o;
	json_array_foreach(opts, i, o) {
		rs |= !strcmp(json_string_value(o), "-Xrs");
		xmx |= !strncmp(json_string_value(o), "-Xmx", 4);
		/* A fixed heap: one that grows and shrinks makes the timing two-speed (jvm.c). */
		fixed |= !strncmp(json_string_value(o), "-Xms", 4) &&
			 zt_number(r, "jvm.heap_max_mib") == atof(json_string_value(o) + 4);
	}
	assert_true(rs && xmx && fixed);
	assert_true(zt_number(r, "jvm.heap_max_mib") >= 256);
	assert_true(zt_number(r, "jvm.creation_blocks") > 0);
}

/*
 * Moves frames through s in this process and probes the last one through Java's object: six,
 * more than direct_buffer's pool, so the Cleaner runs. Every frame-sized block is freed: the
 * producer's frames, HotSpot's copies, the pool's.
 */
static void probe_in_process(const struct zc_strategy *s, const struct zc_frame_geom *g,
			     bool zero_copy)
{
	zt_probe_transfers(s, g, 6, 3, 0x5a, zero_copy);
}

static void strategies_in_process(void **state)
{
	(void)state;
	struct zc_frame_geom g;
	struct zc_error err = {0};
	assert_int_equal(zc_frame_geom_init(&g, 1920, 1080, &err), 0);
	zc_instrument_set_frame_bytes(g.bytes);
	for (size_t i = 0; i < zc_java_scenario.nstrategies; i++) {
		const struct zc_strategy *s = zc_java_scenario.strategies[i];
		probe_in_process(s, &g, s->expect_zero_copy);
	}
}

/*
 * The evidence pass's watch over a process with a JVM (after strategies_in_process made it):
 * every writable mapping is watched, the 300 MiB heap and the main thread's stack among them;
 * none is left out, for its size or by the kernel.
 */
static void evidence_watch_covers_the_jvm(void **state)
{
	(void)state;
	struct zc_written w;
	struct zc_error err = {0};
	if (ZT_SANITIZER_BUILD || zc_written_init(&w, &err) != 0) {
		skip();
		return;
	}
	int rc = zc_written_arm(&w, &err);
	long taken = rc == 0 ? zc_written_take(&w, &err) : -1;
	size_t left_out = zc_written_unwatched_count(&w);
	for (size_t i = 0; i < zc_written_unwatched_count(&w); i++) {
		const struct zc_written_unwatched *u = zc_written_unwatched_at(&w, i);
		char why[96];
		zc_written_why_text(u, why, sizeof(why));
		print_message("not watched: %lx-%lx %s (%s)\n", u->start, u->end, u->name, why);
	}
	zc_written_release(&w);
	if (rc != 0 || taken < 0)
		fail_msg("%s", err.text);
	assert_int_equal(left_out, 0);
}

/* Frames a Java array cannot hold are bad input; the largest it can are not. */
static void frame_size_limit(void **state)
{
	(void)state;
	struct zc_frame_geom g;
	struct zc_error err = {0};
	assert_int_equal(zc_frame_geom_init(&g, 32768, 16384, &err), 0); /* 2^31 bytes */
	assert_int_equal(zc_java_check_frame(&g, &err), -1);
	assert_int_equal(err.code, ZC_EXIT_USAGE);
	assert_non_null(strstr(err.text, "2^31-1"));
	assert_int_equal(zc_frame_geom_init(&g, 16384, 32767, &err), 0);
	assert_int_equal(zc_java_check_frame(&g, NULL), 0);
}

int main(void)
{
	/* The runs first: this process's own JVM comes with strategies_in_process. */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(verdicts_and_copied_bytes),
		cmocka_unit_test(hotspot_copies_are_observed),
		cmocka_unit_test(direct_buffers_come_back_through_the_cleaner),
		cmocka_unit_test(jvm_options_are_recorded),
		cmocka_unit_test(frame_size_limit),
		cmocka_unit_test(strategies_in_process),
		cmocka_unit_test(evidence_watch_covers_the_jvm),
	};
	/* The library stays loaded after the run: the JVM's Cleaner thread may still call into it. */
	return cmocka_run_group_tests_name("java", tests, group_setup, zt_group_teardown);
}
