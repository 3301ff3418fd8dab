/*
 * adversarial_lifetime.c: inproc's test-only rows on the whole life of a transfer, built only
 * under -DZCBENCH_ADVERSARIAL (tests/e2e_lifetime.sh runs them). Each hands the producer's
 * frame over like move and copies it with a word loop (no copy function: only the pages
 * written can see it) into memory that is gone or wiped before anyone looks, or later than
 * the hand-over:
 *   copy_then_unmap    into a fresh mapping, unmapped before the transfer returns
 *   copy_then_madvise  into a buffer of its own, discarded with MADV_DONTNEED
 *   copy_then_wipe     into a buffer of its own, then memset to zero
 *   copy_then_free     into a frame-sized malloc block, freed (glibc unmaps it itself)
 *   late_worker        by a thread that starts with the hand-over, waits 20 ms, copies the
 *                      frame after release() and gives it back to the producer then
 *   every_eighth       into a buffer of its own, on every 8th transfer only (0.125 frames)
 * Each must be judged a copy of one frame by the pages written.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "gbench.h"
#include "inproc_state.h"

/* gcc must not turn the loop into a memcpy call: then a hook would see it. */
#define NO_MEMCPY_IDIOM __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_MEMCPY_IDIOM static void word_copy(unsigned char *dst, const unsigned char *src, size_t n)
{
	uint64_t *d = (uint64_t *)(void *)dst;
	const uint64_t *s = (const uint64_t *)(const void *)src;
	for (size_t i = 0; i < n / sizeof(uint64_t); i++)
		d[i] = s[i];
	zc_do_not_optimize(dst);
}

static int copy_then_unmap_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	unsigned char *scratch = mmap(NULL, s->bytes, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scratch == MAP_FAILED)
		return zc_error_errno(err, errno);
	word_copy(scratch, v->data, s->bytes);
	munmap(scratch, s->bytes);
	return 0;
}

static int copy_then_madvise_transfer(void *st, bool render, struct zc_view *v,
				      struct zc_error *err)
{
	struct state *s = st;
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	word_copy(s->buffer, v->data, s->bytes);
	/* Whole pages only: the buffer's first page boundary on. */
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)s->buffer + page - 1) & ~(page - 1);
	uintptr_t hi = ((uintptr_t)s->buffer + s->bytes) & ~(page - 1);
	return hi > lo && madvise((void *)lo, hi - lo, MADV_DONTNEED) != 0
		       ? zc_error_errno(err, errno)
		       : 0;
}

static int copy_then_wipe_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	word_copy(s->buffer, v->data, s->bytes);
	memset(s->buffer, 0, *(volatile size_t *)&s->bytes);
	return 0;
}

static int copy_then_free_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	unsigned char *block = malloc(s->bytes);
	if (!block)
		return zc_error_errno(err, ENOMEM);
	word_copy(block, v->data, s->bytes);
	free(block);
	return 0;
}

static int every_eighth_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	if (v->seq % 8 == 0)
		word_copy(s->buffer, v->data, s->bytes);
	return 0;
}

/* late_worker: the thread in flight, joined before the next hand-over and at teardown. */
struct late {
	struct state *s;
	unsigned char *frame;
	pthread_t thread;
	bool running;
};
static struct late late;

static void *late_copy(void *arg)
{
	struct late *l = arg;
	struct timespec wait = {.tv_nsec = 20 * 1000 * 1000};
	nanosleep(&wait, NULL);
	word_copy(l->s->buffer, l->frame, l->s->bytes);
	l->s->release(l->s->release_ctx, l->frame); /* the worker gives the frame back */
	return NULL;
}

static void join_late(void)
{
	if (late.running)
		pthread_join(late.thread, NULL);
	late.running = false;
}

static int late_worker_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	join_late();
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	late = (struct late){.s = s, .frame = (unsigned char *)v->data};
	int rc = pthread_create(&late.thread, NULL, late_copy, &late);
	if (rc != 0) {
		zc__inproc_move_release(st, v);
		return zc_error_errno(err, rc);
	}
	late.running = true;
	return 0;
}

/* The consumer is done with the view; the worker still holds the frame and frees it. */
static void late_worker_release(void *st, struct zc_view *v)
{
	(void)st, (void)v;
}

static void late_worker_teardown(void *st)
{
	join_late();
	zc__inproc_teardown(st);
}

#define LIFETIME_ROW(id, release_fn, teardown_fn, what)                                    \
	const struct zc_strategy zc__inproc_##id = {                                       \
		.name = #id, .mirrors = "test only: move plus " what,                       \
		.expect_zero_copy = true, .arg = &zc__inproc_with_buffer,                   \
		.setup = zc__inproc_setup, .transfer = id##_transfer, .release = release_fn, \
		.teardown = teardown_fn,                                                    \
	}
LIFETIME_ROW(copy_then_unmap, zc__inproc_move_release, zc__inproc_teardown,
	     "a loop copy into a mapping unmapped before return");
LIFETIME_ROW(copy_then_madvise, zc__inproc_move_release, zc__inproc_teardown,
	     "a loop copy discarded with MADV_DONTNEED");
LIFETIME_ROW(copy_then_wipe, zc__inproc_move_release, zc__inproc_teardown,
	     "a loop copy wiped with memset");
LIFETIME_ROW(copy_then_free, zc__inproc_move_release, zc__inproc_teardown,
	     "a loop copy into a block freed before return");
LIFETIME_ROW(late_worker, late_worker_release, late_worker_teardown,
	     "a copy by a worker 20 ms after release()");
LIFETIME_ROW(every_eighth, zc__inproc_move_release, zc__inproc_teardown,
	     "a loop copy on every 8th transfer");
