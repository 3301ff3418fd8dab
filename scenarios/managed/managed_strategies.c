/*
 * managed_strategies.c: copy, external, clone_sync and external_unsized: the ways a native
 * producer (Rust) hands a frame to a garbage-collected consumer (the Dart VM), on top of the
 * simulated heap of heap.c, and the "gc" figures each one leaves behind.
 *
 * The producer allocates and fills a fresh frame for every transfer (a Vec handed over), and
 * touches every page of it, so that frames held alive are really resident and the peak RSS
 * counts them.
 */
#include "managed_strategies.h"

#include <errno.h>
#include <stdlib.h>

#include "heap.h"
#include "instrument.h"

#define PAGE 4096u

enum mode { COPY, EXTERNAL, CLONE_SYNC, EXTERNAL_UNSIZED };

struct state {
	enum mode mode;
	struct zc_heap *heap;
	size_t bytes;
	uint64_t seq;
	uint64_t frames;
	unsigned keep, next;
	struct zc_heap_obj *shown[ZC_MANAGED_KEEP_MAX]; /* the frames the consumer keeps */
};

static const struct zc_managed_config defaults = {
	.young_gen_mib = 0,
	.app_alloc_kib = ZC_MANAGED_APP_BYTES_DEFAULT >> 10,
	.keep = ZC_MANAGED_KEEP_DEFAULT,
};
static const struct zc_managed_config *config = &defaults;

void zc_managed_configure(const struct zc_managed_config *cfg)
{
	config = cfg;
}

const struct zc_managed_config *zc_managed_config(void)
{
	return config;
}

static size_t app_bytes_per_frame(void)
{
	return (size_t)config->app_alloc_kib << 10;
}

/* setup for every row: arg is its enum mode. NULL with err. */
static void *setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	const enum mode mode = *(const enum mode *)arg;
	struct state *s = calloc(1, sizeof(*s));
	if (!s) {
		zc_error_errno(err, ENOMEM);
		return NULL;
	}
	struct zc_heap_config hc = {.young_bytes = (size_t)config->young_gen_mib << 20};
	s->heap = zc_heap_create(&hc);
	if (!s->heap) {
		free(s);
		zc_error_errno(err, ENOMEM);
		return NULL;
	}
	s->mode = mode;
	s->bytes = g->bytes;
	s->keep = ZC_MANAGED_KEEP_DEFAULT; /* --keep checks its value, other callers may not */
	if (config->keep >= 1 && config->keep <= ZC_MANAGED_KEEP_MAX)
		s->keep = (unsigned)config->keep;
	return s;
}

static void teardown(void *st)
{
	struct state *s = st;
	zc_heap_destroy(s->heap);
	free(s);
}

/* The producer's next frame: a fresh buffer, rendered, or touched on every page and stamped. */
static unsigned char *produce(struct state *s, bool render)
{
	unsigned char *p = malloc(s->bytes);
	if (!p)
		return NULL;
	s->seq++;
	if (render) {
		zc_frame_render(p, s->bytes, s->seq);
		return p;
	}
	for (size_t i = 0; i < s->bytes; i += PAGE)
		p[i] = (unsigned char)s->seq;
	zc_frame_stamp(p, s->bytes, s->seq);
	return p;
}

static void free_frame(void *peer)
{
	free(peer);
}

/* The consumer shows o: keeps it reachable and drops the oldest frame it kept. */
static void show(struct state *s, struct zc_heap_obj *o)
{
	zc_heap_root(o);
	struct zc_heap_obj **slot = &s->shown[s->next];
	if (*slot)
		zc_heap_unroot(*slot);
	*slot = o;
	s->next = (s->next + 1) % s->keep;
}

/* copy and clone_sync: the frame is copied into a typed-data object of the heap. */
static struct zc_heap_obj *copy_in(struct state *s, const unsigned char *frame)
{
	struct zc_heap_obj *o = zc_heap_alloc_typed(s->heap, s->bytes);
	if (o)
		zc_copy(o->data, frame, s->bytes);
	return o;
}

/* external and external_unsized: the heap wraps the producer's frame. */
static struct zc_heap_obj *wrap(struct state *s, unsigned char *frame)
{
	size_t reported = s->mode == EXTERNAL ? s->bytes : 0;
	return zc_heap_alloc_external(s->heap, frame, s->bytes, reported, free_frame, frame);
}

static int transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	unsigned char *frame = produce(s, render);
	if (!frame)
		return zc_error_errno(err, errno);
	bool wraps = s->mode == EXTERNAL || s->mode == EXTERNAL_UNSIZED;
	struct zc_heap_obj *o = wraps ? wrap(s, frame) : copy_in(s, frame);
	if (!o) {
		free(frame);
		return zc_error_errno(err, errno);
	}
	show(s, o);
	zc_heap_alloc_garbage(s->heap, app_bytes_per_frame());
	s->frames++;
	/* Read o->data last: the app's allocation may have moved the frame to the old generation. */
	*v = (struct zc_view){.data = o->data, .bytes = s->bytes, .seq = s->seq, .producer = frame,
			      .token = wraps ? NULL : frame};
	return 0;
}

/*
 * copy: the sender frees its buffer once the post returned (kept until here so that the
 * identity probe can write to it). clone_sync: the finalizer of the cloned external data runs
 * as soon as the synchronous call returns.
 */
static void release(void *st, struct zc_view *v)
{
	struct state *s = st;
	if (!v->token)
		return;
	if (s->mode == CLONE_SYNC)
		zc_heap_run_finalizer(s->heap, free_frame, v->token);
	else
		free(v->token);
}

static void extras(void *st, const struct zc_result *res, json_t *extra);
static const enum mode modes[] = {COPY, EXTERNAL, CLONE_SYNC, EXTERNAL_UNSIZED};

static const struct zc_strategy copy = {
	.name = "copy",
	.mirrors = "Dart_PostCObject with kTypedData: the VM copies the frame into its heap, the "
		   "sender frees its buffer",
	.expect_zero_copy = false,
	.setup = setup, .arg = &modes[COPY], .transfer = transfer, .release = release, .teardown = teardown,
	.extras = extras,
};

static const struct zc_strategy external = {
	.name = "external",
	.mirrors = "Dart_PostCObject with kExternalTypedData + finalizer; Pointer.asTypedList with "
		   "NativeFinalizer.attach(externalSize:): the heap wraps the sender's buffer and "
		   "frees it at collection",
	.expect_zero_copy = true,
	.setup = setup, .arg = &modes[EXTERNAL], .transfer = transfer, .release = release, .teardown = teardown,
	.extras = extras,
};

static const struct zc_strategy clone_sync = {
	.name = "clone_sync",
	.mirrors = "flutter_rust_bridge DCO codec in sync mode: Dart clones the external data into "
		   "its heap and runs the finalizer at once",
	.expect_zero_copy = false,
	.setup = setup, .arg = &modes[CLONE_SYNC], .transfer = transfer, .release = release,
	.teardown = teardown, .extras = extras,
};

static const struct zc_strategy external_unsized = {
	.name = "external_unsized",
	.mirrors = "an external typed data whose finalizer was attached without externalSize: the "
		   "collector does not know the memory it holds and runs only for unrelated reasons",
	.expect_zero_copy = true,
	.setup = setup, .arg = &modes[EXTERNAL_UNSIZED], .transfer = transfer, .release = release,
	.teardown = teardown, .extras = extras,
};

static const struct zc_strategy *const all[] = {&copy, &external, &clone_sync,
						 &external_unsized};

const struct zc_strategy *const *zc_managed_strategies(size_t *n)
{
	*n = sizeof(all) / sizeof(all[0]);
	return all;
}

static double per(uint64_t n, uint64_t frames, double scale)
{
	return frames ? (double)n * scale / (double)frames : 0.0;
}

static json_t *causes_json(const struct zc_heap_stats *hs)
{
	json_t *o = json_object();
	for (int c = 0; c < ZC_GC_CAUSES; c++)
		json_object_set_new(o, zc_gc_cause_name(c), json_integer((json_int_t)hs->by_cause[c]));
	return o;
}

/* The collector's figures over every transfer the strategy's benchmark state made. */
static json_t *gc_json(const struct state *s, const struct zc_result *res)
{
	const struct zc_heap_stats *hs = zc_heap_stats(s->heap);
	const struct zc_heap_config *hc = zc_heap_config(s->heap);
	uint64_t n = s->frames;
	json_t *gc = json_pack(
		"{s:I, s:I, s:f, s:o, s:I, s:f, s:I, s:I, s:I, s:I}",
		"frames", (json_int_t)n,
		"collections", (json_int_t)hs->collections,
		"collections_per_100_frames", per(hs->collections, n, 100.0),
		"collections_by_cause", causes_json(hs),
		"bytes_copied_by_gc", (json_int_t)hs->bytes_copied,
		"bytes_copied_by_gc_per_frame", per(hs->bytes_copied, n, 1.0),
		"payload_bytes_copied_by_gc", (json_int_t)hs->payload_bytes_copied,
		"finalizers_run", (json_int_t)hs->finalizers_run,
		"frames_alive_at_peak", (json_int_t)hs->objects_alive_peak,
		"payload_bytes_alive_at_peak", (json_int_t)hs->payload_bytes_alive_peak);
	if (!gc)
		return NULL;
	json_t *more = json_pack(
		"{s:f, s:f, s:I, s:I, s:I, s:I, s:I}",
		"young_payload_bytes_per_frame", per(hs->young_payload_bytes, n, 1.0),
		"external_bytes_reported_per_frame", per(hs->external_reported, n, 1.0),
		"young_gen_bytes", (json_int_t)hc->young_bytes,
		"external_limit_bytes", (json_int_t)hc->external_limit,
		"app_bytes_per_frame", (json_int_t)app_bytes_per_frame(),
		"frames_kept", (json_int_t)s->keep,
		"rss_peak_kib", (json_int_t)res->mem.rss_peak_kib);
	if (!more || json_object_update(gc, more) != 0) {
		json_decref(more);
		json_decref(gc);
		return NULL;
	}
	json_decref(more);
	return gc;
}

/* "gc": what the simulated collector did for these transfers. */
static void extras(void *st, const struct zc_result *res, json_t *extra)
{
	json_t *gc = gc_json(st, res);
	if (gc)
		json_object_set_new(extra, "gc", gc);
}
