/*
 * counting_hooks.c: the interposers (allocation, copy and kernel-copy functions), linked into
 * the scenario programs and the tests (no LD_PRELOAD needed) and exported with -rdynamic, so
 * that the producer libraries loaded with dlopen resolve to them too; preloaded into node as
 * libzchooks.so, and into any program as the tracer's libzctrace.so.
 *
 * Each function tells the sink, then forwards to the next definition in the lookup order (glibc, or
 * an allocator preloaded with --allocator). Until dlsym has found those, allocations come
 * from a small static arena and copies are done byte by byte, so resolving cannot recurse.
 *
 * What a hook saw goes to the sink that whatever links this file defines (hook_sink.h): the
 * counters in the scenario programs (src/instrument/counting_sink.c), the recorder in
 * libzctrace.so (mk/zctrace.mk). Every hook passes the caller's return address along.
 *
 * The kernel's copies (read, write, send, recv, splice, vmsplice... at the end of the file)
 * are seen by hooks on libc's wrappers, and go to the same sink.
 *
 * Compiled with -fno-builtin: gcc must not turn the byte loop into a call to memcpy.
 * Not instrumented by sanitizers (ZC_NO_SANITIZE): a sanitizer's runtime calls malloc before
 * its shadow memory exists; the calls forward to its allocator and checks all the same.
 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <wchar.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "hook_sink.h"

/* The interposed names stay visible when the tracer builds with -fvisibility=hidden. */
#define ZC_HOOK_API __attribute__((visibility("default"))) ZC_NO_SANITIZE
#define CALLER() __builtin_return_address(0)

typedef void *(*malloc_fn)(size_t);
typedef void (*free_fn)(void *);
typedef void *(*calloc_fn)(size_t, size_t);
typedef void *(*realloc_fn)(void *, size_t);
typedef int (*posix_memalign_fn)(void **, size_t, size_t);
typedef void *(*memalign_fn)(size_t, size_t);
typedef size_t (*usable_fn)(void *);
typedef void *(*copy_fn)(void *, const void *, size_t);
typedef void *(*mmap_fn)(void *, size_t, int, int, int, off_t);
typedef int (*munmap_fn)(void *, size_t);
typedef void *(*memset_fn)(void *, int, size_t);
typedef int (*madvise_fn)(void *, size_t, int);

static struct {
	malloc_fn malloc;
	free_fn free;
	calloc_fn calloc;
	realloc_fn realloc;
	posix_memalign_fn posix_memalign;
	memalign_fn aligned_alloc;
	memalign_fn memalign;
	usable_fn usable;
	copy_fn memcpy;
	copy_fn memmove;
	mmap_fn mmap;
	munmap_fn munmap;
	memset_fn memset;
	madvise_fn madvise;
} real;

static const char *const fn_names[ZC_FN_COUNT] = {
#define FN_NAME(id, name) [ZC_FN_##id] = name,
	ZC_HOOK_FNS(FN_NAME)
#undef FN_NAME
};

const char *zc__hook_fn_name(unsigned fn)
{
	return fn < ZC_FN_COUNT ? fn_names[fn] : "?";
}

static void resolve_kernel(void);

static int resolving;
static int ready; /* hooks_init ran: every runtime before this program's is initialised */

/* The bootstrap arena: blocks handed out while dlsym runs; never freed. */
static unsigned char arena[64 * 1024] __attribute__((aligned(16)));
static size_t arena_used;

ZC_NO_SANITIZE static int in_arena(const void *p)
{
	return (const unsigned char *)p >= arena && (const unsigned char *)p < arena + sizeof(arena);
}

ZC_NO_SANITIZE static void *arena_alloc(size_t n)
{
	size_t need = (n + 15) & ~(size_t)15;
	if (need > sizeof(arena) - arena_used)
		return NULL;
	void *p = arena + arena_used;
	arena_used += need;
	return p;
}

ZC_NO_SANITIZE static void byte_copy(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const volatile unsigned char *s = src;
	if (d < s) {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		for (size_t i = n; i-- > 0;)
			d[i] = s[i];
	}
}

/*
 * table.field = the next definition of name. dlsym returns an object pointer; a union turns it
 * into the function pointer it is.
 */
#define RESOLVE_IN(table, field, name)                                                    \
	do {                                                                              \
		union {                                                                   \
			void *obj;                                                        \
			__typeof__(table.field) fn;                                       \
		} u_ = {.obj = dlsym(RTLD_NEXT, name)};                                   \
		table.field = u_.fn;                                                      \
	} while (0)
#define RESOLVE(field, name) RESOLVE_IN(real, field, name)

ZC_NO_SANITIZE static void resolve(void)
{
	if (real.free || resolving)
		return;
	resolving = 1;
	RESOLVE(memcpy, "memcpy");
	RESOLVE(memmove, "memmove");
	RESOLVE(malloc, "malloc");
	RESOLVE(calloc, "calloc");
	RESOLVE(realloc, "realloc");
	RESOLVE(posix_memalign, "posix_memalign");
	RESOLVE(aligned_alloc, "aligned_alloc");
	RESOLVE(memalign, "memalign");
	RESOLVE(usable, "malloc_usable_size");
	RESOLVE(mmap, "mmap");
	RESOLVE(munmap, "munmap");
	RESOLVE(memset, "memset");
	RESOLVE(madvise, "madvise");
	resolve_kernel();
	RESOLVE(free, "free");
	resolving = 0;
}

/*
 * The code of the object real.malloc comes from (libc, or an allocator preloaded with
 * --allocator). Its own mmaps are the memory behind the mallocs already counted.
 */
static uintptr_t allocator_lo, allocator_hi;

ZC_NO_SANITIZE static int find_allocator_code(struct dl_phdr_info *info, size_t size, void *name)
{
	(void)size;
	if (!info->dlpi_name || strcmp(info->dlpi_name, name) != 0)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		allocator_lo = info->dlpi_addr + ph->p_vaddr;
		allocator_hi = allocator_lo + ph->p_memsz;
	}
	return 1;
}

ZC_NO_SANITIZE static void locate_allocator(void)
{
	union {
		void *obj;
		malloc_fn fn;
	} u = {.fn = real.malloc};
	Dl_info info;
	if (u.obj && dladdr(u.obj, &info) && info.dli_fname)
		dl_iterate_phdr(find_allocator_code, (void *)info.dli_fname);
}

ZC_NO_SANITIZE __attribute__((constructor(101))) static void hooks_init(void)
{
	resolve();
	locate_allocator();
	ready = 1;
	zc__hook_sink.start();
}

/*
 * Defined by a sanitizer's runtime when one is linked in: whether its allocator owns p. Blocks
 * it hands out while it starts up come from a private pool that its malloc_usable_size rejects.
 */
int __sanitizer_get_ownership(const volatile void *p) __attribute__((weak));

/*
 * The size of a block being freed; 0 before hooks_init ran. Sizes only matter once a frame
 * size is set, and a sanitizer's malloc_usable_size crashes on blocks freed while it starts.
 */
ZC_NO_SANITIZE static size_t usable(void *p)
{
	if (!p || !real.usable || !ready)
		return 0;
	if (__sanitizer_get_ownership && !__sanitizer_get_ownership(p))
		return 0;
	return real.usable(p);
}

ZC_NO_SANITIZE static void *malloc_from(size_t n, const void *caller)
{
	resolve();
	if (!real.malloc)
		return arena_alloc(n);
	void *p = real.malloc(n);
	if (p)
		zc__hook_sink.alloc(ZC_FN_MALLOC, p, n, caller);
	return p;
}

ZC_HOOK_API void *malloc(size_t n)
{
	return malloc_from(n, CALLER());
}

ZC_HOOK_API void free(void *p)
{
	if (!p || in_arena(p))
		return;
	resolve();
	size_t bytes = zc__hook_sink.wants_free_size ? usable(p) : 0;
	if (zc__hook_sink.wants_free_size)
		zc__hook_sink.free(bytes);
	zc__hook_sink.release("free", p, bytes);
	real.free(p);
}

ZC_HOOK_API void *calloc(size_t nmemb, size_t size)
{
	resolve();
	if (!real.calloc) {
		size_t n;
		if (__builtin_mul_overflow(nmemb, size, &n))
			return NULL;
		return arena_alloc(n); /* static memory is already zero */
	}
	void *p = real.calloc(nmemb, size);
	if (p)
		zc__hook_sink.alloc(ZC_FN_CALLOC, p, nmemb * size, CALLER());
	return p;
}

/*
 * The page frame number of the page at addr, or 0 when it cannot be told (not root: frame
 * numbers read as 0; the page not present). /proc/PID/pagemap stays open for the process that
 * opened it and is opened again after a fork, so that a child reads its own; raw system
 * calls, so that the kernel-copy hooks do not count the instrument's own reads.
 */
static atomic_flag pagemap_lock = ATOMIC_FLAG_INIT;
static long pagemap_fd = -1, pagemap_pid;

ZC_NO_SANITIZE static long pagemap_open(long pid)
{
	char path[40] = "/proc/", digits[24];
	size_t nd = 0, at = 6;
	for (unsigned long p = (unsigned long)pid; nd == 0 || p; p /= 10)
		digits[nd++] = (char)('0' + p % 10);
	while (nd)
		path[at++] = digits[--nd];
	byte_copy(path + at, "/pagemap", sizeof("/pagemap")); /* no stdio inside realloc */
	return syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
}

ZC_NO_SANITIZE static uint64_t frame_of(const void *addr)
{
	uint64_t e = 0;
	long got = -1, pid = syscall(SYS_getpid);
	while (atomic_flag_test_and_set_explicit(&pagemap_lock, memory_order_acquire))
		;
	if (pagemap_pid != pid) {
		if (pagemap_fd >= 0)
			syscall(SYS_close, pagemap_fd);
		pagemap_fd = pagemap_open(pid);
		pagemap_pid = pid;
	}
	if (pagemap_fd >= 0)
		got = syscall(SYS_pread64, pagemap_fd, &e, sizeof(e),
			      (off_t)((uintptr_t)addr / 4096 * 8));
	atomic_flag_clear_explicit(&pagemap_lock, memory_order_release);
	if (got != (long)sizeof(e) || !(e >> 63))
		return 0;
	return e & ((UINT64_C(1) << 55) - 1);
}

/* A block at least this large may be moved by remapping its pages (glibc: mremap). */
#define REMAP_MIN_BYTES (64u * 1024u)

/* The first whole page of a block of n bytes at p, or NULL. */
ZC_NO_SANITIZE static const unsigned char *first_page(const void *p, size_t n)
{
	uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
	return n >= REMAP_MIN_BYTES && a + 4096 <= (uintptr_t)p + n ? (const unsigned char *)a : NULL;
}

/*
 * Did the realloc that moved old to p move the pages rather than the bytes? Observed: the
 * page at the same offset is the same physical page (the frame number read before). When the
 * frame numbers cannot be read (not root), the move counts as a copy.
 */
ZC_NO_SANITIZE static bool remapped(const void *old, const void *p, const unsigned char *page,
				    uint64_t frame)
{
	if (!page || !frame)
		return false;
	const unsigned char *moved = (const unsigned char *)p + (page - (const unsigned char *)old);
	return ((uintptr_t)moved & 4095) == 0 && frame_of(moved) == frame;
}

/*
 * Set while the allocator's own realloc runs: an allocator that is a library of its own
 * (mimalloc, jemalloc) calls memcpy through the PLT to move the block, and that memcpy is the
 * realloc move counted below, not a second copy. initial-exec: every copy hook reads it, and
 * in a preloaded library the default model is a call to __tls_get_addr.
 */
static __thread int in_realloc __attribute__((tls_model("initial-exec")));

ZC_HOOK_API void *realloc(void *old, size_t n)
{
	resolve();
	if (old && in_arena(old)) {
		void *p = malloc_from(n, CALLER());
		size_t room = (size_t)(arena + sizeof(arena) - (unsigned char *)old);
		if (p)
			byte_copy(p, old, n < room ? n : room);
		return p;
	}
	if (!old)
		return malloc_from(n, CALLER());
	size_t old_bytes = usable(old);
	const unsigned char *page = first_page(old, old_bytes);
	uint64_t frame = page ? frame_of(page) : 0;
	in_realloc++;
	void *p = real.realloc(old, n);
	in_realloc--;
	if (n == 0 && !p) {
		if (zc__hook_sink.wants_free_size)
			zc__hook_sink.free(old_bytes);
		zc__hook_sink.release("free", old, old_bytes); /* realloc(p, 0) */
		return NULL;
	}
	if (p && p != old) {
		zc__hook_sink.realloc_move(old, p, old_bytes, n, remapped(old, p, page, frame),
					   CALLER());
		if (zc__hook_sink.wants_free_size)
			zc__hook_sink.free(old_bytes);
		zc__hook_sink.release("realloc", old, old_bytes);
		zc__hook_sink.alloc(ZC_FN_REALLOC, p, n, CALLER());
	}
	return p;
}

ZC_HOOK_API int posix_memalign(void **out, size_t align, size_t n)
{
	resolve();
	int rc = real.posix_memalign(out, align, n);
	if (rc == 0)
		zc__hook_sink.alloc(ZC_FN_POSIX_MEMALIGN, *out, n, CALLER());
	return rc;
}

/* p, an aligned block of n bytes from fn, handed to the sink when there is one. */
static inline void *aligned_from(enum zc_hook_fn fn, void *p, size_t n, const void *caller)
{
	if (p)
		zc__hook_sink.alloc(fn, p, n, caller);
	return p;
}

ZC_HOOK_API void *aligned_alloc(size_t align, size_t n)
{
	resolve();
	return aligned_from(ZC_FN_ALIGNED_ALLOC, real.aligned_alloc(align, n), n, CALLER());
}

ZC_HOOK_API void *memalign(size_t align, size_t n)
{
	resolve();
	return aligned_from(ZC_FN_MEMALIGN, real.memalign(align, n), n, CALLER());
}

/* A copy of n bytes seen by the hook called fn; done with copy, or byte by byte early on. */
ZC_NO_SANITIZE static inline __attribute__((always_inline)) void *
copy_hooked(enum zc_hook_fn fn, copy_fn copy, void *dst, const void *src, size_t n,
	    const void *caller)
{
	/*
	 * Not the allocator's own copies: a realloc's move is counted by the realloc hook, and
	 * under a sanitizer the "allocator" is its runtime, whose bookkeeping copies are not the
	 * program's.
	 */
	uintptr_t from = (uintptr_t)caller;
	if (!in_realloc && !(from >= allocator_lo && from < allocator_hi)) {
		zc__hook_sink.copy_any(fn, dst, src, n, caller);
		if (n >= *zc__hook_sink.copy_min)
			zc__hook_sink.copy(fn, dst, src, n, caller);
	}
	if (!copy) {
		byte_copy(dst, src, n);
		return dst;
	}
	return copy(dst, src, n);
}

ZC_HOOK_API void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	return copy_hooked(ZC_FN_MEMCPY, real.memcpy, dst, src, n, CALLER());
}

ZC_HOOK_API void *memmove(void *dst, const void *src, size_t n)
{
	return copy_hooked(ZC_FN_MEMMOVE, real.memmove, dst, src, n, CALLER());
}

/* The fortified variants gcc emits under _FORTIFY_SOURCE. */
void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen);
void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen);

ZC_HOOK_API void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__builtin_trap();
	return copy_hooked(ZC_FN_MEMCPY_CHK, real.memcpy, dst, src, n, CALLER());
}

ZC_HOOK_API void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__builtin_trap();
	return copy_hooked(ZC_FN_MEMMOVE_CHK, real.memmove, dst, src, n, CALLER());
}

/*
 * The rest of the copy family: each one is its length rule around a hooked copy, so that a
 * frame copied with strcpy, a row at a time with mempcpy or as wide characters is seen like
 * memcpy. The lengths are measured with strlen/strnlen/memchr, which copy nothing.
 */
void *__mempcpy_chk(void *dst, const void *src, size_t n, size_t dstlen);
char *__strcpy_chk(char *dst, const char *src, size_t dstlen);
char *__stpcpy_chk(char *dst, const char *src, size_t dstlen);
char *__strncpy_chk(char *dst, const char *src, size_t n, size_t dstlen);
wchar_t *__wmemcpy_chk(wchar_t *dst, const wchar_t *src, size_t n, size_t dstlen);
wchar_t *__wmemmove_chk(wchar_t *dst, const wchar_t *src, size_t n, size_t dstlen);

ZC_HOOK_API void *mempcpy(void *restrict dst, const void *restrict src, size_t n)
{
	return (char *)copy_hooked(ZC_FN_MEMPCPY, real.memcpy, dst, src, n, CALLER()) + n;
}

ZC_HOOK_API void *__mempcpy_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__builtin_trap();
	return (char *)copy_hooked(ZC_FN_MEMPCPY_CHK, real.memcpy, dst, src, n, CALLER()) + n;
}

ZC_HOOK_API void bcopy(const void *src, void *dst, size_t n)
{
	copy_hooked(ZC_FN_BCOPY, real.memmove, dst, src, n, CALLER());
}

ZC_HOOK_API void *memccpy(void *restrict dst, const void *restrict src, int c, size_t n)
{
	const unsigned char *hit = memchr(src, c, n);
	size_t len = hit ? (size_t)(hit - (const unsigned char *)src) + 1 : n;
	copy_hooked(ZC_FN_MEMCCPY, real.memcpy, dst, src, len, CALLER());
	return hit ? (char *)dst + len : NULL;
}

ZC_HOOK_API char *strcpy(char *restrict dst, const char *restrict src)
{
	return copy_hooked(ZC_FN_STRCPY, real.memcpy, dst, src, strlen(src) + 1, CALLER());
}

ZC_HOOK_API char *__strcpy_chk(char *dst, const char *src, size_t dstlen)
{
	size_t n = strlen(src) + 1;
	if (n > dstlen)
		__builtin_trap();
	return copy_hooked(ZC_FN_STRCPY_CHK, real.memcpy, dst, src, n, CALLER());
}

ZC_HOOK_API char *stpcpy(char *restrict dst, const char *restrict src)
{
	size_t n = strlen(src);
	return (char *)copy_hooked(ZC_FN_STPCPY, real.memcpy, dst, src, n + 1, CALLER()) + n;
}

ZC_HOOK_API char *__stpcpy_chk(char *dst, const char *src, size_t dstlen)
{
	size_t n = strlen(src);
	if (n + 1 > dstlen)
		__builtin_trap();
	return (char *)copy_hooked(ZC_FN_STPCPY_CHK, real.memcpy, dst, src, n + 1, CALLER()) + n;
}

/*
 * The zeros strncpy, stpncpy and wcsncpy pad with: bytes written, as a copy function writes
 * them, from no memory (src NULL: never the frame's). What is written counts.
 */
ZC_NO_SANITIZE static void pad(enum zc_hook_fn fn, void *dst, size_t n, const void *caller)
{
	if (!n)
		return;
	uintptr_t from = (uintptr_t)caller;
	if (!in_realloc && !(from >= allocator_lo && from < allocator_hi))
		zc__hook_sink.copy_any(fn, dst, NULL, n, caller);
	volatile unsigned char *d = dst;
	for (size_t i = 0; i < n; i++)
		d[i] = 0;
}

/* strncpy copies up to n bytes and pads with zeros (pad). */
ZC_NO_SANITIZE static char *strncpy_hooked(enum zc_hook_fn fn, char *dst, const char *src,
					   size_t n, const void *caller)
{
	size_t len = strnlen(src, n);
	size_t taken = len < n ? len + 1 : n; /* the source's terminator, when within n */
	copy_hooked(fn, real.memcpy, dst, src, taken, caller);
	pad(fn, dst + taken, n - taken, caller);
	return dst;
}

ZC_HOOK_API char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
	return strncpy_hooked(ZC_FN_STRNCPY, dst, src, n, CALLER());
}

ZC_HOOK_API char *__strncpy_chk(char *dst, const char *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__builtin_trap();
	return strncpy_hooked(ZC_FN_STRNCPY_CHK, dst, src, n, CALLER());
}

ZC_HOOK_API char *strdup(const char *src)
{
	size_t n = strlen(src) + 1;
	char *p = malloc_from(n, CALLER());
	return p ? copy_hooked(ZC_FN_STRDUP, real.memcpy, p, src, n, CALLER()) : NULL;
}

ZC_HOOK_API char *strndup(const char *src, size_t max)
{
	size_t n = strnlen(src, max);
	char *p = malloc_from(n + 1, CALLER());
	if (!p)
		return NULL;
	copy_hooked(ZC_FN_STRNDUP, real.memcpy, p, src, n, CALLER());
	p[n] = '\0';
	return p;
}

ZC_HOOK_API wchar_t *wmemcpy(wchar_t *restrict dst, const wchar_t *restrict src, size_t n)
{
	return copy_hooked(ZC_FN_WMEMCPY, real.memcpy, dst, src, n * sizeof(wchar_t), CALLER());
}

ZC_HOOK_API wchar_t *__wmemcpy_chk(wchar_t *dst, const wchar_t *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__builtin_trap();
	return copy_hooked(ZC_FN_WMEMCPY_CHK, real.memcpy, dst, src, n * sizeof(wchar_t), CALLER());
}

ZC_HOOK_API wchar_t *wmemmove(wchar_t *dst, const wchar_t *src, size_t n)
{
	return copy_hooked(ZC_FN_WMEMMOVE, real.memmove, dst, src, n * sizeof(wchar_t), CALLER());
}

ZC_HOOK_API wchar_t *__wmemmove_chk(wchar_t *dst, const wchar_t *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__builtin_trap();
	return copy_hooked(ZC_FN_WMEMMOVE_CHK, real.memmove, dst, src, n * sizeof(wchar_t),
			   CALLER());
}

/*
 * The rest of the string family. Each counts what it writes: the bytes it takes from src
 * (the terminator among them) as a copy of src, the zeros it pads with or the terminator it
 * adds as written from no memory (pad). The _chk forms check the destination's size first,
 * as glibc's do.
 */
char *__stpncpy_chk(char *dst, const char *src, size_t n, size_t dstlen);
char *__strcat_chk(char *dst, const char *src, size_t dstlen);
char *__strncat_chk(char *dst, const char *src, size_t n, size_t dstlen);
wchar_t *__wcscpy_chk(wchar_t *dst, const wchar_t *src, size_t dstlen);
wchar_t *__wcsncpy_chk(wchar_t *dst, const wchar_t *src, size_t n, size_t dstlen);
wchar_t *__wmempcpy_chk(wchar_t *dst, const wchar_t *src, size_t n, size_t dstlen);
wchar_t *__wcpcpy_chk(wchar_t *dst, const wchar_t *src, size_t dstlen);

ZC_HOOK_API char *stpncpy(char *restrict dst, const char *restrict src, size_t n)
{
	size_t len = strnlen(src, n);
	strncpy_hooked(ZC_FN_STPNCPY, dst, src, n, CALLER());
	return dst + len;
}

ZC_HOOK_API char *__stpncpy_chk(char *dst, const char *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__builtin_trap();
	size_t len = strnlen(src, n);
	strncpy_hooked(ZC_FN_STPNCPY_CHK, dst, src, n, CALLER());
	return dst + len;
}

ZC_NO_SANITIZE static char *strcat_hooked(enum zc_hook_fn fn, char *dst, const char *src,
					  size_t dstlen, const void *caller)
{
	size_t at = strlen(dst), n = strlen(src) + 1;
	if (at + n > dstlen)
		__builtin_trap();
	copy_hooked(fn, real.memcpy, dst + at, src, n, caller);
	return dst;
}

ZC_HOOK_API char *strcat(char *restrict dst, const char *restrict src)
{
	return strcat_hooked(ZC_FN_STRCAT, dst, src, SIZE_MAX, CALLER());
}

ZC_HOOK_API char *__strcat_chk(char *dst, const char *src, size_t dstlen)
{
	return strcat_hooked(ZC_FN_STRCAT_CHK, dst, src, dstlen, CALLER());
}

/* strncat: at most n bytes of src, then a terminator it adds. */
ZC_NO_SANITIZE static char *strncat_hooked(enum zc_hook_fn fn, char *dst, const char *src,
					   size_t n, size_t dstlen, const void *caller)
{
	size_t at = strlen(dst), len = strnlen(src, n);
	if (at + len + 1 > dstlen)
		__builtin_trap();
	/* The terminator is the source's when it ends within n, else strncat adds it. */
	copy_hooked(fn, real.memcpy, dst + at, src, len < n ? len + 1 : len, caller);
	if (len == n)
		pad(fn, dst + at + len, 1, caller);
	return dst;
}

ZC_HOOK_API char *strncat(char *restrict dst, const char *restrict src, size_t n)
{
	return strncat_hooked(ZC_FN_STRNCAT, dst, src, n, SIZE_MAX, CALLER());
}

ZC_HOOK_API char *__strncat_chk(char *dst, const char *src, size_t n, size_t dstlen)
{
	return strncat_hooked(ZC_FN_STRNCAT_CHK, dst, src, n, dstlen, CALLER());
}

ZC_HOOK_API wchar_t *wcscpy(wchar_t *restrict dst, const wchar_t *restrict src)
{
	return copy_hooked(ZC_FN_WCSCPY, real.memcpy, dst, src, (wcslen(src) + 1) * sizeof(wchar_t),
			   CALLER());
}

ZC_HOOK_API wchar_t *__wcscpy_chk(wchar_t *dst, const wchar_t *src, size_t dstlen)
{
	size_t n = wcslen(src) + 1;
	if (n > dstlen)
		__builtin_trap();
	return copy_hooked(ZC_FN_WCSCPY_CHK, real.memcpy, dst, src, n * sizeof(wchar_t), CALLER());
}

/* wcsncpy: up to n wide characters, then zeros up to n (pad). */
ZC_NO_SANITIZE static wchar_t *wcsncpy_hooked(enum zc_hook_fn fn, wchar_t *dst,
					      const wchar_t *src, size_t n, const void *caller)
{
	size_t len = wcsnlen(src, n);
	size_t taken = len < n ? len + 1 : n; /* the source's terminator, when within n */
	copy_hooked(fn, real.memcpy, dst, src, taken * sizeof(wchar_t), caller);
	pad(fn, dst + taken, (n - taken) * sizeof(wchar_t), caller);
	return dst;
}

ZC_HOOK_API wchar_t *wcsncpy(wchar_t *restrict dst, const wchar_t *restrict src, size_t n)
{
	return wcsncpy_hooked(ZC_FN_WCSNCPY, dst, src, n, CALLER());
}

ZC_HOOK_API wchar_t *__wcsncpy_chk(wchar_t *dst, const wchar_t *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__builtin_trap();
	return wcsncpy_hooked(ZC_FN_WCSNCPY_CHK, dst, src, n, CALLER());
}

ZC_HOOK_API wchar_t *wmempcpy(wchar_t *restrict dst, const wchar_t *restrict src, size_t n)
{
	return (wchar_t *)copy_hooked(ZC_FN_WMEMPCPY, real.memcpy, dst, src, n * sizeof(wchar_t),
				      CALLER()) + n;
}

ZC_HOOK_API wchar_t *__wmempcpy_chk(wchar_t *dst, const wchar_t *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__builtin_trap();
	return (wchar_t *)copy_hooked(ZC_FN_WMEMPCPY_CHK, real.memcpy, dst, src,
				      n * sizeof(wchar_t), CALLER()) + n;
}

ZC_HOOK_API wchar_t *wcpcpy(wchar_t *restrict dst, const wchar_t *restrict src)
{
	size_t len = wcslen(src);
	copy_hooked(ZC_FN_WCPCPY, real.memcpy, dst, src, (len + 1) * sizeof(wchar_t), CALLER());
	return dst + len;
}

ZC_HOOK_API wchar_t *__wcpcpy_chk(wchar_t *dst, const wchar_t *src, size_t dstlen)
{
	size_t len = wcslen(src);
	if (len + 1 > dstlen)
		__builtin_trap();
	copy_hooked(ZC_FN_WCPCPY_CHK, real.memcpy, dst, src, (len + 1) * sizeof(wchar_t),
		    CALLER());
	return dst + len;
}

/*
 * Anonymous mappings a program makes through mmap count as allocations, and their munmap as
 * frees. A small table remembers which mappings were anonymous, since munmap cannot tell.
 * The allocator's own mappings (glibc's are internal calls anyway; a preloaded mimalloc or
 * jemalloc calls mmap through the PLT) are the memory behind mallocs already counted: skipped.
 */
#define MAX_MAPS 128
static struct {
	void *addr;
	size_t len;
} maps[MAX_MAPS];
static atomic_flag maps_lock = ATOMIC_FLAG_INIT;

ZC_NO_SANITIZE static void maps_acquire(void)
{
	while (atomic_flag_test_and_set_explicit(&maps_lock, memory_order_acquire))
		;
}

ZC_NO_SANITIZE static void maps_release(void)
{
	atomic_flag_clear_explicit(&maps_lock, memory_order_release);
}

/* Remembers an anonymous mapping; false when the table is full (then it is not counted). */
ZC_NO_SANITIZE static bool remember_map(void *p, size_t len)
{
	bool stored = false;
	maps_acquire();
	for (int i = 0; i < MAX_MAPS && !stored; i++) {
		if (!maps[i].addr) {
			maps[i].addr = p;
			maps[i].len = len;
			stored = true;
		}
	}
	maps_release();
	return stored;
}

/* Forgets the mapping at addr; returns its length, or 0 when it was not remembered. */
ZC_NO_SANITIZE static size_t forget_map(void *addr)
{
	size_t len = 0;
	maps_acquire();
	for (int i = 0; i < MAX_MAPS; i++) {
		if (maps[i].addr == addr) {
			len = maps[i].len;
			maps[i].addr = NULL;
			break;
		}
	}
	maps_release();
	return len;
}

ZC_HOOK_API void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	resolve();
	void *p = real.mmap(addr, len, prot, flags, fd, off);
	uintptr_t caller = (uintptr_t)__builtin_return_address(0);
	/* An allocator's own mappings are the memory behind mallocs already counted. */
	if (p == MAP_FAILED || (caller >= allocator_lo && caller < allocator_hi))
		return p;
	if (!(flags & MAP_ANONYMOUS)) {
		if (fd >= 0 && ready) {
			int saved = errno;
			zc__hook_sink.mapped_file(fd, p, len, prot, CALLER());
			errno = saved;
		}
		return p;
	}
	/* Only a sink that is told the size of frees needs the table. */
	if (!zc__hook_sink.wants_free_size || remember_map(p, len))
		zc__hook_sink.alloc(ZC_FN_MMAP, p, len, CALLER());
	return p;
}

ZC_HOOK_API int munmap(void *addr, size_t len)
{
	resolve();
	if (zc__hook_sink.wants_free_size) {
		size_t mapped = forget_map(addr);
		if (mapped)
			zc__hook_sink.free(mapped);
	}
	/*
	 * An allocator's realloc that unmaps the old block (mimalloc's) is the realloc: the hook
	 * tells the move, then the old block's release, once the bytes are known to have moved.
	 */
	if (!in_realloc)
		zc__hook_sink.release("munmap", addr, len);
	return real.munmap(addr, len);
}

/*
 * Memory that loses its content: the sink reads it first when it wants (src/instrument/
 * vanish.h, the evidence pass). memset and bzero overwrite; madvise with an advice that may
 * drop the pages (DONTNEED, FREE, REMOVE) discards.
 */
ZC_HOOK_API void *memset(void *dst, int c, size_t n)
{
	zc__hook_sink.discard("memset", dst, n);
	if (!real.memset) { /* before dlsym has found it */
		volatile unsigned char *d = dst;
		for (size_t i = 0; i < n; i++)
			d[i] = (unsigned char)c;
		return dst;
	}
	return real.memset(dst, c, n);
}

ZC_HOOK_API void bzero(void *dst, size_t n)
{
	memset(dst, 0, n);
}

ZC_HOOK_API int madvise(void *addr, size_t len, int advice)
{
	resolve();
	if (advice == MADV_DONTNEED || advice == MADV_FREE || advice == MADV_REMOVE)
		zc__hook_sink.discard("madvise", addr, len);
	return real.madvise ? real.madvise(addr, len, advice) : (errno = ENOSYS, -1);
}

/*
 * The kernel's copies: bytes moved by read- and write-like system calls, counted from what
 * libc's wrappers return, whatever code called them (the strategy, a producer library, a
 * runtime). Why hooks rather than /proc/self/io (kernel_io.h reads that too): on this kernel
 * rchar/wchar miss send/recv and their kin on sockets, splice, vmsplice and process_vm_*,
 * and they include every file the process reads (its own /proc reads among them); the hooks
 * see each call apart, per thread, and can tell a copy from a hand-over. What they miss:
 * calls made inside libc (stdio's fread/fwrite, printf), raw syscall() and io_uring.
 *
 * Four kinds (instrument.h): reads copy into this process's memory, writes copy out of it,
 * moves go between descriptors without touching user memory (splice, tee, sendfile,
 * copy_file_range), and hand-overs are vmsplice into a pipe, which gives the pipe the pages
 * themselves: the reader's read() is the one copy, counted as a read where it happens.
 * vmsplice on a pipe's read end copies out of the pipe: a read.
 */
/*
 * Every kernel call hooked. B(op, name, params, args, fd, mem): the call returns the bytes it
 * moved as op; fd is the descriptor the sink is told (a move's source; the other process's
 * pid for process_vm_*), mem the user memory the bytes went to or came from (MEM_*: one
 * buffer, iovecs, another process's, or a move's destination). O(name): a hook of its own,
 * below the list. Both give the table of the next definitions.
 */
#define MEM_BUF(b) (&(struct zc_kernel_mem){.buf = (b), .to_fd = -1})
#define MEM_SEND(b, n) (&(struct zc_kernel_mem){.buf = (b), .len = (n), .to_fd = -1})
#define MEM_IOV(v, n) (&(struct zc_kernel_mem){.iov = (v), .iovcnt = (size_t)(n), .to_fd = -1})
#define MEM_MSG(m) MEM_IOV((m)->msg_iov, (m)->msg_iovlen)
#define MEM_PROCESS(v, n, r, rn)                                                          \
	(&(struct zc_kernel_mem){.iov = (v), .iovcnt = (size_t)(n), .process = true,       \
				 .remote = (r), .remotecnt = (size_t)(rn), .to_fd = -1})
#define MEM_MOVE(to) (&(struct zc_kernel_mem){.to_fd = (to)})
#define KERNEL_CALLS(B, O)                                                                \
	B(ZC_KERNEL_READ, read, (int fd, void *buf, size_t n), (fd, buf, n), fd, MEM_BUF(buf)) \
	B(ZC_KERNEL_READ, pread, (int fd, void *buf, size_t n, off_t off), (fd, buf, n, off), \
	  fd, MEM_BUF(buf))                                                               \
	B(ZC_KERNEL_READ, pread64, (int fd, void *buf, size_t n, off64_t off),            \
	  (fd, buf, n, off), fd, MEM_BUF(buf))                                            \
	B(ZC_KERNEL_READ, readv, (int fd, const struct iovec *iov, int cnt), (fd, iov, cnt), \
	  fd, MEM_IOV(iov, cnt))                                                          \
	B(ZC_KERNEL_READ, preadv, (int fd, const struct iovec *iov, int cnt, off_t off),  \
	  (fd, iov, cnt, off), fd, MEM_IOV(iov, cnt))                                     \
	B(ZC_KERNEL_READ, preadv64, (int fd, const struct iovec *iov, int cnt, off64_t off), \
	  (fd, iov, cnt, off), fd, MEM_IOV(iov, cnt))                                     \
	B(ZC_KERNEL_READ, preadv2,                                                        \
	  (int fd, const struct iovec *iov, int cnt, off_t off, int flags),               \
	  (fd, iov, cnt, off, flags), fd, MEM_IOV(iov, cnt))                              \
	B(ZC_KERNEL_READ, preadv64v2,                                                     \
	  (int fd, const struct iovec *iov, int cnt, off64_t off, int flags),             \
	  (fd, iov, cnt, off, flags), fd, MEM_IOV(iov, cnt))                              \
	B(ZC_KERNEL_READ, recv, (int fd, void *buf, size_t n, int flags), (fd, buf, n, flags), \
	  fd, MEM_BUF(buf))                                                               \
	B(ZC_KERNEL_READ, recvfrom,                                                       \
	  (int fd, void *restrict buf, size_t n, int flags, __SOCKADDR_ARG from,          \
	   socklen_t *restrict fromlen), (fd, buf, n, flags, from, fromlen), fd, MEM_BUF(buf)) \
	B(ZC_KERNEL_READ, recvmsg, (int fd, struct msghdr *msg, int flags), (fd, msg, flags), \
	  fd, MEM_MSG(msg))                                                               \
	O(recvmmsg)                                                                       \
	B(ZC_KERNEL_READ, process_vm_readv,                                               \
	  (pid_t pid, const struct iovec *local, unsigned long nlocal,                    \
	   const struct iovec *remote, unsigned long nremote, unsigned long flags),       \
	  (pid, local, nlocal, remote, nremote, flags), pid, MEM_PROCESS(local, nlocal, remote, nremote))  \
	B(ZC_KERNEL_WRITE, write, (int fd, const void *buf, size_t n), (fd, buf, n), fd,  \
	  MEM_SEND(buf, n))                                                                   \
	B(ZC_KERNEL_WRITE, pwrite, (int fd, const void *buf, size_t n, off_t off),        \
	  (fd, buf, n, off), fd, MEM_SEND(buf, n))                                            \
	B(ZC_KERNEL_WRITE, pwrite64, (int fd, const void *buf, size_t n, off64_t off),    \
	  (fd, buf, n, off), fd, MEM_SEND(buf, n))                                            \
	B(ZC_KERNEL_WRITE, writev, (int fd, const struct iovec *iov, int cnt), (fd, iov, cnt), \
	  fd, MEM_IOV(iov, cnt))                                                          \
	B(ZC_KERNEL_WRITE, pwritev, (int fd, const struct iovec *iov, int cnt, off_t off), \
	  (fd, iov, cnt, off), fd, MEM_IOV(iov, cnt))                                     \
	B(ZC_KERNEL_WRITE, pwritev64,                                                     \
	  (int fd, const struct iovec *iov, int cnt, off64_t off), (fd, iov, cnt, off),   \
	  fd, MEM_IOV(iov, cnt))                                                          \
	B(ZC_KERNEL_WRITE, pwritev2,                                                      \
	  (int fd, const struct iovec *iov, int cnt, off_t off, int flags),               \
	  (fd, iov, cnt, off, flags), fd, MEM_IOV(iov, cnt))                              \
	B(ZC_KERNEL_WRITE, pwritev64v2,                                                   \
	  (int fd, const struct iovec *iov, int cnt, off64_t off, int flags),             \
	  (fd, iov, cnt, off, flags), fd, MEM_IOV(iov, cnt))                              \
	B(ZC_KERNEL_WRITE, send, (int fd, const void *buf, size_t n, int flags),          \
	  (fd, buf, n, flags), fd, MEM_SEND(buf, n))                                          \
	B(ZC_KERNEL_WRITE, sendto,                                                        \
	  (int fd, const void *buf, size_t n, int flags, __CONST_SOCKADDR_ARG to,         \
	   socklen_t tolen), (fd, buf, n, flags, to, tolen), fd, MEM_SEND(buf, n))            \
	B(ZC_KERNEL_WRITE, sendmsg, (int fd, const struct msghdr *msg, int flags),        \
	  (fd, msg, flags), fd, MEM_MSG(msg))                                             \
	O(sendmmsg)                                                                       \
	B(ZC_KERNEL_WRITE, process_vm_writev,                                             \
	  (pid_t pid, const struct iovec *local, unsigned long nlocal,                    \
	   const struct iovec *remote, unsigned long nremote, unsigned long flags),       \
	  (pid, local, nlocal, remote, nremote, flags), pid, MEM_PROCESS(local, nlocal, remote, nremote))  \
	B(ZC_KERNEL_MOVE, splice,                                                         \
	  (int in, loff_t *in_off, int out, loff_t *out_off, size_t n, unsigned int flags), \
	  (in, in_off, out, out_off, n, flags), in, MEM_MOVE(out))                        \
	B(ZC_KERNEL_MOVE, tee, (int in, int out, size_t n, unsigned int flags),           \
	  (in, out, n, flags), in, MEM_MOVE(out))                                         \
	B(ZC_KERNEL_MOVE, sendfile, (int out, int in, off_t *off, size_t n), (out, in, off, n), \
	  in, MEM_MOVE(out))                                                              \
	B(ZC_KERNEL_MOVE, sendfile64, (int out, int in, off64_t *off, size_t n),          \
	  (out, in, off, n), in, MEM_MOVE(out))                                           \
	B(ZC_KERNEL_MOVE, copy_file_range,                                                \
	  (int in, loff_t *in_off, int out, loff_t *out_off, size_t n, unsigned int flags), \
	  (in, in_off, out, out_off, n, flags), in, MEM_MOVE(out))                        \
	O(vmsplice)                                                                       \
	O(close)

#define KREAL_OWN(name) __typeof__(name) *name;
#define KREAL_BYTES(op, name, params, args, fd, mem) KREAL_OWN(name)
static struct {
	KERNEL_CALLS(KREAL_BYTES, KREAL_OWN)
} kreal;

#define KRESOLVE_OWN(name) RESOLVE_IN(kreal, name, #name);
#define KRESOLVE_BYTES(op, name, params, args, fd, mem) KRESOLVE_OWN(name)
ZC_NO_SANITIZE static void resolve_kernel(void)
{
	KERNEL_CALLS(KRESOLVE_BYTES, KRESOLVE_OWN)
}

/* The next definition of name called with args; ENOSYS while it is unknown. */
#define NEXT(name, args) (resolve(), kreal.name ? kreal.name args : (errno = ENOSYS, -1))

/*
 * Bytes moved by the call fn on fd as op go to the sink, with the memory they moved;
 * nothing when none moved. The caller reads the call's errno after the hook: kept.
 */
ZC_NO_SANITIZE static void kernel_moved(enum zc_kernel_op op, const char *fn, int fd,
					long long bytes, const struct zc_kernel_mem *mem,
					const void *caller)
{
	if (bytes <= 0)
		return;
	int saved = errno;
	zc__hook_sink.kernel(op, fn, fd, (size_t)bytes, mem, caller);
	errno = saved;
}

/*
 * Before a write-like call: what it is about to send (a reader in another process may take
 * the bytes before the call returns).
 */
ZC_NO_SANITIZE static void kernel_sending(enum zc_kernel_op op, const char *fn, int fd,
					  const struct zc_kernel_mem *mem)
{
	if (op != ZC_KERNEL_WRITE || !ready)
		return;
	int saved = errno;
	zc__hook_sink.kernel_start(op, fn, fd, mem);
	errno = saved;
}

/* A hook that forwards and tells the sink what the call returned, as op. */
#define KERNEL_HOOK(op, name, params, args, fd, mem)                                      \
	ZC_HOOK_API ssize_t name params                                                   \
	{                                                                                 \
		kernel_sending(op, #name, fd, mem);                                       \
		ssize_t r_ = NEXT(name, args);                                            \
		kernel_moved(op, #name, fd, r_, mem, CALLER());                           \
		return r_;                                                                \
	}
#define KERNEL_HOOK_OWN(name)
KERNEL_CALLS(KERNEL_HOOK, KERNEL_HOOK_OWN)

/* recvmmsg and sendmmsg move messages: each message's msg_len bytes, told one by one. */
ZC_NO_SANITIZE static void count_messages(enum zc_kernel_op op, const char *fn, int fd,
					  const struct mmsghdr *v, int n, const void *caller)
{
	for (int i = 0; i < n; i++)
		kernel_moved(op, fn, fd, v[i].msg_len, MEM_MSG(&v[i].msg_hdr), caller);
}

ZC_HOOK_API int recvmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags,
			 struct timespec *timeout)
{
	int r = NEXT(recvmmsg, (fd, v, n, flags, timeout));
	count_messages(ZC_KERNEL_READ, "recvmmsg", fd, v, r, CALLER());
	return r;
}

ZC_HOOK_API int sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	int r = NEXT(sendmmsg, (fd, v, n, flags));
	count_messages(ZC_KERNEL_WRITE, "sendmmsg", fd, v, r, CALLER());
	return r;
}

/* A descriptor closed: the sink forgets what it knew of it (a number is reused). */
ZC_HOOK_API int close(int fd)
{
	zc__hook_sink.closed(fd);
	return NEXT(close, (fd));
}

/* Into a pipe (the kernel checks for a writable end first): a hand-over; out of one: a read. */
ZC_HOOK_API ssize_t vmsplice(int fd, const struct iovec *iov, size_t cnt, unsigned int flags)
{
	ssize_t r = NEXT(vmsplice, (fd, iov, cnt, flags));
	if (r > 0) {
		int saved = errno;
		int mode = fcntl(fd, F_GETFL);
		errno = saved;
		bool out_of_pipe = mode >= 0 && (mode & O_ACCMODE) == O_RDONLY;
		kernel_moved(out_of_pipe ? ZC_KERNEL_READ : ZC_KERNEL_HANDOVER, "vmsplice", fd, r,
			     MEM_IOV(iov, cnt), CALLER());
	}
	return r;
}

/*
 * The fortified variants gcc emits under _FORTIFY_SOURCE. Socket addresses are glibc's
 * transparent union (__SOCKADDR_ARG), as in its own declarations.
 */
ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen);
ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t off, size_t buflen);
ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *restrict buf, size_t n, size_t buflen, int flags,
		       __SOCKADDR_ARG from, socklen_t *restrict fromlen);

ZC_HOOK_API ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
	if (n > buflen)
		__builtin_trap();
	return read(fd, buf, n);
}

ZC_HOOK_API ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
{
	if (n > buflen)
		__builtin_trap();
	return pread(fd, buf, n, off);
}

ZC_HOOK_API ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t off, size_t buflen)
{
	if (n > buflen)
		__builtin_trap();
	return pread64(fd, buf, n, off);
}

ZC_HOOK_API ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags)
{
	if (n > buflen)
		__builtin_trap();
	return recv(fd, buf, n, flags);
}

ZC_HOOK_API ssize_t __recvfrom_chk(int fd, void *restrict buf, size_t n, size_t buflen,
				   int flags, __SOCKADDR_ARG from, socklen_t *restrict fromlen)
{
	if (n > buflen)
		__builtin_trap();
	return recvfrom(fd, buf, n, flags, from, fromlen);
}
