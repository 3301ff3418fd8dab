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
 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
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

/* The bootstrap arena: blocks handed out while dlsym runs; never freed. */
static unsigned char arena[64 * 1024] __attribute__((aligned(16)));
static size_t arena_used;

static int in_arena(const void *p)
{
	return (const unsigned char *)p >= arena && (const unsigned char *)p < arena + sizeof(arena);
}

static void *arena_alloc(size_t n)
{
	size_t need = (n + 15) & ~(size_t)15;
	if (need > sizeof(arena) - arena_used)
		return NULL;
	void *p = arena + arena_used;
	arena_used += need;
	return p;
}

static void byte_copy(void *dst, const void *src, size_t n)
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

static void resolve(void)
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

/*
 * The code of the object real.malloc comes from (libc, or an allocator preloaded with
 * --allocator). Its own mmaps are the memory behind the mallocs already counted.
 */
static uintptr_t allocator_lo, allocator_hi;

static int find_allocator_code(struct dl_phdr_info *info, size_t size, void *name)
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

static void locate_allocator(void)
{
	union {
		void *obj;
		malloc_fn fn;
	} u = {.fn = real.malloc};
	Dl_info info;
	if (u.obj && dladdr(u.obj, &info) && info.dli_fname)
		dl_iterate_phdr(find_allocator_code, (void *)info.dli_fname);
}

__attribute__((constructor(101))) static void hooks_init(void)
{
	resolve();
	locate_allocator();
	zc__allocator_linked = 1;
}

static size_t usable(void *p)
{
	return p && real.usable ? real.usable(p) : 0;
}

void *malloc(size_t n)
{
	resolve();
	if (!real.malloc)
		return arena_alloc(n);
	void *p = real.malloc(n);
	if (p)
		zc__count_alloc(n);
	return p;
}

void free(void *p)
{
	if (!p || in_arena(p))
		return;
	resolve();
	zc__count_free(usable(p));
	real.free(p);
}

void *calloc(size_t nmemb, size_t size)
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

void *realloc(void *old, size_t n)
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

int posix_memalign(void **out, size_t align, size_t n)
{
	resolve();
	int rc = real.posix_memalign(out, align, n);
	if (rc == 0)
		zc__count_alloc(n);
	return rc;
}

void *aligned_alloc(size_t align, size_t n)
{
	resolve();
	void *p = real.aligned_alloc(align, n);
	if (p)
		zc__count_alloc(n);
	return p;
}

void *memalign(size_t align, size_t n)
{
	resolve();
	void *p = real.memalign(align, n);
	if (p)
		zc__count_alloc(n);
	return p;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	if (n >= ZC_HOOK_MIN_BYTES)
		zc__count_hook_copy(n);
	if (!real.memcpy) {
		byte_copy(dst, src, n);
		return dst;
	}
	return real.memcpy(dst, src, n);
}

void *memmove(void *dst, const void *src, size_t n)
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

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__builtin_trap();
	return memcpy(dst, src, n);
}

void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__builtin_trap();
	return memmove(dst, src, n);
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

static void maps_acquire(void)
{
	while (atomic_flag_test_and_set_explicit(&maps_lock, memory_order_acquire))
		;
}

static void maps_release(void)
{
	atomic_flag_clear_explicit(&maps_lock, memory_order_release);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	resolve();
	void *p = real.mmap(addr, len, prot, flags, fd, off);
	uintptr_t caller = (uintptr_t)__builtin_return_address(0);
	if (p == MAP_FAILED || !(flags & MAP_ANONYMOUS) ||
	    (caller >= allocator_lo && caller < allocator_hi))
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

int munmap(void *addr, size_t len)
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
