/*
 * test_leaks.c: what validation (src/core/identity.c) calls a strategy's leak. Each strategy
 * here hands its frame over like move and leaves blocks behind the way a class of code does:
 * a leak (a block every transfer leaves, a frame-sized block) or what a runtime keeps (a block
 * allocated once, lazily; a block its own thread allocates). The blocks they "leave" are held
 * in a list the test frees after validation, outside the window counted, so that a sanitizer's
 * leak checker has nothing to say.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>

#include "frame.h"
#include "identity.h"
#include "instrument.h"

#define SMALL 48 /* bytes: a runtime's per-thread record, a message header */

/* The blocks left behind, freed by release_held() once validation has counted them. */
static void *held[64];
static size_t nheld;

static void hold(void *p)
{
	assert_non_null(p);
	assert_true(nheld < sizeof(held) / sizeof(held[0]));
	held[nheld++] = p;
}

static void release_held(void)
{
	while (nheld)
		free(held[--nheld]);
}

struct state {
	unsigned char *frame;
	size_t bytes;
	uint64_t seq;
	void *once;     /* once_on_first: the block it allocated on the first transfer */
	void *cache[8]; /* cache_until_teardown: a block per transfer, freed by teardown */
	size_t ncache;
};

static void *plain_setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	(void)arg;
	struct state *s = calloc(1, sizeof(*s));
	if (s)
		s->frame = malloc(g->bytes);
	if (!s || !s->frame) {
		free(s);
		zc_error_set(err, ZC_EXIT_NOMEM, "out of memory");
		return NULL;
	}
	s->bytes = g->bytes;
	return s;
}

static int plain_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	(void)err;
	struct state *s = st;
	if (render)
		zc_frame_render(s->frame, s->bytes, ++s->seq);
	else
		zc_frame_stamp(s->frame, s->bytes, ++s->seq);
	*v = (struct zc_view){.data = s->frame, .bytes = s->bytes, .seq = s->seq,
			      .producer = s->frame};
	return 0;
}

static void plain_release(void *st, struct zc_view *v)
{
	(void)st, (void)v;
}

static void plain_teardown(void *st)
{
	struct state *s = st;
	free(s->frame);
	free(s);
}

/* A header allocated for every hand-over and never freed: a leak of one block a transfer. */
static int leak_per_transfer_transfer(void *st, bool render, struct zc_view *v,
				      struct zc_error *err)
{
	hold(malloc(SMALL));
	return plain_transfer(st, render, v, err);
}

/* The same, in release: the consumer's side forgets a record each time. */
static void leak_in_release_release(void *st, struct zc_view *v)
{
	hold(malloc(SMALL));
	plain_release(st, v);
}

/* A spare frame allocated in setup and never given back: a frame-sized leak, once. */
static void *frame_in_setup_setup(const struct zc_frame_geom *g, const void *arg,
				  struct zc_error *err)
{
	void *st = plain_setup(g, arg, err);
	if (st)
		hold(malloc(g->bytes));
	return st;
}

/* A copy of every frame, never freed: a frame-sized leak per transfer. */
static int frame_per_transfer_transfer(void *st, bool render, struct zc_view *v,
				       struct zc_error *err)
{
	struct state *s = st;
	hold(malloc(s->bytes));
	return plain_transfer(st, render, v, err);
}

/* What a runtime allocates once on the caller's thread and keeps, in setup. */
static void *once_in_setup_setup(const struct zc_frame_geom *g, const void *arg,
				 struct zc_error *err)
{
	void *st = plain_setup(g, arg, err);
	if (st)
		hold(malloc(SMALL));
	return st;
}

/* The same on the first transfer, as JNI's per-thread data is the first time a thread calls in. */
static int once_on_first_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	if (!s->once) {
		s->once = malloc(SMALL);
		hold(s->once);
	}
	return plain_transfer(st, render, v, err);
}

/* A block per transfer kept in a cache that teardown empties: no leak. */
static int cache_until_teardown_transfer(void *st, bool render, struct zc_view *v,
					 struct zc_error *err)
{
	struct state *s = st;
	assert_true(s->ncache < sizeof(s->cache) / sizeof(s->cache[0]));
	s->cache[s->ncache] = malloc(SMALL);
	assert_non_null(s->cache[s->ncache]);
	s->ncache++;
	return plain_transfer(st, render, v, err);
}

static void cache_until_teardown_teardown(void *st)
{
	struct state *s = st;
	while (s->ncache)
		free(s->cache[--s->ncache]);
	plain_teardown(st);
}

/*
 * A runtime's own thread, running before setup (a JIT's compiler): each transfer has it
 * allocate a block it keeps. Its blocks are the runtime's, whatever they are.
 */
static struct runtime {
	pthread_t thread;
	sem_t work, done;
	bool stop;
} runtime;

static void *runtime_loop(void *arg)
{
	(void)arg;
	/* It counts before the mark, as a runtime's thread started earlier (kept from gcc). */
	void *volatile first = malloc(SMALL);
	free(first);
	sem_post(&runtime.done);
	for (;;) {
		sem_wait(&runtime.work);
		if (runtime.stop)
			return NULL;
		hold(malloc(SMALL));
		sem_post(&runtime.done);
	}
}

static int runtime_thread_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	sem_post(&runtime.work);
	sem_wait(&runtime.done);
	return plain_transfer(st, render, v, err);
}

#define ADVERSARY(id, setup_fn, transfer_fn, release_fn, teardown_fn)                     \
	static const struct zc_strategy id = {                                           \
		.name = #id, .mirrors = "test only", .expect_zero_copy = true,            \
		.setup = setup_fn, .transfer = transfer_fn, .release = release_fn,        \
		.teardown = teardown_fn,                                                  \
	}
ADVERSARY(plain, plain_setup, plain_transfer, plain_release, plain_teardown);
ADVERSARY(leak_per_transfer, plain_setup, leak_per_transfer_transfer, plain_release,
	  plain_teardown);
ADVERSARY(leak_in_release, plain_setup, plain_transfer, leak_in_release_release,
	  plain_teardown);
ADVERSARY(frame_in_setup, frame_in_setup_setup, plain_transfer, plain_release, plain_teardown);
ADVERSARY(frame_per_transfer, plain_setup, frame_per_transfer_transfer, plain_release,
	  plain_teardown);
/* Both at once: a frame in setup and a small block each transfer. */
ADVERSARY(frame_and_small, frame_in_setup_setup, leak_per_transfer_transfer, plain_release,
	  plain_teardown);
ADVERSARY(once_in_setup, once_in_setup_setup, plain_transfer, plain_release, plain_teardown);
ADVERSARY(once_on_first, plain_setup, once_on_first_transfer, plain_release, plain_teardown);
ADVERSARY(cache_until_teardown, plain_setup, cache_until_teardown_transfer, plain_release,
	  cache_until_teardown_teardown);
ADVERSARY(runtime_thread, plain_setup, runtime_thread_transfer, plain_release, plain_teardown);

#define T ZC_VALIDATION_FRAMES

/* What validation must say of each: the strategy's leak, the blocks kept, the runtime's. */
static const struct leak_case {
	const struct zc_strategy *s;
	int64_t leak, kept, runtime;
} cases[] = {
	{&plain, 0, 0, 0},
	{&leak_per_transfer, T, 0, 0},
	{&leak_in_release, T, 0, 0},
	{&frame_in_setup, 1, 0, 0},
	{&frame_per_transfer, T, 0, 0},
	{&frame_and_small, 1 + T, 0, 0},
	{&once_in_setup, 0, 1, 0},
	{&once_on_first, 0, 1, 0},
	{&cache_until_teardown, 0, 0, 0},
	{&runtime_thread, 0, 0, T},
};

static struct zc_frame_geom geom;

static int setup(void **unused)
{
	(void)unused;
	struct zc_error err = {0};
	if (zc_frame_geom_init(&geom, 64, 64, &err) != 0)
		return -1;
	zc_instrument_set_frame_bytes(geom.bytes);
	if (sem_init(&runtime.work, 0, 0) != 0 || sem_init(&runtime.done, 0, 0) != 0 ||
	    pthread_create(&runtime.thread, NULL, runtime_loop, NULL) != 0)
		return -1;
	sem_wait(&runtime.done);
	/* What the C library allocates once and keeps, on validation's first run, is done. */
	struct zc_validation val;
	if (zc_identity_validate(&plain, &geom, &val, &err) != 0)
		return -1;
	release_held();
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	runtime.stop = true;
	sem_post(&runtime.work);
	pthread_join(runtime.thread, NULL);
	sem_destroy(&runtime.work);
	sem_destroy(&runtime.done);
	return 0;
}

static void allocator_is_linked(void **unused)
{
	(void)unused;
	assert_true(zc_instrument_allocator_linked());
}

static void leaks_are_the_strategys_own(void **unused)
{
	(void)unused;
	int bad = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct leak_case *c = &cases[i];
		struct zc_validation val;
		struct zc_error err = {0};
		int rc = zc_identity_validate(c->s, &geom, &val, &err);
		release_held();
		if (rc != 0)
			fail_msg("%s: validation failed: %s", c->s->name, err.text);
		if (val.live_at_end == c->leak && val.kept_at_end == c->kept &&
		    val.runtime_live_at_end == c->runtime && val.id.checksum_ok)
			continue;
		print_error("%s: leak %lld kept %lld runtime %lld, want %lld %lld %lld\n",
			    c->s->name, (long long)val.live_at_end, (long long)val.kept_at_end,
			    (long long)val.runtime_live_at_end, (long long)c->leak,
			    (long long)c->kept, (long long)c->runtime);
		bad++;
	}
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(allocator_is_linked),
		cmocka_unit_test(leaks_are_the_strategys_own),
	};
	return cmocka_run_group_tests_name("leaks", tests, setup, teardown);
}
