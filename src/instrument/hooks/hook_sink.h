/*
 * hook_sink.h: the contract between the interposers (counting_hooks.c) and the sink that is
 * told what they saw. The hooks never name a sink: the program or library that links them
 * defines zc__hook_sink, and the linker binds it.
 *
 * Two sinks exist, each beside its user:
 *   - the scenario programs, the tests and libzchooks.so: src/instrument/counting_sink.c, the
 *     per-thread counters of instrument.c;
 *   - build/lib/libzctrace.so: the tracer's recorder, tools/zctrace/record.c.
 * Each hook passes everything a sink may need (the block, its size, the calling code); a sink
 * ignores what it does not use.
 */
#ifndef ZC_HOOK_SINK_H
#define ZC_HOOK_SINK_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel_op.h"

/* The hooks run before a sanitizer's runtime is ready: nothing on their path is instrumented. */
#ifndef ZC_NO_SANITIZE
#define ZC_NO_SANITIZE __attribute__((no_sanitize("address", "thread", "undefined")))
#endif

/* The interposed allocation and copy functions: X(ID, name) gives ZC_FN_ID and its name. */
#define ZC_HOOK_FNS(X)                                                                    \
	X(MALLOC, "malloc")                                                               \
	X(CALLOC, "calloc")                                                               \
	X(REALLOC, "realloc")                                                             \
	X(POSIX_MEMALIGN, "posix_memalign")                                               \
	X(ALIGNED_ALLOC, "aligned_alloc")                                                 \
	X(MEMALIGN, "memalign")                                                           \
	X(MMAP, "mmap")                                                                   \
	X(MEMCPY, "memcpy")                                                               \
	X(MEMMOVE, "memmove")                                                             \
	X(MEMCPY_CHK, "__memcpy_chk")                                                     \
	X(MEMMOVE_CHK, "__memmove_chk")                                                   \
	X(MEMPCPY, "mempcpy")                                                             \
	X(MEMPCPY_CHK, "__mempcpy_chk")                                                   \
	X(BCOPY, "bcopy")                                                                 \
	X(MEMCCPY, "memccpy")                                                             \
	X(STRCPY, "strcpy")                                                               \
	X(STRCPY_CHK, "__strcpy_chk")                                                     \
	X(STPCPY, "stpcpy")                                                               \
	X(STPCPY_CHK, "__stpcpy_chk")                                                     \
	X(STRNCPY, "strncpy")                                                             \
	X(STRNCPY_CHK, "__strncpy_chk")                                                   \
	X(STRDUP, "strdup")                                                               \
	X(STRNDUP, "strndup")                                                             \
	X(WMEMCPY, "wmemcpy")                                                             \
	X(WMEMCPY_CHK, "__wmemcpy_chk")                                                   \
	X(WMEMMOVE, "wmemmove")                                                           \
	X(WMEMMOVE_CHK, "__wmemmove_chk")                                                 \
	X(STPNCPY, "stpncpy")                                                             \
	X(STPNCPY_CHK, "__stpncpy_chk")                                                   \
	X(STRCAT, "strcat")                                                               \
	X(STRCAT_CHK, "__strcat_chk")                                                     \
	X(STRNCAT, "strncat")                                                             \
	X(STRNCAT_CHK, "__strncat_chk")                                                   \
	X(WCSCPY, "wcscpy")                                                               \
	X(WCSCPY_CHK, "__wcscpy_chk")                                                     \
	X(WCSNCPY, "wcsncpy")                                                             \
	X(WCSNCPY_CHK, "__wcsncpy_chk")                                                   \
	X(WMEMPCPY, "wmempcpy")                                                           \
	X(WMEMPCPY_CHK, "__wmempcpy_chk")                                                 \
	X(WCPCPY, "wcpcpy")                                                               \
	X(WCPCPY_CHK, "__wcpcpy_chk")

/* Which interposed function saw the call; its name is zc__hook_fn_name(). */
enum zc_hook_fn {
#define ZC_HOOK_FN_ENUM(id, name) ZC_FN_##id,
	ZC_HOOK_FNS(ZC_HOOK_FN_ENUM)
#undef ZC_HOOK_FN_ENUM
	ZC_FN_COUNT
};

/* "memcpy", "__memcpy_chk"...; "?" for a number that is no enum zc_hook_fn. */
const char *zc__hook_fn_name(unsigned fn);

/*
 * What a sink is told. Every member is set; the hooks call them with the caller's return
 * address, from inside malloc and memcpy, possibly before main and inside the dynamic loader:
 * a sink must not allocate, and must not copy through the hooked functions.
 */
struct zc_hook_sink {
	/* Copies of at least *copy_min bytes are passed to copy, with their blocks. */
	const size_t *copy_min;
	/*
	 * true: free is told the size of every block given back, which costs a
	 * malloc_usable_size per free and a table of anonymous mappings; false: free is never
	 * called.
	 */
	bool wants_free_size;
	/* Called once by the hooks' constructor, when they are resolved, before main. */
	void (*start)(void);
	/* A block of bytes at p was handed out by the function fn (malloc... mmap). */
	void (*alloc)(enum zc_hook_fn fn, const void *p, size_t bytes, const void *caller);
	/* A block of this many bytes was given back (see wants_free_size). */
	void (*free)(size_t bytes);
	/*
	 * The block at p (bytes long, 0: unknown) is given back: how is "free", "realloc" (it
	 * moved) or "munmap".
	 */
	void (*release)(const char *how, const void *p, size_t bytes);
	/*
	 * A realloc moved old to p; remapped: the allocator moved the pages, not the bytes (the
	 * same physical page seen at the new address).
	 */
	void (*realloc_move)(const void *old, const void *p, size_t old_bytes, size_t new_bytes,
			     bool remapped, const void *caller);
	/*
	 * Every copy-function call, whatever its size: bytes written at dst, copied from src
	 * (NULL: written from no memory, such as strncpy's padding). Before the copy is made.
	 */
	void (*copy_any)(enum zc_hook_fn fn, void *dst, const void *src, size_t bytes,
			 const void *caller);
	/* A copy-function call of at least *copy_min bytes, after copy_any. */
	void (*copy)(enum zc_hook_fn fn, void *dst, const void *src, size_t bytes,
		     const void *caller);
	/*
	 * A read- or write-like system call fn moved bytes (more than 0) as op, after the call:
	 * fd is the descriptor (a move's source; for process_vm_* the other process's pid), mem
	 * the user memory the bytes came from or went to (kernel_op.h).
	 */
	void (*kernel)(enum zc_kernel_op op, const char *fn, int fd, size_t bytes,
		       const struct zc_kernel_mem *mem, const void *caller);
	/*
	 * A write-like call fn is about to send from mem (mem->len bytes, or its iovecs) to
	 * fd, before the call: a reader elsewhere may take the bytes before it returns.
	 * kernel is called after it as for every call.
	 */
	void (*kernel_start)(enum zc_kernel_op op, const char *fn, int fd,
			     const struct zc_kernel_mem *mem);
	/*
	 * The program mapped len bytes of the file open as fd at p (mmap of a descriptor, not
	 * the allocator's nor the dynamic loader's): it reads or writes them in place, no
	 * read-like call copies them.
	 */
	void (*mapped_file)(int fd, const void *p, size_t len, int prot, const void *caller);
	/* The descriptor fd is being closed. */
	void (*closed)(int fd);
	/*
	 * The len bytes at p are about to be discarded (how: "madvise", any advice that may drop
	 * the pages' content) or overwritten ("memset", any size), before it happens.
	 */
	void (*discard)(const char *how, void *p, size_t len);
};

/*
 * The sink, defined by whatever links the hooks (one of the two above). A definition the
 * linker resolves, not one registered at run time: the hooks run before any constructor of
 * the program or library that links them (a library's initialiser, the dynamic loader's own
 * mallocs), and a sink set later would miss those calls; a missing sink fails the link.
 */
extern const struct zc_hook_sink zc__hook_sink;

#endif
