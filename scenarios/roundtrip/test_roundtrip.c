/*
 * test_roundtrip.c: build/bin/roundtrip: identity leg by leg, the round-trip address trap, and
 * shrink_realloc's verdict under each allocator (the allocator decides whether it copies).
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

static char dir[256];
static char log_text[65536];

/* Runs roundtrip --quick on frame with allocator; returns the document it wrote. */
static json_t *run_roundtrip(const char *frame, const char *allocator, const char *strategy)
{
	char bin[512], out[512];
	snprintf(bin, sizeof(bin), "%s/bin/roundtrip", zt_build_dir());
	snprintf(out, sizeof(out), "%s/roundtrip-%s-%s.json", dir, allocator, frame);
	const char *argv[] = {bin, "--quick", "--quiet", "--frame", frame, "--allocator", allocator,
			      "--strategy", strategy, "--out", out, NULL};
	int rc = zt_run(argv, log_text, sizeof(log_text));
	if (rc != 0)
		fail_msg("roundtrip exited %d:\n%s", rc, log_text);
	return zt_load_json(out);
}

static json_t *leg(json_t *result, const char *name)
{
	json_t *legs = json_object_get(result, "legs"), *l;
	size_t i;
	json_array_foreach(legs, i, l) {
		const char *n = json_string_value(json_object_get(l, "leg"));
		if (n && strcmp(n, name) == 0)
			return l;
	}
	fail_msg("no leg '%s'", name);
	return NULL;
}

static int group_setup(void **state)
{
	(void)state;
	zt_tmpdir(dir, sizeof(dir));
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	zt_rmdir(dir);
	return 0;
}

static void test_legs(void **state)
{
	(void)state;
	json_t *doc = run_roundtrip("256x256", "glibc", "round_trip");
	json_t *rt = zt_result(doc, "round_trip");
	assert_string_equal(zt_string(leg(rt, "out"), "verdict"), "zero-copy");
	assert_true(zt_bool(leg(rt, "out"), "aliasing_visible"));
	assert_true(zt_copied_frames(zt_number(leg(rt, "out"), "copy_bytes_per_transfer"), 0,
				     256 * 256 * 4));
	assert_string_equal(zt_string(leg(rt, "back"), "verdict"), "copy");
	assert_true(zt_copied_frames(zt_number(leg(rt, "back"), "copy_bytes_per_transfer"), 1,
				     256 * 256 * 4));
	assert_false(zt_bool(leg(rt, "round_trip"), "same_address"));
	assert_string_equal(zt_string(leg(rt, "round_trip"), "address_comparison_says"), "copy");
	/* The round trip as a whole is a copy: the view is what Rust got back. */
	assert_string_equal(zt_string(rt, "identity.verdict"), "copy");
	/* ... and the program says in words that the address after the round trip misleads. */
	assert_non_null(strstr(log_text, "even though the outbound leg shared the bytes"));
	json_decref(doc);
}

static double frame_bytes(json_t *doc)
{
	return zt_number(doc, "frame.bytes");
}

static void test_shrink_in_place_under_glibc(void **state)
{
	(void)state;
	if (ZT_SANITIZER_BUILD)
		skip();
	json_t *doc = run_roundtrip("1920x1080", "glibc", "shrink_realloc");
	json_t *r = zt_result(doc, "shrink_realloc");
	assert_string_equal(zt_string(doc, "context.allocator.name"), "glibc");
	assert_string_equal(zt_string(r, "identity.verdict"), "zero-copy");
	assert_true(zt_number(r, "shrink.moved_transfers") == 0);
	assert_true(zt_copied_frames(zt_number(r, "copies.bytes_per_transfer"), 0, frame_bytes(doc)));
	json_decref(doc);
}

/* Skips the test when the allocator's Debian package is not installed. */
static int have(const char *library)
{
	return access(library, R_OK) == 0;
}

/* mimalloc moves a block that shrinks below half its size: a hidden copy of the frame. */
static void test_shrink_moves_under_mimalloc(void **state)
{
	(void)state;
	if (ZT_SANITIZER_BUILD)
		skip();
	if (!have("/usr/lib/x86_64-linux-gnu/libmimalloc.so.2"))
		skip();
	json_t *doc = run_roundtrip("1920x1080", "mimalloc", "shrink_realloc");
	json_t *r = zt_result(doc, "shrink_realloc");
	assert_string_equal(zt_string(doc, "context.allocator.name"), "mimalloc");
	assert_non_null(strstr(zt_string(doc, "context.allocator.malloc_from"), "libmimalloc"));
	assert_string_equal(zt_string(r, "identity.verdict"), "copy");
	assert_true(zt_number(r, "shrink.moved_transfers") == zt_number(r, "shrink.transfers"));
	assert_true(zt_copied_frames(zt_number(r, "copies.bytes_per_transfer"), 1, frame_bytes(doc)));
	assert_true(zt_number(r, "allocations.realloc_moves_per_transfer") == 1);
	/* counting goes on through the preloaded allocator */
	assert_true(zt_number(r, "allocations.count_per_transfer") >= 1);
	assert_true(zt_number(r, "allocations.live_at_end") == 0);
	json_decref(doc);
}

static void test_shrink_in_place_under_jemalloc(void **state)
{
	(void)state;
	if (ZT_SANITIZER_BUILD)
		skip();
	if (!have("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"))
		skip();
	json_t *doc = run_roundtrip("1920x1080", "jemalloc", "shrink_realloc");
	json_t *r = zt_result(doc, "shrink_realloc");
	assert_string_equal(zt_string(doc, "context.allocator.name"), "jemalloc");
	assert_non_null(strstr(zt_string(doc, "context.allocator.malloc_from"), "libjemalloc"));
	assert_string_equal(zt_string(r, "identity.verdict"), "zero-copy");
	assert_true(zt_number(r, "allocations.count_per_transfer") >= 1);
	assert_true(zt_number(r, "allocations.live_at_end") == 0);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legs),
		cmocka_unit_test(test_shrink_in_place_under_glibc),
		cmocka_unit_test(test_shrink_moves_under_mimalloc),
		cmocka_unit_test(test_shrink_in_place_under_jemalloc),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
