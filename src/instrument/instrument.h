/*
 * instrument.h: exact counts of what a transfer does: allocations (by the counting allocator
 * the scenario programs link in), copies (counted where they happen, and witnessed by a hook
 * on memcpy/memmove), the kernel's copies (hooks on read/write and the rest of the family),
 * summed over every thread.
 *
 * Each thread counts into its own slot without locks; a snapshot sums the slots.
 */
#ifndef ZC_INSTRUMENT_H
#define ZC_INSTRUMENT_H

#include "kernel_op.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* memcpy/memmove calls at least this large are seen by the witness hook. */
#define ZC_HOOK_MIN_BYTES (64u * 1024u)

struct zc_counts {
	uint64_t allocs;           /* malloc, calloc, realloc(NULL), memalign family, anon mmap */
	uint64_t alloc_bytes;
	uint64_t frees;            /* free of a non-NULL block, munmap */
	uint64_t frame_allocs;     /* allocations of at least half a frame */
	uint64_t frame_frees;      /* frees of blocks of at least half a frame */
	uint64_t realloc_moves;    /* realloc that returned another address */
	/*
	 * What a strategy declares it copies (zc_copy, zc_count_copy): kept to compare with what
	 * the instruments saw, never for the verdict.
	 */
	uint64_t copies;
	uint64_t copy_bytes;
	uint64_t memcpy_bytes;     /* the part of copy_bytes declared through zc_copy */
	uint64_t hook_copies;      /* copy-function calls >= ZC_HOOK_MIN_BYTES (listed one by one) */
	uint64_t hook_copy_bytes;
	/*
	 * Observed in user space, whatever code made them: every call of an interposed copy
	 * function (memcpy, memmove, mempcpy, bcopy, memccpy, str(n)cpy, stpcpy, strdup,
	 * strndup, wmemcpy, wmemmove and their _chk forms), of any size; and the bytes a realloc
	 * moved by copying. A realloc the allocator served by remapping the pages (mremap:
	 * the same physical pages at the new address) copies nothing: realloc_remaps.
	 */
	uint64_t user_copies;
	uint64_t user_copy_bytes;
	uint64_t realloc_copy_bytes;
	uint64_t realloc_remaps;
	/*
	 * What the kernel moved for this process's system calls, seen by hooks on libc's
	 * wrappers whatever code called them (counting_hooks.c). Only calls that moved bytes
	 * count; bytes are what the calls returned. Below, "copied" means copied by the kernel
	 * between this process's memory and a descriptor (or another process).
	 *
	 * Hooks rather than /proc/PID/io (kernel_io.h, kept as a cross-check and for processes
	 * without the hooks): rchar/wchar miss socket send/recv, splice, vmsplice and
	 * process_vm_*, and add every file read, the instruments' own among them. The hooks
	 * miss what libc does inside itself (stdio), raw syscall() and io_uring.
	 * vmsplice into a pipe is counted apart, as a hand-over: the pipe takes references to
	 * the pages, so a write after vmsplice is what the reader gets; the copy is the
	 * reader's read(), a kernel_read where it happens. A pipe is 2 copies of the frame
	 * (write + read), vmsplice + read is 1, process_vm_writev is 1, in the caller only.
	 * recvmmsg and sendmmsg count a call per message.
	 */
	uint64_t kernel_reads;          /* read, pread, readv, preadv, recv*, process_vm_readv, */
	uint64_t kernel_read_bytes;     /* vmsplice out of a pipe: copied into this process */
	uint64_t kernel_writes;         /* write, pwrite, writev, pwritev, send*, */
	uint64_t kernel_write_bytes;    /* process_vm_writev: copied out of this process */
	uint64_t kernel_moves;          /* splice, tee, sendfile, copy_file_range: between */
	uint64_t kernel_move_bytes;     /* descriptors, no user memory touched */
	uint64_t kernel_handovers;      /* vmsplice into a pipe: the pages themselves are */
	uint64_t kernel_handover_bytes; /* handed over, not copied (the reader's read copies) */
	/*
	 * Of the bytes above, those that were the frame's (provenance.h): only these count
	 * toward a verdict. A move of the frame's bytes into a file, a memfd or a socket is the
	 * kernel copying them (kernel_frame_move_bytes); into a pipe it hands references on.
	 */
	uint64_t user_frame_bytes;        /* of user_copy_bytes + realloc_copy_bytes */
	uint64_t kernel_frame_bytes;      /* of kernel_read_bytes + kernel_write_bytes */
	uint64_t kernel_frame_move_bytes; /* of kernel_move_bytes */
	uint64_t provenance_lost;         /* ranges or objects the tables could not keep */
};

/*
 * Sums every thread's counts into out: those of this process and of the processes it started
 * that count in its group (group.h).
 */
void zc_counts_snapshot(struct zc_counts *out);
/* The same, for this process's own threads only. */
void zc_counts_snapshot_process(struct zc_counts *out);

/*
 * The threads already counting at a moment (zc_threads_mark), told apart from those that
 * start later: a runtime's own threads (an interpreter's, a JVM's compiler and collector)
 * that existed before a strategy was set up are not the strategy's, and neither are the
 * blocks they keep. The caller's own thread is never among the "before" threads.
 */
struct zc_threads_mark {
	unsigned before; /* threads counting at the mark: slots [0, before) */
	unsigned self;   /* the caller's slot */
};
void zc_threads_mark(struct zc_threads_mark *m);
/* Blocks allocated minus blocks freed: all of them, and those of at least half a frame. */
struct zc_net_blocks {
	int64_t blocks;
	int64_t frame_blocks;
};
/* The net blocks of the threads of m->before but the caller, summed. */
struct zc_net_blocks zc_threads_net_blocks(const struct zc_threads_mark *m);
/* out = after - before, field by field. */
void zc_counts_diff(struct zc_counts *out, const struct zc_counts *after,
		    const struct zc_counts *before);

/* sum += after - before, field by field. */
void zc_counts_accumulate(struct zc_counts *sum, const struct zc_counts *after,
			  const struct zc_counts *before);

/* Blocks of at least bytes/2 count as frame-sized from now on. */
void zc_instrument_set_frame_bytes(size_t bytes);
/* True when the counting allocator is linked into this program. */
bool zc_instrument_allocator_linked(void);

/* Bytes copied in user space, seen by the interposers: copy functions and realloc moves. */
uint64_t zc_counts_user_copy_bytes(const struct zc_counts *c);
/* Bytes the kernel copied to or from this process's memory: kernel_read + kernel_write. */
uint64_t zc_counts_kernel_copy_bytes(const struct zc_counts *c);
/* The frame's bytes among them: user_frame_bytes; kernel_frame_bytes + kernel_frame_move_bytes. */
uint64_t zc_counts_user_frame_bytes(const struct zc_counts *c);
uint64_t zc_counts_kernel_frame_bytes(const struct zc_counts *c);
/* Bytes copied (user and kernel, as above) that were not the frame's. */
uint64_t zc_counts_other_bytes(const struct zc_counts *c);
/* System calls that moved bytes, of every kind above. */
uint64_t zc_counts_kernel_calls(const struct zc_counts *c);

/* memcpy that is counted as a copy of n bytes (the copy a strategy makes on purpose). */
void *zc_copy(void *dst, const void *src, size_t n);
/* Counts a copy of n bytes made by a loop, by the kernel (pipe, socket) or elsewhere. */
void zc_count_copy(size_t n);

/*
 * The counting path runs inside malloc and memcpy, possibly while a sanitizer's runtime is still
 * starting and before its shadow memory exists (ASan's own dlsym calls malloc): it must not be
 * instrumented. The blocks it hands out are still the sanitizer's, so errors in callers are
 * still caught.
 */
#define ZC_NO_SANITIZE __attribute__((no_sanitize("address", "thread", "undefined")))

/* Called by the interposers' counting sink (counting_sink.c); not for strategies. */
void zc__count_alloc(size_t bytes);
void zc__count_free(size_t bytes);
/* remapped: the allocator moved the pages (same physical page seen at the new address). */
void zc__count_realloc_move(size_t old_bytes, size_t new_bytes, bool remapped);
void zc__count_hook_copy(size_t n);
void zc__count_user_copy(size_t n);
/* Of the copies counted, frame bytes by copy functions and realloc, by the kernel, moved. */
void zc__count_frame(size_t user, size_t kernel, size_t moved);
void zc__count_kernel(enum zc_kernel_op op, size_t bytes);
extern bool zc__allocator_linked;

#endif
