/*
 * counting_sink.c: the sink of the scenario programs, the tests and libzchooks.so
 * (hooks/hook_sink.h): what the interposers saw goes to the per-thread counters of
 * instrument.c. Linked wherever hooks/counting_hooks.o is, which names zc__hook_sink; a
 * program without the hooks (COUNTING=0) never pulls it from the library.
 *
 * The counters follow sizes, not blocks: the blocks, the callers and the names of the calls
 * are ignored.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "hooks/hook_sink.h"
#include "instrument.h"

/* A forked child inherits its parent's counts; its own report starts from them. */
static struct zc_counts at_fork;

ZC_NO_SANITIZE static void remember_fork(void)
{
	zc_counts_snapshot(&at_fork);
}

ZC_NO_SANITIZE static void count_start(void)
{
	zc__allocator_linked = true;
	pthread_atfork(NULL, NULL, remember_fork);
}

/*
 * With ZCBENCH_ALLOC_REPORT set, each process's totals go to stderr at exit, so that an
 * independent instrument (valgrind --trace-malloc) can be checked against them.
 */
ZC_NO_SANITIZE __attribute__((destructor)) static void count_report(void)
{
	if (!getenv("ZCBENCH_ALLOC_REPORT"))
		return;
	struct zc_counts c;
	zc_counts_snapshot(&c);
	zc_counts_diff(&c, &c, &at_fork);
	fprintf(stderr, "zcbench allocations: allocs=%llu frame_allocs=%llu frees=%llu "
			"realloc_moves=%llu hook_copies=%llu\n",
		(unsigned long long)c.allocs, (unsigned long long)c.frame_allocs,
		(unsigned long long)c.frees, (unsigned long long)c.realloc_moves,
		(unsigned long long)c.hook_copies);
}

ZC_NO_SANITIZE static void count_alloc(enum zc_hook_fn fn, const void *p, size_t bytes,
				       const void *caller)
{
	(void)fn, (void)p, (void)caller;
	zc__count_alloc(bytes);
}

ZC_NO_SANITIZE static void count_release(const char *how, const void *p, size_t bytes)
{
	(void)how, (void)p, (void)bytes;
}

ZC_NO_SANITIZE static void count_realloc_move(const void *old, const void *p, size_t old_bytes,
					      size_t new_bytes, bool remapped, const void *caller)
{
	(void)old, (void)p, (void)caller;
	zc__count_realloc_move(old_bytes, new_bytes, remapped);
}

/* Every copy-function call: the sum per transfer. */
ZC_NO_SANITIZE static void count_copy_any(enum zc_hook_fn fn, size_t bytes, const void *caller)
{
	(void)fn, (void)caller;
	zc__count_user_copy(bytes);
}

/* The large ones, listed one by one. */
ZC_NO_SANITIZE static void count_copy(enum zc_hook_fn fn, void *dst, const void *src,
				      size_t bytes, const void *caller)
{
	(void)fn, (void)dst, (void)src, (void)caller;
	zc__count_hook_copy(bytes);
}

ZC_NO_SANITIZE static void count_kernel(enum zc_kernel_op op, const char *fn, int fd,
					size_t bytes, const void *caller)
{
	(void)fn, (void)fd, (void)caller;
	zc__count_kernel(op, bytes);
}

static const size_t copy_min = ZC_HOOK_MIN_BYTES;

/*
 * The counting sink. tools/zctrace/record.c fills the same struct for the tracer: the two
 * look alike because they answer one contract (hook_sink.h), not because either repeats the
 * other; each member points to its own function.
 */
const struct zc_hook_sink zc__hook_sink = {
	.copy_min = &copy_min,
	.wants_free_size = true,
	.start = count_start,
	.alloc = count_alloc,
	.free = zc__count_free,
	.release = count_release,
	.realloc_move = count_realloc_move,
	.copy_any = count_copy_any,
	.copy = count_copy,
	.kernel = count_kernel,
};
