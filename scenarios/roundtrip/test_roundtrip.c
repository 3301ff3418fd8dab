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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

static char log_text[65536];

/* Runs roundtrip --quick on frame with allocator; returns the document it wrote. */
static json_t *run_roundtrip(const char *frame, const char *allocator, const char *strategy)
{
	char bin[512], dir[256], out[512];
	snprintf(bin, sizeof(bin), "%s/bin/roundtrip", zt_build_dir());
	zt_tmpdir(dir, sizeof(dir));
	snprintf(out, sizeof(out), "%s/roundtrip-%s-%s.json", dir, allocator, frame);
	const char *argv[] = {bin, "--quick", "--quiet", "--frame", frame, "--allocator", allocator,
			      "--strategy", strategy, "--out", out, NULL};
	int rc = zt_run(argv, log_text, sizeof(log_text));
	if (rc != 0)
		fail_msg("roundtrip exited %d:\n%s", rc, log_text);
	json_t *doc = zt_load_json(out);
	zt_rmdir(dir);
	return doc;
}

static json_t *leg(json_t *result, const char *name)
{
	return zt_element(result, "legs", "leg", name);
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

/* shrink_realloc under one allocator: whether its realloc moves the shrunk block. */
struct shrink_case {
	const char *allocator;
	const char *library;	/* its Debian package's library; NULL: glibc's own */
	const char *from;	/* what context.allocator.malloc_from names */
	const char *verdict;
	enum { MOVES_UNCHECKED, MOVES_NEVER, MOVES_EVERY } moves;
	const char *decommit_delay; /* MIMALLOC_DECOMMIT_DELAY for the run; NULL: its default */
};

static const struct shrink_case shrinks[] = {
	{ "glibc", NULL, NULL, "zero-copy", MOVES_NEVER, NULL },
	/* mimalloc moves a block that shrinks below half its size: a hidden copy of the frame. */
	{ "mimalloc", "/usr/lib/x86_64-linux-gnu/libmimalloc.so.2", "libmimalloc", "copy",
	  MOVES_EVERY, NULL },
	{ "jemalloc", "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "libjemalloc", "zero-copy",
	  MOVES_UNCHECKED, NULL },
	/*
	 * mimalloc giving the freed copy's memory back at once (it does so after a delay, which
	 * a busy machine can outlast inside one transfer): read at the free, then discarded, the
	 * copy is still one frame, not two.
	 */
	{ "mimalloc", "/usr/lib/x86_64-linux-gnu/libmimalloc.so.2", "libmimalloc", "copy",
	  MOVES_EVERY, "0" },
};

/* One allocator of shrinks[]; skipped when its library is not installed. */
static void test_shrink(void **state)
{
	const struct shrink_case *c = *state;
	if (ZT_SANITIZER_BUILD)
		skip();
	if (c->library && access(c->library, R_OK) != 0)
		skip();
	if (c->decommit_delay)
		assert_int_equal(setenv("MIMALLOC_DECOMMIT_DELAY", c->decommit_delay, 1), 0);
	json_t *doc = run_roundtrip("1920x1080", c->allocator, "shrink_realloc");
	unsetenv("MIMALLOC_DECOMMIT_DELAY");
	json_t *r = zt_result(doc, "shrink_realloc");
	double frame_bytes = zt_number(doc, "frame.bytes");
	assert_string_equal(zt_string(doc, "context.allocator.name"), c->allocator);
	assert_string_equal(zt_string(r, "identity.verdict"), c->verdict);
	if (c->library) {
		assert_non_null(strstr(zt_string(doc, "context.allocator.malloc_from"), c->from));
		/* counting goes on through the preloaded allocator */
		assert_true(zt_number(r, "allocations.count_per_transfer") >= 1);
		assert_true(zt_number(r, "allocations.live_at_end") == 0);
	}
	if (c->moves == MOVES_NEVER) {
		assert_true(zt_number(r, "shrink.moved_transfers") == 0);
		assert_true(zt_copied_frames(zt_number(r, "copies.bytes_per_transfer"), 0,
					     frame_bytes));
	} else if (c->moves == MOVES_EVERY) {
		assert_true(zt_number(r, "shrink.moved_transfers") ==
			    zt_number(r, "shrink.transfers"));
		assert_true(zt_copied_frames(zt_number(r, "copies.bytes_per_transfer"), 1,
					     frame_bytes));
		assert_true(zt_number(r, "allocations.realloc_moves_per_transfer") == 1);
	}
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legs),
		cmocka_unit_test_prestate(test_shrink, (void *)&shrinks[0]),
		cmocka_unit_test_prestate(test_shrink, (void *)&shrinks[1]),
		cmocka_unit_test_prestate(test_shrink, (void *)&shrinks[2]),
		cmocka_unit_test_prestate(test_shrink, (void *)&shrinks[3]),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
