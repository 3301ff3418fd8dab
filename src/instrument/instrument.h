/*
 * instrument.h: exact counts of what a transfer does: allocations (by the counting allocator
 * the scenario programs link in), copies (counted where they happen, and witnessed by a hook
 * on memcpy/memmove), summed over every thread.
 *
 * Each thread counts into its own slot without locks; a snapshot sums the slots.
 */
#ifndef ZC_INSTRUMENT_H
#define ZC_INSTRUMENT_H

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
	uint64_t copies;           /* copy operations counted where they happen */
	uint64_t copy_bytes;       /* ... and their bytes: memcpy + loops + realloc moves + kernel */
	uint64_t memcpy_bytes;     /* the part of copy_bytes done with memcpy/memmove (zc_copy) */
	uint64_t hook_copies;      /* memcpy/memmove calls >= ZC_HOOK_MIN_BYTES seen by the hook */
	uint64_t hook_copy_bytes;
};

/* Sums every thread's counts into out. */
void zc_counts_snapshot(struct zc_counts *out);
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

/* Called by the interposers (hooks/counting_hooks.c); not for strategies. */
void zc__count_alloc(size_t bytes);
void zc__count_free(size_t bytes);
void zc__count_realloc_move(size_t old_bytes, size_t new_bytes);
void zc__count_hook_copy(size_t n);
extern bool zc__allocator_linked;

#endif
