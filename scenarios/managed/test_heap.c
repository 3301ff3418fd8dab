/*
 * test_heap.c: the simulated managed heap on its own: when collections run, what survives and
 * is copied, when finalizers run.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "heap.h"

#define KIB 1024u
#define FRAME (400u * KIB)
#define FRAMES 10

static int finalized;

static void count_finalizer(void *peer)
{
	finalized++;
	free(peer);
}

/* Moves FRAMES frames in, keeping the last two rooted like the managed scenario's consumer. */
static void feed(struct zc_heap *h, int external, size_t reported)
{
	struct zc_heap_obj *kept[2] = {0};
	for (int i = 0; i < FRAMES; i++) {
		struct zc_heap_obj *o;
		if (external)
			o = zc_heap_alloc_external(h, malloc(FRAME), FRAME, reported,
						   count_finalizer, NULL);
		else
			o = zc_heap_alloc_typed(h, FRAME);
		assert_non_null(o);
		if (external)
			o->peer = o->data;
		zc_heap_root(o);
		if (kept[i % 2])
			zc_heap_unroot(kept[i % 2]);
		kept[i % 2] = o;
	}
}

static struct zc_heap *heap_of(size_t young)
{
	struct zc_heap_config cfg = {.young_bytes = young};
	struct zc_heap *h = zc_heap_create(&cfg);
	assert_non_null(h);
	finalized = 0;
	return h;
}

/* Two frames fit in 1 MiB: every third allocation collects, and the two kept ones are copied. */
static void test_typed_data_fills_the_young_generation(void **state)
{
	(void)state;
	struct zc_heap *h = heap_of(1024 * KIB);
	feed(h, 0, 0);
	const struct zc_heap_stats *s = zc_heap_stats(h);
	assert_int_equal(s->collections, 4); /* before frames 3, 5, 7 and 9 */
	assert_int_equal(s->by_cause[ZC_GC_YOUNG_FULL], 4);
	assert_int_equal(s->payload_bytes_copied, 4 * 2 * FRAME);
	assert_int_equal(s->bytes_copied, 4 * 2 * (FRAME + ZC_HEAP_TYPED_HEADER));
	assert_int_equal(s->finalizers_run, 0);
	assert_int_equal(s->young_payload_bytes, FRAMES * FRAME);
	zc_heap_destroy(h);
}

/* Reported external sizes collect as often, but copy no payload, and finalizers free frames. */
static void test_reported_external_size_collects(void **state)
{
	(void)state;
	struct zc_heap *h = heap_of(1024 * KIB);
	feed(h, 1, FRAME);
	const struct zc_heap_stats *s = zc_heap_stats(h);
	assert_int_equal(s->by_cause[ZC_GC_EXTERNAL_SIZE], 4);
	assert_int_equal(s->by_cause[ZC_GC_YOUNG_FULL], 0);
	assert_int_equal(s->payload_bytes_copied, 0);
	assert_int_equal(s->young_payload_bytes, 0);
	/* The last collection (before frame 9) finds frames 1 to 6 unreachable. */
	assert_int_equal(finalized, 6);
	assert_int_equal(s->objects_alive, FRAMES - 6);
	zc_heap_destroy(h);
	assert_int_equal(finalized, FRAMES);
}

/* Unsized external objects never trigger a collection: every frame stays until teardown. */
static void test_unsized_external_objects_pile_up(void **state)
{
	(void)state;
	struct zc_heap *h = heap_of(1024 * KIB);
	feed(h, 1, 0);
	const struct zc_heap_stats *s = zc_heap_stats(h);
	assert_int_equal(s->collections, 0);
	assert_int_equal(finalized, 0);
	assert_int_equal(s->objects_alive_peak, FRAMES);
	zc_heap_alloc_garbage(h, 1024 * KIB); /* an unrelated collection */
	assert_int_equal(s->collections, 1);
	assert_int_equal(finalized, FRAMES - 2);
	zc_heap_destroy(h);
	assert_int_equal(finalized, FRAMES);
}

/* Objects larger than the young generation live in the old one and collect by their bytes. */
static void test_large_objects_skip_the_young_generation(void **state)
{
	(void)state;
	struct zc_heap *h = heap_of(256 * KIB);
	feed(h, 0, 0);
	const struct zc_heap_stats *s = zc_heap_stats(h);
	assert_int_equal(s->young_payload_bytes, 0);
	assert_int_equal(s->by_cause[ZC_GC_LARGE_OBJECTS], FRAMES - 1);
	assert_int_equal(s->payload_bytes_copied, 0);
	assert_true(s->objects_alive_peak <= 3);
	zc_heap_destroy(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typed_data_fills_the_young_generation),
		cmocka_unit_test(test_reported_external_size_collects),
		cmocka_unit_test(test_unsized_external_objects_pile_up),
		cmocka_unit_test(test_large_objects_skip_the_young_generation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
