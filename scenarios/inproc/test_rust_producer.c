/*
 * test_rust_producer.c: the Rust producer (scenarios/producers/rust/) through its C ABI and
 * through the in-process scenario: each frame handed over comes back exactly once (a second
 * release aborts), and every Rust row's verdict and counts come from the instruments: move
 * copies nothing and allocates one frame a transfer, shrink_then_move's copy is counted
 * exactly when the allocator moved the block.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frame.h"
#include "inproc_strategies.h"
#include "support.h"

#define SMALL_BYTES (64 * 64 * 4)
#define FRAME_1080P 8294400.0

static struct zc_producer_api rust;
static void *rust_lib;

static int load_rust(void **state)
{
	(void)state;
	struct zc_error err = {0};
	if (zc_producer_load("../lib/libzcproducer_rust.so", &rust, &rust_lib, &err) != 0) {
		fprintf(stderr, "%s\n", err.text);
		return -1;
	}
	return 0;
}

static int unload_rust(void **state)
{
	(void)state;
	dlclose(rust_lib);
	return 0;
}

/* Every frame taken is out until its one release; the Vec keeps the capacity asked for. */
static void released_exactly_once(void **unused)
{
	(void)unused;
	struct zcp_producer *p = rust.open(SMALL_BYTES, 0);
	assert_non_null(p);
	zcp_release_fn release;
	void *ctx;
	unsigned char *f = rust.take_frame(p, 7, 0, &release, &ctx);
	assert_non_null(f);
	assert_true(zc_frame_stamp_ok(f, SMALL_BYTES, 7));
	assert_int_equal(rust.frames_out(p), 1);
	release(ctx, f);
	assert_int_equal(rust.frames_out(p), 0);

	size_t cap = 0; /* what doubling leaves: the next power of two */
	unsigned char *v = rust.take_vec(p, 8, 1, &cap);
	assert_non_null(v);
	assert_int_equal(cap, 16384);
	assert_true(zc_frame_stamp_ok(v, SMALL_BYTES, 8));
	rust.release_vec(p, v, SMALL_BYTES, cap);
	cap = 3 * SMALL_BYTES;
	v = rust.take_vec(p, 9, 0, &cap);
	assert_int_equal(cap, 3 * SMALL_BYTES);
	rust.release_vec(p, v, SMALL_BYTES, cap);
	cap = SMALL_BYTES - 1; /* a Vec cannot hold its frame in less */
	assert_null(rust.take_vec(p, 10, 0, &cap));

	unsigned char *s = rust.take_shrunk(p, 11, 0, 4 * SMALL_BYTES, &release, &ctx);
	assert_non_null(s);
	assert_true(zc_frame_stamp_ok(s, SMALL_BYTES, 11));
	assert_int_equal(rust.frames_out(p), 1);
	release(ctx, s);
	assert_int_equal(rust.frames_out(p), 0);
	rust.close(p);
}

/*
 * In a child, releases a frame twice (how: 0 through the release callback, 1 through
 * release_vec): the Rust side must name the mistake on stderr and abort before freeing.
 */
static void release_twice(int how)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], 2);
		struct zcp_producer *p = rust.open(SMALL_BYTES, 0);
		if (how == 0) {
			zcp_release_fn release;
			void *ctx;
			unsigned char *f = rust.take_frame(p, 1, 0, &release, &ctx);
			release(ctx, f);
			release(ctx, f);
		} else {
			size_t cap = 0;
			unsigned char *v = rust.take_vec(p, 1, 0, &cap);
			rust.release_vec(p, v, SMALL_BYTES, cap);
			rust.release_vec(p, v, SMALL_BYTES, cap);
		}
		_exit(0); /* not reached when the second release is caught */
	}
	close(fds[1]);
	char msg[512] = "";
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(msg) - 1 && (n = read(fds[0], msg + len, sizeof(msg) - 1 - len)) > 0)
		len += (size_t)n; /* until the child's end: it may write its line in pieces */
	msg[len] = '\0';
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
		fail_msg("a second release was not caught (status %d): %s", status, msg);
	if (!strstr(msg, "released twice"))
		fail_msg("the second release aborted without saying so: '%s'", msg);
}

static void second_release_aborts(void **unused)
{
	(void)unused;
	release_twice(0);
	release_twice(1);
}

/* The Rust rows at 1080p, every figure from the instruments. */
static void rust_rows_observed(void **unused)
{
	(void)unused;
	char dir[64];
	const char *args[] = {"--quick", "--quiet", "--producer", "rust", NULL};
	json_t *doc = zt_run_scenario("inproc", args, dir, sizeof(dir));
	assert_non_null(doc);
	json_t *results = json_object_get(doc, "results"), *row;
	size_t j;
	json_array_foreach(results, j, row) /* --producer rust: no C row */
		if (strcmp(zt_string(row, "strategy"), "reference_memcpy") != 0)
			assert_int_equal(strncmp(zt_string(row, "strategy"), "rust_", 5), 0);
	const char *shared[] = {"rust_move", "rust_move_vec", "rust_shared", "rust_pool"};
	for (size_t i = 0; i < 4; i++) {
		json_t *r = zt_result(doc, shared[i]);
		if (strcmp(zt_string(r, "identity.verdict"), "zero-copy") != 0)
			fail_msg("%s: %s", shared[i], zt_string(r, "identity.evidence"));
		assert_true(zt_copied_frames(zt_number(r, "copies.bytes_per_transfer"), 0,
					     FRAME_1080P));
	}
	for (size_t i = 0; i < 2; i++) { /* move, move_vec: one frame allocated, one freed */
		json_t *r = zt_result(doc, shared[i]);
		assert_true(zt_number(r, "allocations.frame_sized_per_transfer") == 1);
		assert_true(zt_number(r, "allocations.frame_sized_frees_per_transfer") == 1);
	}
	for (size_t i = 2; i < 4; i++)
		assert_true(zt_number(zt_result(doc, shared[i]),
				      "allocations.frame_sized_per_transfer") == 0);
	json_t *copy = zt_result(doc, "rust_copy");
	assert_string_equal(zt_string(copy, "identity.verdict"), "copy");
	assert_true(zt_copied_frames(zt_number(copy, "copies.bytes_per_transfer"), 1, FRAME_1080P));
	/* shrink_then_move: a frame copied for every move of the block, whichever it was. */
	json_t *shrink = zt_result(doc, "rust_shrink_then_move");
	assert_true(zt_copied_frames(zt_number(shrink, "copies.bytes_per_transfer"),
				     zt_number(shrink, "allocations.realloc_moves_per_transfer"),
				     FRAME_1080P));
	json_array_foreach(results, j, row) {
		if (zt_number(row, "allocations.live_at_end") != 0)
			fail_msg("%s: %g blocks left", zt_string(row, "strategy"),
				 zt_number(row, "allocations.live_at_end"));
		assert_true(zt_bool(row, "identity.checksum_ok"));
	}
	zt_release_scenario(doc, dir);
}

/*
 * A Vec with 2.5 frames of capacity, shrunk under mimalloc, which moves a block that would
 * waste more than half of itself: the move is a copy of the frame nobody declares, seen by
 * the realloc hook, and the verdict says copy. The C twin does the same.
 */
static void shrink_that_moves_is_a_copy(void **unused)
{
	(void)unused;
	if (ZT_SANITIZER_BUILD)
		skip(); /* a sanitizer's allocator stays in place of mimalloc */
	char dir[64];
	const char *args[] = {"--quick", "--quiet", "--allocator", "mimalloc", "--vec-capacity",
			      "250", "--strategy", "shrink_then_move,rust_shrink_then_move", NULL};
	json_t *doc = zt_run_scenario("inproc", args, dir, sizeof(dir));
	assert_non_null(doc);
	const char *names[] = {"shrink_then_move", "rust_shrink_then_move"};
	for (size_t k = 0; k < 2; k++) {
		json_t *r = zt_result(doc, names[k]);
		assert_true(zt_number(r, "allocations.realloc_moves_per_transfer") == 1);
		assert_true(zt_copied_frames(zt_number(r, "copies.bytes_per_transfer"), 1,
					     FRAME_1080P));
		assert_string_equal(zt_string(r, "identity.verdict"), "copy");
		assert_non_null(strstr(zt_string(r, "identity.evidence"), "undeclared copy"));
	}
	zt_release_scenario(doc, dir);
}

/* Bad values of inproc's own options: one line, exit status 2, nothing measured. */
static void bad_producer_options(void **unused)
{
	(void)unused;
	char exe[256], out[1024];
	snprintf(exe, sizeof(exe), "%s/bin/inproc", zt_build_dir());
	const char *unknown[] = {exe, "--producer", "go", "--out", "/tmp/zc-unused.json", NULL};
	assert_int_equal(zt_run(unknown, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "unknown producer 'go' (valid: c rust)"));
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1); /* one line */
	const char *none[] = {exe, "--producer", "rust", "--strategy", "copy", NULL};
	assert_int_equal(zt_run(none, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "leaves none of the strategies"));
	const char *small[] = {exe, "--vec-capacity", "50", NULL};
	assert_int_equal(zt_run(small, out, sizeof(out)), 2);
	assert_non_null(strstr(out, "expected 100 to 1000"));
	assert_int_equal(access("/tmp/zc-unused.json", F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(released_exactly_once),
		cmocka_unit_test(second_release_aborts),
		cmocka_unit_test(bad_producer_options),
		cmocka_unit_test(rust_rows_observed),
		cmocka_unit_test(shrink_that_moves_is_a_copy),
	};
	return cmocka_run_group_tests_name("rust_producer", tests, load_rust, unload_rust);
}
