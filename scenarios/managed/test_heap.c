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

/* A figure a case leaves unchecked. */
#define ANY (-1)

/*
 * One case: a heap of young bytes fed FRAMES frames (typed, or external reporting reported
 * bytes), then the figures it must show; ANY leaves a figure unchecked.
 */
struct heap_case {
	const char *name;
	size_t young;
	int external;
	size_t reported;
	long long collections, young_full, external_size, large_objects;
	long long payload_copied, bytes_copied, young_payload, finalizers_run, finalized;
	long long alive, alive_peak;
	long long alive_peak_at_most;
	long long finalized_after_garbage; /* an unrelated collection: what it finalizes by then */
	long long finalized_at_teardown;
};

static const struct heap_case cases[] = {
	/* Two frames fit in 1 MiB: every third allocation collects, and the two kept ones are
	 * copied. Collections run before frames 3, 5, 7 and 9. */
	{"typed data fills the young generation", 1024 * KIB, 0, 0,
	 .collections = 4, .young_full = 4, .external_size = ANY, .large_objects = ANY,
	 .payload_copied = 4 * 2 * FRAME, .bytes_copied = 4 * 2 * (FRAME + ZC_HEAP_TYPED_HEADER),
	 .young_payload = FRAMES * FRAME, .finalizers_run = 0, .finalized = ANY, .alive = ANY,
	 .alive_peak = ANY,
	 .alive_peak_at_most = ANY, .finalized_after_garbage = ANY, .finalized_at_teardown = ANY},
	/* Reported external sizes collect as often, but copy no payload, and finalizers free
	 * frames: the last collection (before frame 9) finds frames 1 to 6 unreachable. */
	{"reported external size collects", 1024 * KIB, 1, FRAME,
	 .collections = ANY, .young_full = 0, .external_size = 4, .large_objects = ANY,
	 .payload_copied = 0, .bytes_copied = ANY, .young_payload = 0, .finalizers_run = ANY,
	 .finalized = 6,
	 .alive = FRAMES - 6, .alive_peak = ANY, .alive_peak_at_most = ANY,
	 .finalized_after_garbage = ANY, .finalized_at_teardown = FRAMES},
	/* Unsized external objects never trigger a collection: every frame stays until teardown
	 * or an unrelated collection. */
	{"unsized external objects pile up", 1024 * KIB, 1, 0,
	 .collections = 0, .young_full = ANY, .external_size = ANY, .large_objects = ANY,
	 .payload_copied = ANY, .bytes_copied = ANY, .young_payload = ANY, .finalizers_run = ANY,
	 .finalized = 0,
	 .alive = ANY, .alive_peak = FRAMES, .alive_peak_at_most = ANY,
	 .finalized_after_garbage = FRAMES - 2, .finalized_at_teardown = FRAMES},
	/* Objects larger than the young generation live in the old one and collect by their
	 * bytes. */
	{"large objects skip the young generation", 256 * KIB, 0, 0,
	 .collections = ANY, .young_full = ANY, .external_size = ANY, .large_objects = FRAMES - 1,
	 .payload_copied = 0, .bytes_copied = ANY, .young_payload = 0, .finalizers_run = ANY,
	 .finalized = ANY,
	 .alive = ANY, .alive_peak = ANY, .alive_peak_at_most = 3,
	 .finalized_after_garbage = ANY, .finalized_at_teardown = ANY},
};

/* Fails naming the case and the figure when want is not ANY and got differs from it. */
static void expect(const struct heap_case *c, const char *what, uint64_t got, long long want)
{
	if (want != ANY && got != (uint64_t)want)
		fail_msg("%s: %s is %llu, want %lld", c->name, what, (unsigned long long)got, want);
}

static void check_case(const struct heap_case *c)
{
	struct zc_heap *h = heap_of(c->young);
	feed(h, c->external, c->reported);
	const struct zc_heap_stats *s = zc_heap_stats(h);
	expect(c, "collections", s->collections, c->collections);
	expect(c, "young_full", s->by_cause[ZC_GC_YOUNG_FULL], c->young_full);
	expect(c, "external_size", s->by_cause[ZC_GC_EXTERNAL_SIZE], c->external_size);
	expect(c, "large_objects", s->by_cause[ZC_GC_LARGE_OBJECTS], c->large_objects);
	expect(c, "payload_bytes_copied", s->payload_bytes_copied, c->payload_copied);
	expect(c, "bytes_copied", s->bytes_copied, c->bytes_copied);
	expect(c, "young_payload_bytes", s->young_payload_bytes, c->young_payload);
	expect(c, "finalized", (uint64_t)finalized, c->finalized);
	expect(c, "finalizers_run", s->finalizers_run, c->finalizers_run);
	expect(c, "objects_alive", s->objects_alive, c->alive);
	expect(c, "objects_alive_peak", s->objects_alive_peak, c->alive_peak);
	if (c->alive_peak_at_most != ANY && s->objects_alive_peak > (uint64_t)c->alive_peak_at_most)
		fail_msg("%s: objects_alive_peak %llu", c->name,
			 (unsigned long long)s->objects_alive_peak);
	if (c->finalized_after_garbage != ANY) {
		zc_heap_alloc_garbage(h, 1024 * KIB);
		expect(c, "collections after garbage", s->collections, 1);
		expect(c, "finalized after garbage", (uint64_t)finalized,
		       c->finalized_after_garbage);
	}
	zc_heap_destroy(h);
	expect(c, "finalized at teardown", (uint64_t)finalized, c->finalized_at_teardown);
}

static void test_heap_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_heap_cases)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
