/*
 * counting_hooks.c: the counting allocator and the copy witness, linked into the scenario
 * programs and the tests (no LD_PRELOAD needed) and exported with -rdynamic, so that the
 * producer libraries loaded with dlopen resolve to them too.
 *
 * Each function counts, then forwards to the next definition in the lookup order (glibc, or
 * an allocator preloaded with --allocator). Until dlsym has found those, allocations come
 * from a small static arena and copies are done byte by byte, so resolving cannot recurse.
 *
 * Compiled with -fno-builtin: gcc must not turn the byte loop into a call to memcpy.
 * Not instrumented by sanitizers (ZC_NO_SANITIZE): a sanitizer's runtime calls malloc before
 * its shadow memory exists; the calls forward to its allocator and checks all the same.
 */
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../instrument.h"

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
} real;

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

/* dlsym returns an object pointer; a union turns it into the function pointer it is. */
#define RESOLVE(field, name)                                                              \
	do {                                                                              \
		union {                                                                   \
			void *obj;                                                        \
			__typeof__(real.field) fn;                                        \
		} u_ = {.obj = dlsym(RTLD_NEXT, name)};                                   \
		real.field = u_.fn;                                                       \
	} while (0)

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
	RESOLVE(free, "free");
	resolving = 0;
}

ZC_NO_SANITIZE __attribute__((constructor(101))) static void hooks_init(void)
{
	resolve();
	ready = 1;
	zc__allocator_linked = 1;
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

ZC_NO_SANITIZE void *malloc(size_t n)
{
	resolve();
	if (!real.malloc)
		return arena_alloc(n);
	void *p = real.malloc(n);
	if (p)
		zc__count_alloc(n);
	return p;
}

ZC_NO_SANITIZE void free(void *p)
{
	if (!p || in_arena(p))
		return;
	resolve();
	zc__count_free(usable(p));
	real.free(p);
}

ZC_NO_SANITIZE void *calloc(size_t nmemb, size_t size)
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
		zc__count_alloc(nmemb * size);
	return p;
}

ZC_NO_SANITIZE void *realloc(void *old, size_t n)
{
	resolve();
	if (old && in_arena(old)) {
		void *p = malloc(n);
		size_t room = (size_t)(arena + sizeof(arena) - (unsigned char *)old);
		if (p)
			byte_copy(p, old, n < room ? n : room);
		return p;
	}
	if (!old)
		return malloc(n);
	size_t old_bytes = usable(old);
	void *p = real.realloc(old, n);
	if (n == 0 && !p) {
		zc__count_free(old_bytes);
		return NULL;
	}
	if (p && p != old) {
		zc__count_realloc_move(old_bytes, n);
		zc__count_free(old_bytes);
		zc__count_alloc(n);
	}
	return p;
}

ZC_NO_SANITIZE int posix_memalign(void **out, size_t align, size_t n)
{
	resolve();
	int rc = real.posix_memalign(out, align, n);
	if (rc == 0)
		zc__count_alloc(n);
	return rc;
}

ZC_NO_SANITIZE void *aligned_alloc(size_t align, size_t n)
{
	resolve();
	void *p = real.aligned_alloc(align, n);
	if (p)
		zc__count_alloc(n);
	return p;
}

ZC_NO_SANITIZE void *memalign(size_t align, size_t n)
{
	resolve();
	void *p = real.memalign(align, n);
	if (p)
		zc__count_alloc(n);
	return p;
}

ZC_NO_SANITIZE void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	if (n >= ZC_HOOK_MIN_BYTES)
		zc__count_hook_copy(n);
	if (!real.memcpy) {
		byte_copy(dst, src, n);
		return dst;
	}
	return real.memcpy(dst, src, n);
}

ZC_NO_SANITIZE void *memmove(void *dst, const void *src, size_t n)
{
	if (n >= ZC_HOOK_MIN_BYTES)
		zc__count_hook_copy(n);
	if (!real.memmove) {
		byte_copy(dst, src, n);
		return dst;
	}
	return real.memmove(dst, src, n);
}

/* The fortified variants gcc emits under _FORTIFY_SOURCE. */
void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen);
void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen);

ZC_NO_SANITIZE void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__builtin_trap();
	return memcpy(dst, src, n);
}

ZC_NO_SANITIZE void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__builtin_trap();
	return memmove(dst, src, n);
}

/*
 * Anonymous mappings a program makes through mmap count as allocations, and their munmap as
 * frees. A small table remembers which mappings were anonymous, since munmap cannot tell.
 * (glibc's own mmap of large malloc blocks is internal and counted as the malloc it serves.)
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

ZC_NO_SANITIZE void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	resolve();
	void *p = real.mmap(addr, len, prot, flags, fd, off);
	if (p == MAP_FAILED || !(flags & MAP_ANONYMOUS))
		return p;
	maps_acquire();
	for (int i = 0; i < MAX_MAPS; i++) {
		if (!maps[i].addr) {
			maps[i].addr = p;
			maps[i].len = len;
			zc__count_alloc(len);
			break;
		}
	}
	maps_release();
	return p;
}

ZC_NO_SANITIZE int munmap(void *addr, size_t len)
{
	resolve();
	maps_acquire();
	for (int i = 0; i < MAX_MAPS; i++) {
		if (maps[i].addr == addr) {
			zc__count_free(maps[i].len);
			maps[i].addr = NULL;
			break;
		}
	}
	maps_release();
	return real.munmap(addr, len);
}
