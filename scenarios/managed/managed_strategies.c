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

/* In the units of the managed options, which write into it. */
struct config {
	unsigned long young_gen_mib; /* young generation */
	unsigned long app_alloc_kib; /* short-lived allocations of the rest of the app per frame */
	unsigned long keep;          /* frames the consumer keeps reachable, 1..ZC_MANAGED_KEEP_MAX */
};

/* The options' values, which every row reads through its argument (struct row). */
static struct config config = {
	.young_gen_mib = ZC_HEAP_YOUNG_DEFAULT >> 20,
	.app_alloc_kib = ZC_MANAGED_APP_BYTES_DEFAULT >> 10,
	.keep = ZC_MANAGED_KEEP_DEFAULT,
};

/* A row's argument (struct zc_strategy.arg): its mode and the configuration it runs with. */
struct row {
	enum mode mode;
	const struct config *cfg;
};

struct state {
	enum mode mode;
	size_t app_bytes_per_frame; /* the rest of the app's allocations per frame */
	struct zc_heap *heap;
	size_t bytes;
	uint64_t seq;
	uint64_t frames;
	unsigned keep, next;
	struct zc_heap_obj *shown[ZC_MANAGED_KEEP_MAX]; /* the frames the consumer keeps */
};

/* setup for every row: arg is its struct row. NULL with err. */
static void *setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	const struct row *row = arg;
	const struct config *cfg = row->cfg;
	struct state *s = zc_calloc(sizeof(*s), err);
	if (!s)
		return NULL;
	struct zc_heap_config hc = {.young_bytes = (size_t)cfg->young_gen_mib << 20};
	s->heap = zc_heap_create(&hc);
	if (!s->heap) {
		free(s);
		zc_error_errno(err, ENOMEM);
		return NULL;
	}
	s->mode = row->mode;
	s->app_bytes_per_frame = (size_t)cfg->app_alloc_kib << 10;
	s->bytes = g->bytes;
	s->keep = ZC_MANAGED_KEEP_DEFAULT; /* --keep checks its value, other callers may not */
	if (cfg->keep >= 1 && cfg->keep <= ZC_MANAGED_KEEP_MAX)
		s->keep = (unsigned)cfg->keep;
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
	zc_heap_alloc_garbage(s->heap, s->app_bytes_per_frame);
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
static const struct row rows[] = {
	{COPY, &config}, {EXTERNAL, &config}, {CLONE_SYNC, &config}, {EXTERNAL_UNSIZED, &config},
};

/*
 * Timed once the heap collected: before its first collection every frame is fresh memory
 * (external_unsized's collector runs only when the app's own bytes fill the young
 * generation), so a short run and a long one would time different things.
 */
static bool collected(void *st)
{
	const struct state *s = st;
	return zc_heap_stats(s->heap)->collections > 0;
}

/*
 * The four descriptors below look alike by design: each is a row of data (name, what it
 * mirrors, its row of the table above), not repeated logic.
 */
static const struct zc_strategy copy = {
	.name = "copy",
	.mirrors = "Dart_PostCObject with kTypedData: the VM copies the frame into its heap, the "
		   "sender frees its buffer",
	.expect_zero_copy = false,
	.setup = setup, .arg = &rows[COPY], .transfer = transfer, .release = release, .teardown = teardown,
	.extras = extras, .settled = collected,
};

static const struct zc_strategy external = {
	.name = "external",
	.mirrors = "Dart_PostCObject with kExternalTypedData + finalizer; Pointer.asTypedList with "
		   "NativeFinalizer.attach(externalSize:): the heap wraps the sender's buffer and "
		   "frees it at collection",
	.expect_zero_copy = true,
	.setup = setup, .arg = &rows[EXTERNAL], .transfer = transfer, .release = release, .teardown = teardown,
	.extras = extras, .settled = collected,
};

static const struct zc_strategy clone_sync = {
	.name = "clone_sync",
	.mirrors = "flutter_rust_bridge DCO codec in sync mode: Dart clones the external data into "
		   "its heap and runs the finalizer at once",
	.expect_zero_copy = false,
	.setup = setup, .arg = &rows[CLONE_SYNC], .transfer = transfer, .release = release,
	.teardown = teardown, .extras = extras, .settled = collected,
};

static const struct zc_strategy external_unsized = {
	.name = "external_unsized",
	.mirrors = "an external typed data whose finalizer was attached without externalSize: the "
		   "collector does not know the memory it holds and runs only for unrelated reasons",
	.expect_zero_copy = true,
	.setup = setup, .arg = &rows[EXTERNAL_UNSIZED], .transfer = transfer, .release = release,
	.teardown = teardown, .extras = extras, .settled = collected,
};

static const struct zc_strategy *const all[] = {&copy, &external, &clone_sync,
						 &external_unsized};

/* The help text's defaults and limits are those above. */
_Static_assert((ZC_MANAGED_APP_BYTES_DEFAULT >> 10) == 1024 && ZC_MANAGED_KEEP_DEFAULT == 2 &&
		       ZC_MANAGED_KEEP_MAX == 16 && ZC_HEAP_YOUNG_DEFAULT == 16u << 20,
	       "the managed options' help text is out of date");
static const struct zc_option options[] = {
	{.name = "--young-gen", .arg = "MIB", .kind = ZC_OPT_RANGE, .max = 1u << 16,
	 .value = &config.young_gen_mib,
	 .help = "young generation of the simulated heap (default 16)"},
	{.name = "--app-alloc", .arg = "KIB", .kind = ZC_OPT_RANGE, .max = 1u << 20,
	 .value = &config.app_alloc_kib,
	 .help = "short-lived allocations of the rest of the app per frame\n"
		 "(default 1024); they cause the unrelated collections"},
	{.name = "--keep", .arg = "N", .kind = ZC_OPT_RANGE, .max = ZC_MANAGED_KEEP_MAX,
	 .value = &config.keep,
	 .help = "frames the consumer keeps reachable (default 2, max 16)"},
	{0},
};

const struct zc_scenario zc_managed_scenario = {
	.name = "managed", .strategies = all, .nstrategies = ZC_COUNT(all), .options = options,
	.summary = "Hands frames to a simulated garbage-collected runtime: copied into its "
		   "heap or wrapped as external objects with finalizers.",
};

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
		"app_bytes_per_frame", (json_int_t)s->app_bytes_per_frame,
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
