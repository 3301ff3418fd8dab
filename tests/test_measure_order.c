/*
 * test_measure_order.c: in a measuring process (src/core/measure.c) the evidence pass comes
 * after the timed runs, never before them: what the pass leaves behind (pages written, a
 * heap grown) must not move a time, so a row times the same with --no-pages or without, and
 * make gate may run the pass on one side only. A strategy here logs each transfer: rendered
 * (validation, the evidence pass) or not (warm-up, timed).
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frame.h"
#include "gbench.h"
#include "measure.h"

/*
 * What a measuring process saw, in memory its parent reads: each transfer's render flag in
 * order ('R' rendered, 't' only stamped), and why the pages were not counted ("" if they
 * were). Each measurement runs in a process of its own, as the runner's rows do: Google
 * Benchmark keeps what was registered for the life of the process.
 */
struct seen {
	char order[4096];
	size_t norder;
	char unavailable[200];
	char error[sizeof(((struct zc_error *)0)->text)];
};
static struct seen *seen;

struct state {
	unsigned char *frame;
	size_t bytes;
	uint64_t seq;
};

static void *logged_setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	(void)arg;
	struct state *s = calloc(1, sizeof(*s));
	if (s)
		s->frame = malloc(g->bytes);
	if (!s || !s->frame) {
		free(s);
		zc_error_set(err, ZC_EXIT_NOMEM, "out of memory");
		return NULL;
	}
	s->bytes = g->bytes;
	return s;
}

static int logged_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	(void)err;
	struct state *s = st;
	if (seen->norder < sizeof(seen->order) - 1)
		seen->order[seen->norder++] = render ? 'R' : 't';
	if (render)
		zc_frame_render(s->frame, s->bytes, ++s->seq);
	else
		zc_frame_stamp(s->frame, s->bytes, ++s->seq);
	*v = (struct zc_view){.data = s->frame, .bytes = s->bytes, .seq = s->seq, .producer = s->frame};
	return 0;
}

static void logged_release(void *st, struct zc_view *v)
{
	(void)st;
	(void)v;
}

static void logged_teardown(void *st)
{
	struct state *s = st;
	free(s->frame);
	free(s);
}

static const struct zc_strategy logged = {
	.name = "logged", .mirrors = "a hand-over that logs its transfers",
	.expect_zero_copy = true, .setup = logged_setup, .transfer = logged_transfer,
	.release = logged_release, .teardown = logged_teardown,
};
static const struct zc_strategy *const strategies[] = {&logged};
static const struct zc_scenario scenario = {
	.name = "order", .summary = "the order of a measuring process's passes",
	.strategies = strategies, .nstrategies = 1,
};

/* The child's side of measure(): 0, or 1 with the reason in seen->error. */
static int measure_here(const char **argv, int argc)
{
	static const char *const names[] = {"logged"};
	struct zc_options opt;
	struct zc_error err = {0};
	const char *bad = NULL;
	struct zc_results results = {.scenario = scenario.name};
	int rc = 1;
	if (zc_options_parse(&opt, argc, (char **)argv, names, 1, NULL, &err) != 0)
		goto out;
	if (zc_bench_init(&opt.bench_argc, opt.bench_argv, &bad) != 0) {
		snprintf(err.text, sizeof(err.text), "bad option %s", bad ? bad : "?");
		goto out_opt;
	}
	results.frame = opt.frame;
	struct zc_result *res = zc_results_add(&results, "logged", logged.mirrors, true);
	if (!res || zc_measure_strategy(&scenario, &logged, &opt, res, &err) != 0)
		goto out_results;
	snprintf(seen->unavailable, sizeof(seen->unavailable), "%s", res->pages_written.unavailable);
	rc = 0;
out_results:
	zc_results_release(&results);
out_opt:
	zc_options_release(&opt);
out:
	snprintf(seen->error, sizeof(seen->error), "%s", err.text);
	return rc;
}

/* Measures logged with argv's options in a child process; what it saw is in *seen. */
static void measure(const char **argv, int argc)
{
	memset(seen, 0, sizeof(*seen));
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(measure_here(argv, argc));
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("the measuring process failed (status %d): %s", status, seen->error);
}

/* The first rendered transfer after the first stamped one, or -1. */
static long rendered_after_timing(void)
{
	const char *t = strchr(seen->order, 't');
	const char *r = t ? strchr(t, 'R') : NULL;
	return r ? r - seen->order : -1;
}

static void test_evidence_pass_after_the_timing(void **state)
{
	(void)state;
	const char *argv[] = {"test", "--frame", "64x64", "--transfers", "4",
			      "--benchmark_repetitions=2", NULL};
	measure(argv, 6);
	/* Validation renders before anything is timed. */
	assert_true(seen->norder > 0 && seen->order[0] == 'R');
	assert_non_null(strchr(seen->order, 't'));
	if (seen->unavailable[0]) { /* a sanitizer build, a kernel without uffd-wp */
		print_message("the evidence pass did not run here (%s): its order is not checked\n",
			      seen->unavailable);
		return;
	}
	/* Every timed transfer first, then the pass's rendered ones: none in between. */
	long r = rendered_after_timing();
	assert_true(r > 0);
	assert_null(strchr(seen->order + r, 't'));
}

static void test_no_pages_times_the_same_sequence(void **state)
{
	(void)state;
	const char *argv[] = {"test", "--frame", "64x64", "--transfers", "4",
			      "--benchmark_repetitions=2", "--no-pages", NULL};
	measure(argv, 7);
	/* Validation, then only the timed runs: nothing rendered after them. */
	assert_true(seen->norder > 0 && seen->order[0] == 'R');
	assert_int_equal(rendered_after_timing(), -1);
	assert_string_equal(seen->unavailable, "not watched: --no-pages");
}

static int setup(void **state)
{
	(void)state;
	seen = mmap(NULL, sizeof(*seen), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return seen == MAP_FAILED ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	return munmap(seen, sizeof(*seen));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evidence_pass_after_the_timing),
		cmocka_unit_test(test_no_pages_times_the_same_sequence),
	};
	return cmocka_run_group_tests_name("measure_order", tests, setup, teardown);
}
