/*
 * test_instrument.c: the counting allocator and the copy witness, linked into this program as
 * into every scenario program.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "gbench.h"
#include "instrument.h"

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

static void malloc_and_free_are_counted(void **unused)
{
	(void)unused;
	struct zc_counts a, b, d;
	zc_counts_snapshot(&a);
	void *small = malloc(100);
	void *big = malloc(FRAME);
	void *half = calloc(1, FRAME / 2);
	zc_do_not_optimize(small);
	zc_do_not_optimize(big);
	zc_do_not_optimize(half);
	free(small);
	free(big);
	free(half);
	zc_counts_snapshot(&b);
	zc_counts_diff(&d, &b, &a);
	assert_int_equal(d.allocs, 3);
	assert_int_equal(d.frees, 3);
	assert_int_equal(d.frame_allocs, 2);
	assert_int_equal(d.frame_frees, 2);
	assert_true(d.alloc_bytes == 100 + FRAME + FRAME / 2);
}

static void aligned_allocations_are_counted(void **unused)
{
	(void)unused;
	struct zc_counts a, b, d;
	zc_counts_snapshot(&a);
	void *p = NULL;
	assert_int_equal(posix_memalign(&p, 4096, FRAME), 0);
	void *q = aligned_alloc(64, 4096);
	zc_do_not_optimize(p);
	zc_do_not_optimize(q);
	free(p);
	free(q);
	zc_counts_snapshot(&b);
	zc_counts_diff(&d, &b, &a);
	assert_int_equal(d.allocs, 2);
	assert_int_equal(d.frame_allocs, 1);
	assert_int_equal(d.frees, 2);
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
		assert_int_equal(d.realloc_moves, 1);
		assert_int_equal(d.copies, 1);
		assert_true(d.copy_bytes >= 64);
	} else {
		assert_int_equal(d.realloc_moves, 0);
	}
	free(q);
	free(blocker);
}

static void anonymous_mmap_is_counted(void **unused)
{
	(void)unused;
	struct zc_counts a, b, d;
	zc_counts_snapshot(&a);
	void *p = mmap(NULL, FRAME, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	munmap(p, FRAME);
	zc_counts_snapshot(&b);
	zc_counts_diff(&d, &b, &a);
	assert_int_equal(d.allocs, 1);
	assert_int_equal(d.frees, 1);
	assert_int_equal(d.frame_allocs, 1);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(allocator_is_linked),
		cmocka_unit_test(malloc_and_free_are_counted),
		cmocka_unit_test(aligned_allocations_are_counted),
		cmocka_unit_test(realloc_move_is_a_copy),
		cmocka_unit_test(anonymous_mmap_is_counted),
		cmocka_unit_test(copy_counts_agree_with_the_hook),
		cmocka_unit_test(threads_are_summed),
	};
	return cmocka_run_group_tests_name("instrument", tests, setup, NULL);
}
