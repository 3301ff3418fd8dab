/*
 * test_process.c: runs build/bin/process on a small frame: verdicts, the kernel's copies, both
 * processes' memory and the copy-on-write figure; then a consumer that dies, one that hangs,
 * and a SIGINT mid-run must each end the scenario with no consumer left alive.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "handover_checks.h"
#include "support.h"

#define FRAME_BYTES (256.0 * 256.0 * 4.0)

static json_t *doc;
static char out[512], bin[512]; /* the shared run; the failure tests reuse them */

static int run_once(void **state)
{
	(void)state;
	/* Orphaned consumers are re-parented to this process, so the tests can see survivors. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		return -1;
	const char *args[] = {"--quick", "--quiet", "--frame", "256x256", NULL};
	int rc = zt_group_run("process", args, &doc);
	zt_build_path(bin, sizeof(bin), "bin/process");
	snprintf(out, sizeof(out), "%s/process.json", zt_group_dir());
	return rc;
}

static void check_row(const char *strategy, const char *verdict, double frames_copied)
{
	json_t *r = zt_result(doc, strategy);
	assert_non_null(r);
	json_t *id = json_object_get(r, "identity");
	assert_string_equal(json_string_value(json_object_get(id, "verdict")), verdict);
	/*
	 * Observed on both sides, in hundredths of a frame (the gate's unit): the kernel's copies
	 * of the frame, plus the control channel's small records (about 430 bytes a transfer).
	 */
	assert_true(round(zt_number(r, "copies.bytes_per_transfer") / FRAME_BYTES * 100) ==
		    frames_copied * 100);
	assert_true(zt_number(r, "copies.user_bytes_per_transfer") < FRAME_BYTES / 100);
	assert_true(zt_number(r, "copies.copies_per_transfer") == frames_copied);
	/* Across processes the probe, not the address, is the evidence, and it says so. */
	assert_true(json_is_true(json_object_get(id, "aliasing_visible")) == (frames_copied == 0));
	assert_true(json_is_true(json_object_get(id, "checksum_ok")));
	assert_non_null(strstr(json_string_value(json_object_get(id, "evidence")), "per process"));
}

/* The same verdict and copies at each placement: where the sides run changes only time. */
static void check(const char *strategy, const char *verdict, double frames_copied)
{
	char name[64];
	snprintf(name, sizeof(name), "%s@same", strategy);
	check_row(name, verdict, frames_copied);
	snprintf(name, sizeof(name), "%s@cross", strategy);
	check_row(name, verdict, frames_copied);
}

static const char *const placed[] = {"reference_handover", "pipe", "pipe_malloc", "socket",
				     "vmsplice", "shm", "cow"};

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

static void test_kernel_paths_copy(void **state)
{
	(void)state;
	check("pipe", "copy", 2.0);   /* write into the kernel, read out of it */
	check("pipe_malloc", "copy", 2.0); /* the same from a malloc'd frame, a 64 KiB pipe */
	check("socket", "copy", 2.0);
	check("vmsplice", "copy", 1.0); /* only the read copies */
}

static void test_shared_memory_does_not(void **state)
{
	(void)state;
	check("shm", "zero-copy", 0.0);
	check("cow", "zero-copy", 0.0);
}

/* rss_peak_kib says how it was read: one of the two methods, never left out. */
static void check_peak_method(json_t *r)
{
	const char *m = zt_string(r, "memory.rss_peak_method");
	assert_true(!strcmp(m, "vmhwm_reset") || !strcmp(m, "vmhwm_minus_setup_rss"));
}

static void test_both_processes_memory(void **state)
{
	(void)state;
	const char *names[] = {"pipe@same", "socket@cross", "vmsplice@same", "shm@cross",
			       "cow@same", "reference_handover@same"};
	for (size_t i = 0; i < ZT_COUNT(names); i++) {
		json_t *r = zt_result(doc, names[i]);
		assert_true(zt_number(r, "memory.pss_kib") > 0);
		assert_true(zt_number(r, "memory.consumer.rss_kib") > 0);
		assert_true(zt_number(r, "memory.consumer.pss_kib") > 0);
		assert_true(zt_number(r, "memory.consumer.minor_faults_per_transfer") >= 0);
		assert_null(json_object_get(r, "consumer_memory")); /* the old extra is gone */
		check_peak_method(r);
	}
	/* reference_memcpy has no consumer of its own: its memory is the producer's. */
	json_t *ref = zt_result(doc, "reference_memcpy");
	assert_null(json_object_get(json_object_get(ref, "memory"), "consumer"));
	check_peak_method(ref);
}

/*
 * On a frame large enough that the rings stand out from the processes' own few MiB: both
 * processes hold the whole shm and cow ring (rendered in setup, read by the consumer when it
 * maps it), its pages shared, so each one's PSS has half of it; pipe's consumer holds the
 * frame it reads into and faults no page per transfer in the steady state.
 */
#define BIG_FRAME_BYTES (1024.0 * 1024.0 * 4.0)
#define RING_KIB (3 * BIG_FRAME_BYTES / 1024)

static void check_ring_resident(json_t *big, const char *strategy)
{
	json_t *r = zt_result(big, strategy);
	assert_true(zt_number(r, "memory.resident_kib") >= RING_KIB);
	assert_true(zt_number(r, "memory.rss_kib") >= RING_KIB);
	assert_true(zt_number(r, "memory.pss_kib") >= RING_KIB / 2);
	assert_true(zt_number(r, "memory.consumer.rss_kib") >= RING_KIB);
	assert_true(zt_number(r, "memory.consumer.pss_kib") >= RING_KIB / 2);
	assert_true(zt_number(r, "memory.consumer.pss_kib") <
		    zt_number(r, "memory.consumer.rss_kib"));
}

static void test_memory_like_with_like(void **state)
{
	(void)state;
	char bigdir[256];
	const char *args[] = {"--quick", "--quiet", "--frame", "1024x1024", "--strategy",
			      "pipe,shm,cow", "--placement", "same", NULL};
	json_t *big = zt_run_scenario("process", args, bigdir, sizeof(bigdir));
	assert_non_null(big);
	check_ring_resident(big, "shm@same");
	check_ring_resident(big, "cow@same");
	json_t *pipe = zt_result(big, "pipe@same");
	assert_true(zt_number(pipe, "memory.consumer.rss_kib") >= BIG_FRAME_BYTES / 1024);
	double faults = zt_number(pipe, "memory.consumer.minor_faults_per_transfer");
	assert_true(faults >= 0);
	/* Over the timed loop, not since the consumer started (its buffer alone is 1024 faults);
	 * a sanitizer's allocator takes fresh pages for the consumer's own /proc reads. */
	assert_true(ZT_SANITIZER_BUILD || faults < 1);
	zt_release_scenario(big, bigdir);
}

static void test_cow_write_copies_a_page(void **state)
{
	(void)state;
	json_t *r = zt_result(doc, "cow@same");
	assert_true(zt_number(r, "cow.pages_copied_by_write") >= 1);
	assert_null(json_object_get(zt_result(doc, "shm@same"), "cow"));
	if (!json_is_number(json_object_get(json_object_get(r, "identity"), "same_pages")))
		return; /* page frames hidden (not root): nothing more to compare */
	/* The page the consumer wrote got a frame of its own; the 63 others are still shared. */
	assert_false(zt_bool(r, "cow.written_page_shared"));
	assert_true(fabs(zt_number(r, "cow.same_pages_after_write") - 63.0 / 64) < 1e-9);
}

/*
 * Where the bytes are, seen by the page tables: the consumer's pages written (the kernel's
 * read() into its buffer) and the physical pages both sides map. Checked when the
 * instruments are here (Linux 6.7+, root, not a sanitizer build): else the fields are null.
 */
static void check_pages(const char *strategy, double consumer_frames, double same_pages)
{
	json_t *r = zt_result(doc, strategy);
	json_t *pw = json_object_get(r, "pages_written");
	if (json_is_number(json_object_get(pw, "consumer_per_transfer"))) {
		double page_frames = 4096 / FRAME_BYTES;
		double written = zt_number(r, "pages_written.consumer_per_transfer") * page_frames;
		double copies = zt_number(r, "pages_written.frame_bytes_per_transfer") * page_frames;
		assert_true(written >= consumer_frames && written < consumer_frames + 0.25);
		assert_true(fabs(copies - consumer_frames) <= 2 * page_frames); /* a page each end */
		assert_true(zt_number(r, "pages_written.producer_per_transfer") * page_frames < 0.25);
	} else {
		assert_true(ZT_SANITIZER_BUILD ||
			    json_is_string(json_object_get(pw, "consumer_unavailable")));
	}
	json_t *same = json_object_get(json_object_get(r, "identity"), "same_pages");
	if (json_is_number(same))
		assert_true(json_number_value(same) == same_pages);
	else
		assert_non_null(zt_string(r, "identity.same_pages_unavailable"));
}

static void test_pages_and_page_frames(void **state)
{
	(void)state;
	check_pages("pipe@same", 1, 0);  /* read() writes the consumer's buffer: a frame */
	check_pages("socket@same", 1, 0);
	check_pages("vmsplice@cross", 1, 0);
	check_pages("shm@same", 0, 1);   /* the consumer writes nothing, maps the producer's pages */
	check_pages("cow@cross", 0, 1);
}

/* Kills the processes re-parented to this one, so a failed test leaves none behind. */
static void kill_survivors(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[300], line[128];
		int ppid = -1;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		FILE *f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "PPid: %d", &ppid) == 1)
				break;
		if (f)
			fclose(f);
		if (ppid == getpid())
			kill(atoi(e->d_name), SIGKILL);
	}
	if (d)
		closedir(d);
	while (waitpid(-1, NULL, 0) > 0)
		;
}

/* Reaps re-parented orphans; true when none is left alive within about two seconds. */
static bool no_child_left(void)
{
	struct timespec nap = {0, 10000000};
	for (int i = 0; i < 200; i++) {
		pid_t p = waitpid(-1, NULL, WNOHANG);
		if (p < 0 && errno == ECHILD)
			return true;
		if (p == 0)
			nanosleep(&nap, NULL);
	}
	kill_survivors();
	return false;
}

/* A run of @strategy with @env must fail, name the strategy and say @why, and leave no child. */
static void expect_consumer_failure(const char *const env[], const char *strategy,
				    const char *why)
{
	const char *argv[] = {bin, "--quick", "--quiet", "--frame", "256x256", "--strategy",
			      strategy, "--out", out, NULL};
	char log[8192], named[64];
	alarm(60);
	assert_int_not_equal(zt_run_env(argv, env, log, sizeof(log)), 0);
	snprintf(named, sizeof(named), "strategy '%s'", strategy);
	assert_non_null(strstr(log, named));
	assert_non_null(strstr(log, why));
	assert_true(no_child_left());
}

static void test_killed_consumer_is_an_error(void **state)
{
	(void)state;
	/* The 10th frame falls after validation (3 frames), in the timed loop. */
	const char *env[] = {"ZCBENCH_KILL_CONSUMER_AFTER=10", NULL};
	expect_consumer_failure(env, "pipe", "killed by signal 9");
}

static void test_hung_consumer_is_an_error(void **state)
{
	(void)state;
	const char *env[] = {"ZCBENCH_HANG_CONSUMER_AFTER=10", "ZCBENCH_CONSUMER_TIMEOUT_MS=300",
			     NULL};
	expect_consumer_failure(env, "shm", "did not answer");
}

static void test_sigint_leaves_no_consumer(void **state)
{
	(void)state;
	/* The consumer hangs with a long timeout, so SIGINT finds the run in progress. */
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
		 "ZCBENCH_HANG_CONSUMER_AFTER=10 ZCBENCH_CONSUMER_TIMEOUT_MS=60000 "
		 "exec '%s' --quick --quiet --frame 256x256 --strategy shm --out '%s' "
		 ">/dev/null 2>&1",
		 bin, out);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	struct timespec wait = {1, 0};
	nanosleep(&wait, NULL);
	kill(pid, SIGINT);
	int st;
	alarm(60);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT);
	assert_true(no_child_left());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_paths_copy),
		cmocka_unit_test(test_shared_memory_does_not),
		cmocka_unit_test(test_placed_rows),
		cmocka_unit_test(test_both_processes_memory),
		cmocka_unit_test(test_memory_like_with_like),
		cmocka_unit_test(test_cow_write_copies_a_page),
		cmocka_unit_test(test_pages_and_page_frames),
		cmocka_unit_test(test_killed_consumer_is_an_error),
		cmocka_unit_test(test_hung_consumer_is_an_error),
		cmocka_unit_test(test_sigint_leaves_no_consumer),
	};
	return cmocka_run_group_tests_name("process", tests, run_once, zt_group_teardown);
}
