/*
 * hook_sink.h: where the interposers in counting_hooks.c report what they saw.
 *
 * The same interposer code is compiled twice:
 *   - into the scenario programs and tests (default): the sink is instrument.c's per-thread
 *     counters, exactly as before, and the kernel-copy hooks (read, write, ...) feed them too;
 *   - into build/lib/libzctrace.so with -DZC_HOOKS_TRACE: the sink is the tracer's recorder
 *     (tools/zctrace/record.c), which keeps the address, size and caller of every call at or
 *     above its threshold.
 * Each hook passes everything either sink may need (the block, its size, the calling code);
 * the counting sink ignores what it does not use, so its counts are unchanged.
 */
#ifndef ZC_HOOK_SINK_H
#define ZC_HOOK_SINK_H

#include <stddef.h>

#include "kernel_op.h"

/* The hooks run before a sanitizer's runtime is ready: nothing on their path is instrumented. */
#include <stdbool.h>
#include <stddef.h>

#ifndef ZC_NO_SANITIZE
#define ZC_NO_SANITIZE __attribute__((no_sanitize("address", "thread", "undefined")))
#endif

/* Which interposed function saw the call; names in zc__hook_fn_name(). */
enum zc_hook_fn {
	ZC_FN_MALLOC,
	ZC_FN_CALLOC,
	ZC_FN_REALLOC,
	ZC_FN_POSIX_MEMALIGN,
	ZC_FN_ALIGNED_ALLOC,
	ZC_FN_MEMALIGN,
	ZC_FN_MMAP,
	ZC_FN_MEMCPY,
	ZC_FN_MEMMOVE,
	ZC_FN_MEMCPY_CHK,
	ZC_FN_MEMMOVE_CHK,
	ZC_FN_MEMPCPY,
	ZC_FN_MEMPCPY_CHK,
	ZC_FN_BCOPY,
	ZC_FN_MEMCCPY,
	ZC_FN_STRCPY,
	ZC_FN_STRCPY_CHK,
	ZC_FN_STPCPY,
	ZC_FN_STPCPY_CHK,
	ZC_FN_STRNCPY,
	ZC_FN_STRNCPY_CHK,
	ZC_FN_STRDUP,
	ZC_FN_STRNDUP,
	ZC_FN_WMEMCPY,
	ZC_FN_WMEMCPY_CHK,
	ZC_FN_WMEMMOVE,
	ZC_FN_WMEMMOVE_CHK,
	ZC_FN_COUNT
};

#ifdef ZC_HOOKS_TRACE

/* Calls below this many bytes are not recorded: the hot path is one compare. */
extern size_t zc__trace_min_bytes;

void zc__trace_alloc(enum zc_hook_fn fn, const void *p, size_t bytes, const void *caller);
void zc__trace_copy(enum zc_hook_fn fn, void *dst, const void *src, size_t bytes,
		    const void *caller);
void zc__trace_realloc_move(const void *old, const void *p, size_t old_bytes, size_t new_bytes,
			    const void *caller);

/* The tracer does not need frees: the hooks skip malloc_usable_size for them. */
#define ZC_SINK_WANTS_FREE_SIZE 0
#define ZC_SINK_COPY_MIN zc__trace_min_bytes

ZC_NO_SANITIZE static inline void zc__sink_alloc(enum zc_hook_fn fn, const void *p, size_t bytes,
				  const void *caller)
{
	if (__builtin_expect(bytes >= zc__trace_min_bytes, 0))
		zc__trace_alloc(fn, p, bytes, caller);
}

ZC_NO_SANITIZE static inline void zc__sink_free(size_t bytes)
{
	(void)bytes;
}

void zc__trace_kernel(enum zc_kernel_op op, const char *fn, int fd, size_t bytes,
		      const void *caller);

/*
 * A read- or write-like system call fn on fd (the source of a move; -1: another process's
 * memory) returned ret: that many bytes moved when positive.
 */
ZC_NO_SANITIZE static inline void zc__sink_kernel(enum zc_kernel_op op, const char *fn, int fd,
						  long long ret, const void *caller)
{
	if (ret > 0)
		zc__trace_kernel(op, fn, fd, (size_t)ret, caller);
}

void zc__trace_release(const char *how, const void *p, size_t bytes);

/*
 * The block at p (bytes long, 0: unknown) is given back: how is "free", "realloc" (it moved)
 * or "munmap".
 */
ZC_NO_SANITIZE static inline void zc__sink_release(const char *how, const void *p, size_t bytes)
{
	zc__trace_release(how, p, bytes);
}

ZC_NO_SANITIZE static inline void zc__sink_realloc_move(const void *old, const void *p, size_t old_bytes,
					 size_t new_bytes, bool remapped, const void *caller)
{
	if (!remapped) /* the allocator moved the pages, not the bytes */
		zc__trace_realloc_move(old, p, old_bytes, new_bytes, caller);
}

void zc__trace_site(enum zc_hook_fn fn, size_t bytes, const void *caller);

/* Every copy-function call, whatever its size: added to its call site (the tracer records
 * events only for the large ones). */
ZC_NO_SANITIZE static inline void zc__sink_copy_any(enum zc_hook_fn fn, size_t bytes,
						     const void *caller)
{
	zc__trace_site(fn, bytes, caller);
}

/* Only called for copies of at least ZC_SINK_COPY_MIN bytes. */
ZC_NO_SANITIZE static inline void zc__sink_copy(enum zc_hook_fn fn, void *dst, const void *src, size_t bytes,
				 const void *caller)
{
	zc__trace_copy(fn, dst, src, bytes, caller);
}

#else /* the scenario programs' counters */

#include "instrument.h"

#define ZC_SINK_WANTS_FREE_SIZE 1
#define ZC_SINK_COPY_MIN ZC_HOOK_MIN_BYTES

ZC_NO_SANITIZE static inline void zc__sink_alloc(enum zc_hook_fn fn, const void *p, size_t bytes,
				  const void *caller)
{
	(void)fn, (void)p, (void)caller;
	zc__count_alloc(bytes);
}

ZC_NO_SANITIZE static inline void zc__sink_free(size_t bytes)
{
	zc__count_free(bytes);
}

/* The counters do not follow blocks, only their sizes. */
ZC_NO_SANITIZE static inline void zc__sink_release(const char *how, const void *p, size_t bytes)
{
	(void)how, (void)p, (void)bytes;
}

ZC_NO_SANITIZE static inline void zc__sink_realloc_move(const void *old, const void *p, size_t old_bytes,
					 size_t new_bytes, bool remapped, const void *caller)
{
	(void)old, (void)p, (void)caller;
	zc__count_realloc_move(old_bytes, new_bytes, remapped);
}

/* Every copy-function call, whatever its size: the sum per transfer. */
ZC_NO_SANITIZE static inline void zc__sink_copy_any(enum zc_hook_fn fn, size_t bytes,
						     const void *caller)
{
	(void)fn, (void)caller;
	zc__count_user_copy(bytes);
}

ZC_NO_SANITIZE static inline void zc__sink_copy(enum zc_hook_fn fn, void *dst, const void *src, size_t bytes,
				 const void *caller)
{
	(void)fn, (void)dst, (void)src, (void)caller;
	zc__count_hook_copy(bytes);
}

/* A read- or write-like system call returned ret: that many bytes moved when positive. */
ZC_NO_SANITIZE static inline void zc__sink_kernel(enum zc_kernel_op op, const char *fn, int fd,
						  long long ret, const void *caller)
{
	(void)fn, (void)fd, (void)caller;
	if (ret > 0)
		zc__count_kernel(op, (size_t)ret);
}

#endif
#endif
