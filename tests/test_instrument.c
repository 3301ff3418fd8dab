/*
 * test_instrument.c: the counting allocator and the copy witness, linked into this program as
 * into every scenario program.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wchar.h>

#include "gbench.h"
#include "instrument.h"
#include "support.h"

#define FRAME (1024u * 1024u)

static int setup(void **unused)
{
	(void)unused;
	zc_instrument_set_frame_bytes(FRAME);
	return 0;
}

static void allocator_is_linked(void **unused)
{
	(void)unused;
	assert_true(zc_instrument_allocator_linked());
}

/* A figure a row leaves unchecked. */
#define ANY (-1)

static void malloc_calloc_and_free(void)
{
	void *small = malloc(100);
	void *big = malloc(FRAME);
	void *half = calloc(1, FRAME / 2);
	zc_do_not_optimize(small);
	zc_do_not_optimize(big);
	zc_do_not_optimize(half);
	free(small);
	free(big);
	free(half);
}

static void aligned_allocations(void)
{
	void *p = NULL;
	assert_int_equal(posix_memalign(&p, 4096, FRAME), 0);
	void *q = aligned_alloc(64, 4096);
	zc_do_not_optimize(p);
	zc_do_not_optimize(q);
	free(p);
	free(q);
}

static void anonymous_mmap(void)
{
	void *p = mmap(NULL, FRAME, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	munmap(p, FRAME);
}

/* What an action allocates and frees, as the counts see it; ANY leaves a figure unchecked. */
static const struct alloc_case {
	const char *what;
	void (*action)(void);
	long long allocs, frees, frame_allocs, frame_frees, alloc_bytes;
} alloc_cases[] = {
	{"malloc and free", malloc_calloc_and_free, 3, 3, 2, 2, 100 + FRAME + FRAME / 2},
	{"aligned allocations", aligned_allocations, 2, 2, 1, ANY, ANY},
	{"anonymous mmap", anonymous_mmap, 1, 1, 1, ANY, ANY},
};

static void expect_count(const char *what, const char *field, uint64_t got, long long want)
{
	if (want != ANY && got != (uint64_t)want)
		fail_msg("%s: %s %llu, want %lld", what, field, (unsigned long long)got, want);
}

static void allocations_are_counted(void **unused)
{
	(void)unused;
	for (size_t i = 0; i < sizeof(alloc_cases) / sizeof(alloc_cases[0]); i++) {
		const struct alloc_case *c = &alloc_cases[i];
		struct zc_counts a, b, d;
		zc_counts_snapshot(&a);
		c->action();
		zc_counts_snapshot(&b);
		zc_counts_diff(&d, &b, &a);
		expect_count(c->what, "allocs", d.allocs, c->allocs);
		expect_count(c->what, "frees", d.frees, c->frees);
		expect_count(c->what, "frame_allocs", d.frame_allocs, c->frame_allocs);
		expect_count(c->what, "frame_frees", d.frame_frees, c->frame_frees);
		expect_count(c->what, "alloc_bytes", d.alloc_bytes, c->alloc_bytes);
	}
}

static void realloc_move_is_a_copy(void **unused)
{
	(void)unused;
	struct zc_counts a, b, d;
	char *p = malloc(64);
	char *blocker = malloc(64); /* keeps p from growing in place */
	zc_counts_snapshot(&a);
	char *q = realloc(p, 1 << 20);
	assert_non_null(q);
	zc_counts_snapshot(&b);
	zc_counts_diff(&d, &b, &a);
	if (q != p) {
		/* observed by the realloc hook, not declared by anyone */
		assert_int_equal(d.realloc_moves, 1);
		assert_int_equal(d.realloc_remaps, 0);
		assert_true(d.realloc_copy_bytes >= 64);
		assert_true(zc_counts_user_copy_bytes(&d) >= 64);
		assert_int_equal(d.copies, 0);
	} else {
		assert_int_equal(d.realloc_moves, 0);
	}
	free(q);
	free(blocker);
}

static void copy_counts_agree_with_the_hook(void **unused)
{
	(void)unused;
	unsigned char *src = malloc(FRAME), *dst = malloc(FRAME);
	memset(src, 1, FRAME);
	struct zc_counts a, b, d;
	zc_counts_snapshot(&a);
	zc_copy(dst, src, FRAME);
	zc_copy(dst, src, 1000); /* below the hook's threshold */
	memmove(dst + 1, dst, FRAME - 1);
	zc_counts_snapshot(&b);
	zc_counts_diff(&d, &b, &a);
	zc_do_not_optimize(dst);
	assert_int_equal(d.copies, 2);
	assert_true(d.copy_bytes == FRAME + 1000);
	assert_true(d.memcpy_bytes == FRAME + 1000);
	/* The hook saw the large zc_copy and the large memmove, not the small copy. */
	assert_int_equal(d.hook_copies, 2);
	assert_true(d.hook_copy_bytes == FRAME + FRAME - 1);
	free(src);
	free(dst);
}

static void *allocate_in_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100; i++) {
		void *p = malloc(FRAME);
		zc_do_not_optimize(p); /* gcc deletes a malloc+free pair whose block is unused */
		free(p);
	}
	return NULL;
}

static void threads_are_summed(void **unused)
{
	(void)unused;
	struct zc_counts a, b, d;
	zc_counts_snapshot(&a);
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, allocate_in_thread, NULL), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	zc_counts_snapshot(&b);
	zc_counts_diff(&d, &b, &a);
	/* pthread_create allocates thread stacks and TLS too; the frames are exact. */
	assert_int_equal(d.frame_allocs, 300);
	assert_int_equal(d.frame_frees, 300);
}

/* A realloc glibc serves with mremap moves the pages, not the bytes: no copy (needs root). */
static void remapped_realloc_is_no_copy(void **unused)
{
	(void)unused;
	if (geteuid() != 0 || ZT_SANITIZER_BUILD)
		skip(); /* frame numbers read as 0 without CAP_SYS_ADMIN; a sanitizer's allocator
			   does not remap */
	size_t n = 8u << 20;
	mallopt(M_MMAP_THRESHOLD, 1 << 20); /* an 8 MiB block is mmapped: glibc moves it with mremap */
	char *p = malloc(n), *blocker = malloc(n); /* the next mapping: growing must move p */
	assert_non_null(p);
	assert_non_null(blocker);
	memset(p, 1, n);
	struct zc_counts a, b, d;
	zc_counts_snapshot(&a);
	char *q = realloc(p, 4 * n);
	zc_counts_snapshot(&b);
	zc_counts_diff(&d, &b, &a);
	assert_non_null(q);
	assert_true(q[n - 1] == 1);
	assert_true(q != p);
	assert_int_equal(d.realloc_moves, 1);
	assert_int_equal(d.realloc_remaps, 1);
	assert_int_equal(d.realloc_copy_bytes, 0);
	free(q);
	free(blocker);
}

/* Each copy function is seen, whatever its size: the per-transfer sum needs all of them. */
static void every_copy_function_counts(void **unused)
{
	(void)unused;
	if (ZT_SANITIZER_BUILD)
		skip(); /* the sanitizer's interceptors sit between the program and these hooks */
	enum { N = 4096 };
	char *src = malloc(N + 1), *dst = malloc(N + 1);
	wchar_t ws[64], wd[64];
	assert_non_null(src);
	assert_non_null(dst);
	memset(src, 'x', N);
	src[N] = '\0';
	memset(ws, 1, sizeof(ws));
	struct {
		const char *name;
		size_t bytes;
	} want[] = {
		{"mempcpy", 100}, {"bcopy", 200}, {"memccpy", 300}, {"strcpy", N + 1},
		{"stpcpy", N + 1}, {"strncpy", 50}, {"strdup", N + 1}, {"strndup", 10},
		{"wmemcpy", 64 * sizeof(wchar_t)}, {"wmemmove", 32 * sizeof(wchar_t)}, {"memcpy", 7},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct zc_counts a, b, d;
		char *extra = NULL;
		zc_counts_snapshot(&a);
		switch (i) {
		case 0: mempcpy(dst, src, 100); break;
		case 1: bcopy(src, dst, 200); break;
		case 2: memccpy(dst, src, 'y', 300); break; /* no 'y': all 300 */
		case 3: strcpy(dst, src); break;
		case 4: stpcpy(dst, src); break;
		case 5: strncpy(dst, src, 50); break;
		case 6: extra = strdup(src); break;
		case 7: extra = strndup(src, 10); break;
		case 8: wmemcpy(wd, ws, 64); break;
		case 9: wmemmove(wd, ws, 32); break;
		case 10: /* a size gcc cannot see: a constant 7 would be inlined, and no hook sees that */
			zc_do_not_optimize(memcpy(dst, src, *(volatile size_t *)&want[i].bytes));
			break;
		}
		zc_counts_snapshot(&b);
		zc_counts_diff(&d, &b, &a);
		free(extra);
		if (d.user_copy_bytes != want[i].bytes || d.user_copies != 1)
			fail_msg("%s: %llu bytes in %llu calls, want %zu in 1", want[i].name,
				 (unsigned long long)d.user_copy_bytes,
				 (unsigned long long)d.user_copies, want[i].bytes);
		assert_int_equal(d.copies, 0); /* nobody declared anything */
	}
	zc_do_not_optimize(dst);
	zc_do_not_optimize(wd);
	free(src);
	free(dst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(allocator_is_linked),
		cmocka_unit_test(allocations_are_counted),
		cmocka_unit_test(realloc_move_is_a_copy),
		cmocka_unit_test(remapped_realloc_is_no_copy),
		cmocka_unit_test(every_copy_function_counts),
		cmocka_unit_test(copy_counts_agree_with_the_hook),
		cmocka_unit_test(threads_are_summed),
	};
	return cmocka_run_group_tests_name("instrument", tests, setup, NULL);
}
