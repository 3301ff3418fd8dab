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

#include "group.h"
#include "hooks/hook_sink.h"
#include "instrument.h"
#include "provenance.h"
#include "vanish.h"

/*
 * A forked child counts on in its parent's group, in slots of its own (group.h); a program
 * started with exec joins the group its environment names, if any.
 */
ZC_NO_SANITIZE static void count_forked(void)
{
	zc_group_forked();
	zc_provenance_forked();
}

ZC_NO_SANITIZE static void count_start(void)
{
	zc__allocator_linked = true;
	zc_group_attach_from_env();
	pthread_atfork(NULL, NULL, count_forked);
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
	zc_counts_snapshot_process(&c);
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

/*
 * Memory given back no longer holds frame bytes; in an evidence watch it is read first
 * (vanish.h). A realloc's old block is not: its bytes moved to the new one.
 */
ZC_NO_SANITIZE static void count_release(const char *how, const void *p, size_t bytes)
{
	if (how[0] != 'r')
		zc__vanish_check(how, p, bytes);
	zc_provenance_forget(p, bytes);
}

/* Memory discarded or overwritten: read first in an evidence watch. */
ZC_NO_SANITIZE static void count_discard(const char *how, void *p, size_t len)
{
	zc__vanish_check(how, p, len);
}

ZC_NO_SANITIZE static void count_realloc_move(const void *old, const void *p, size_t old_bytes,
					      size_t new_bytes, bool remapped, const void *caller)
{
	(void)caller;
	size_t frame = zc_provenance_moved_block(old, old_bytes, p);
	zc__count_realloc_move(old_bytes, new_bytes, remapped);
	if (!remapped) /* the bytes moved: a copy, the frame's when the block held it */
		zc__count_frame(frame < new_bytes ? frame : new_bytes, 0, 0);
}

/* Every copy-function call: the sum per transfer, and the frame's part of it. */
ZC_NO_SANITIZE static void count_copy_any(enum zc_hook_fn fn, void *dst, const void *src,
					  size_t bytes, const void *caller)
{
	(void)fn, (void)caller;
	zc__count_user_copy(bytes);
	zc__count_frame(zc_provenance_copy(dst, src, bytes), 0, 0);
}

/* The large ones, listed one by one. */
ZC_NO_SANITIZE static void count_copy(enum zc_hook_fn fn, void *dst, const void *src,
				      size_t bytes, const void *caller)
{
	(void)fn, (void)dst, (void)src, (void)caller;
	zc__count_hook_copy(bytes);
}

/*
 * The kernel's bytes, and the frame's among them: what a read brought in (by its content),
 * what a write sent out of frame memory, what a move carried out of an object holding
 * frame bytes (a copy when it lands in a file, memfd or socket). A vmsplice into a pipe
 * copies nothing, but the pipe then holds the frame's pages.
 */
ZC_NO_SANITIZE static void count_kernel(enum zc_kernel_op op, const char *fn, int fd,
					size_t bytes, const struct zc_kernel_mem *mem,
					const void *caller)
{
	(void)fn, (void)caller;
	zc__count_kernel(op, bytes);
	bool copied = false;
	switch (op) {
	case ZC_KERNEL_READ:
		zc__count_frame(0, zc_provenance_received(fd, mem, bytes), 0);
		break;
	case ZC_KERNEL_WRITE:
		zc__count_frame(0, zc_provenance_sent(mem->process ? -1 : fd, mem, bytes), 0);
		break;
	case ZC_KERNEL_HANDOVER:
		zc_provenance_sent(fd, mem, bytes);
		break;
	case ZC_KERNEL_MOVE: {
		size_t carried = zc_provenance_carried(fd, mem->to_fd, bytes, &copied);
		zc__count_frame(0, 0, copied ? carried : 0);
		break;
	}
	}
}

/* A write about to start: the frame's bytes it sends into a pipe are there before it returns. */
ZC_NO_SANITIZE static void count_kernel_start(enum zc_kernel_op op, const char *fn, int fd,
					      const struct zc_kernel_mem *mem)
{
	(void)op, (void)fn;
	zc_provenance_sending(fd, mem);
}

/* A file mapped: its bytes are read in place, nothing is counted. */
ZC_NO_SANITIZE static void count_mapped_file(int fd, const void *p, size_t len, int prot,
					     const void *caller)
{
	(void)fd, (void)p, (void)len, (void)prot, (void)caller;
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
	.kernel_start = count_kernel_start,
	.mapped_file = count_mapped_file,
	.closed = zc_provenance_closed,
	.discard = count_discard,
};
