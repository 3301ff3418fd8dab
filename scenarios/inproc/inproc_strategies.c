/*
 * inproc_strategies.c: the seven ways a synchronous FFI call can hand a frame over, each on top of the
 * producer library's C ABI. The consumer side of each (what the Dart VM, the JVM or CPython
 * would do) is written here; the producer side lives in the library.
 */
#include "inproc_strategies.h"
#include "inproc_state.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "beside.h"
#include "quote.h"
#include "gbench.h"
#include "instrument.h"

#define POOL_SLOTS 3

/*
 * The producer libraries, loaded once by the program (zc_inproc_open) before any strategy is
 * set up; a row's argument (struct zc__inproc_row) names the one it runs on.
 */
static struct zc_producer_api c_producer, rust_producer;
static void *c_library, *rust_library;

int zc_inproc_open(struct zc_error *err)
{
	if (zc_producer_load("../lib/libzcproducer.so", &c_producer, &c_library, err) != 0)
		return -1;
	if (zc_producer_load("../lib/libzcproducer_rust.so", &rust_producer, &rust_library,
			     err) != 0) {
		zc_inproc_close();
		return -1;
	}
	return 0;
}

void zc_inproc_close(void)
{
	if (rust_library)
		dlclose(rust_library);
	if (c_library)
		dlclose(c_library);
	rust_library = c_library = NULL;
}

int zc_producer_load(const char *rel, struct zc_producer_api *out, void **handle,
		     struct zc_error *err)
{
	union {
		void *obj;
		zcp_get_api_fn fn;
	} sym;
	void *h = zc_beside_load(rel, ZCP_GET_API_SYMBOL, &sym.obj, err);
	if (!h)
		return -1;
	if (sym.fn(ZC_PRODUCER_ABI, out) != 0) {
		dlclose(h);
		return zc_error_set(err, ZC_EXIT_RUNTIME, "'%s' is not a zcbench producer of ABI %d",
				    rel, ZC_PRODUCER_ABI);
	}
	*handle = h;
	return 0;
}

void *zc__inproc_setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	const struct zc__inproc_row *row = arg;
	const struct zc_producer_api *api = row->producer;
	struct state *s = zc_calloc(sizeof(*s), err);
	if (!s)
		return NULL;
	s->api = api;
	s->bytes = g->bytes;
	s->producer = api->open(g->bytes, row->pool_slots);
	if (row->buffer)
		s->buffer = malloc(g->bytes);
	if (!s->producer || (row->buffer && !s->buffer)) {
		api->close(s->producer);
		free(s->buffer);
		free(s);
		zc_error_errno(err, ENOMEM);
		return NULL;
	}
	return s;
}

/* The rows' arguments: which producer, its pool, and whether a frame-sized buffer is kept. */
static const struct zc__inproc_row plain = {.producer = &c_producer};
const struct zc__inproc_row zc__inproc_with_buffer = {.producer = &c_producer, .buffer = true};
static const struct zc__inproc_row pooled = {.producer = &c_producer, .pool_slots = POOL_SLOTS};
static const struct zc__inproc_row rust_plain = {.producer = &rust_producer};
static const struct zc__inproc_row rust_pooled = {.producer = &rust_producer,
						  .pool_slots = POOL_SLOTS};

void zc__inproc_teardown(void *st)
{
	struct state *s = st;
	s->api->close(s->producer);
	free(s->buffer);
	free(s);
}

/* copy: the receiver allocates and copies; the sender keeps its frame. */
static int copy_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	unsigned char *src = s->api->next_frame(s->producer, ++s->seq, render);
	unsigned char *dst = src ? malloc(s->bytes) : NULL;
	if (!dst)
		return zc_error_errno(err, errno);
	zc_copy(dst, src, s->bytes);
	*v = (struct zc_view){.data = dst, .bytes = s->bytes, .seq = s->seq, .producer = src};
	return 0;
}

static void free_view(void *st, struct zc_view *v)
{
	(void)st;
	free((void *)v->data);
}

/* copy_into: the receiver copies into one buffer it reuses for every frame. */
static int copy_into_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	unsigned char *src = s->api->next_frame(s->producer, ++s->seq, render);
	if (!src)
		return zc_error_errno(err, errno);
	zc_copy(s->buffer, src, s->bytes);
	*v = (struct zc_view){.data = s->buffer, .bytes = s->bytes, .seq = s->seq, .producer = src};
	return 0;
}

static void nothing_to_release(void *st, struct zc_view *v)
{
	(void)st;
	(void)v;
}

/* serialize: the producer encodes byte by byte, the receiver decodes into a fresh buffer. */
static int serialize_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	size_t len;
	unsigned char *msg = s->api->encode_frame(s->producer, ++s->seq, render, &len);
	if (!msg)
		return zc_error_errno(err, errno);
	zc_count_copy(len); /* the encoder's byte loop */
	unsigned char *dst = len >= 4 ? malloc(len - 4) : NULL;
	if (!dst) {
		s->api->free_message(msg);
		return zc_error_errno(err, errno);
	}
	zc_copy(dst, msg + 4, len - 4); /* Uint8List.fromList */
	s->api->free_message(msg);
	*v = (struct zc_view){.data = dst, .bytes = len - 4, .seq = s->seq,
			      .producer = s->api->next_frame(s->producer, s->seq, 0)};
	return 0;
}

/* borrow: a view of the producer's frame, valid until the call ends. */
static int borrow_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	unsigned char *p = s->api->lend_frame(s->producer, ++s->seq, render);
	if (!p)
		return zc_error_errno(err, errno);
	*v = (struct zc_view){.data = p, .bytes = s->bytes, .seq = s->seq, .producer = p};
	return 0;
}

static void borrow_release(void *st, struct zc_view *v)
{
	struct state *s = st;
	(void)v;
	s->api->end_lend(s->producer);
}

/* move: ownership passes with a release callback the consumer calls exactly once. */
int zc__inproc_take(struct state *s, bool render, struct zc_view *v)
{
	unsigned char *p = s->api->take_frame(s->producer, ++s->seq, render, &s->release,
					   &s->release_ctx);
	if (!p)
		return -1;
	*v = (struct zc_view){.data = p, .bytes = s->bytes, .seq = s->seq, .producer = p};
	return 0;
}

static int move_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	unsigned char *p = (unsigned char *)v->data;
	(void)p;
#ifdef ZCBENCH_INJECT_MOVE_COPY
	/*
	 * Test-only (the gate's end-to-end test): a regression that copies the frame once more,
	 * in the C move row (its argument gives it the buffer; the Rust rows have none).
	 */
	if (s->buffer)
		zc_copy(s->buffer, p, s->bytes);
#endif
	return 0;
}

void zc__inproc_move_release(void *st, struct zc_view *v)
{
	struct state *s = st;
	s->release(s->release_ctx, (unsigned char *)v->data);
}

static size_t vec_capacity(size_t bytes);

/* move_vec: a Vec<u8>'s parts (pointer, length, capacity) pass; the producer rebuilds it. */
static int move_vec_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	size_t capacity = vec_capacity(s->bytes);
	unsigned char *p = s->api->take_vec(s->producer, ++s->seq, render, &capacity);
	if (!p)
		return zc_error_errno(err, errno);
	*v = (struct zc_view){.data = p, .bytes = s->bytes, .seq = s->seq, .producer = p,
			      .token = (void *)(uintptr_t)capacity};
	return 0;
}

static void move_vec_release(void *st, struct zc_view *v)
{
	struct state *s = st;
	s->api->release_vec(s->producer, (unsigned char *)v->data, v->bytes,
			    (size_t)(uintptr_t)v->token);
}

/* shrink_then_move: the Vec is shrunk to the frame (a realloc), then moves like move. */
static int shrink_then_move_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	unsigned char *p = s->api->take_shrunk(s->producer, ++s->seq, render,
					       vec_capacity(s->bytes), &s->release, &s->release_ctx);
	if (!p)
		return zc_error_errno(err, errno);
	*v = (struct zc_view){.data = p, .bytes = s->bytes, .seq = s->seq, .producer = p};
	return 0;
}

#ifdef ZCBENCH_INJECT_MOVE_COPY
#define MOVE_ROW zc__inproc_with_buffer
#else
#define MOVE_ROW plain
#endif

#ifdef ZCBENCH_ADVERSARIAL
#define ADVERSARIES , ZC__INPROC_ADVERSARIES, ZC__INPROC_PROVENANCE_ADVERSARIES, \
	ZC__INPROC_LIFETIME_ADVERSARIES, ZC__INPROC_PROCESS_ADVERSARIES
#else
#define ADVERSARIES
#endif

/* shared: a reference-counted frame held by both sides. */
static int shared_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	struct zcp_arc *a = s->api->share_frame(s->producer, ++s->seq, render);
	if (!a)
		return zc_error_errno(err, errno);
	unsigned char *p = s->api->arc_data(a);
	*v = (struct zc_view){.data = p, .bytes = s->bytes, .seq = s->seq, .producer = p, .token = a};
	return 0;
}

static void shared_release(void *st, struct zc_view *v)
{
	struct state *s = st;
	s->api->arc_drop(v->token);
}

/* pool: frames recycled through a fixed ring; nothing allocated in the steady state. */
static int pool_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	unsigned char *p;
	int slot = s->api->pool_fill(s->producer, ++s->seq, render, &p);
	if (slot < 0)
		return zc_error_errno(err, errno);
	*v = (struct zc_view){.data = p, .bytes = s->bytes, .seq = s->seq, .producer = p,
			      .token = (void *)(intptr_t)slot};
	return 0;
}

static void pool_release(void *st, struct zc_view *v)
{
	struct state *s = st;
	s->api->pool_return(s->producer, (int)(intptr_t)v->token);
}

static const struct zc_strategy copy = {
	.name = "copy",
	.mirrors = "Dart_PostCObject with kTypedData; JNI Get<Type>ArrayRegion; Python bytes(): "
		   "the receiver allocates and copies, the sender keeps and frees its buffer",
	.expect_zero_copy = false,
	.setup = zc__inproc_setup, .arg = &plain, .transfer = copy_transfer, .release = free_view, .teardown = zc__inproc_teardown,
};

static const struct zc_strategy copy_into = {
	.name = "copy_into",
	.mirrors = "copying into a receiver buffer reused across frames "
		   "(JNI Get<Type>ArrayRegion into a preallocated array, memoryview slice assignment)",
	.expect_zero_copy = false,
	.setup = zc__inproc_setup, .arg = &zc__inproc_with_buffer, .transfer = copy_into_transfer, .release = nothing_to_release,
	.teardown = zc__inproc_teardown,
};

static const struct zc_strategy serialize = {
	.name = "serialize",
	.mirrors = "flutter_rust_bridge v2 SSE codec (full_dep: false): byte-by-byte encode into a "
		   "growing buffer, Uint8List.fromList on the Dart side",
	.expect_zero_copy = false,
	.setup = zc__inproc_setup, .arg = &plain, .transfer = serialize_transfer, .release = free_view,
	.teardown = zc__inproc_teardown,
};

static const struct zc_strategy borrow = {
	.name = "borrow",
	.mirrors = "Dart 3.5 Uint8List.address in a leaf call; JNI GetPrimitiveArrayCritical: a view "
		   "valid only during the call",
	.expect_zero_copy = true,
	.setup = zc__inproc_setup, .arg = &plain, .transfer = borrow_transfer, .release = borrow_release,
	.teardown = zc__inproc_teardown,
};

static const struct zc_strategy move = {
	.name = "move",
	.mirrors = "Dart_PostCObject with kExternalTypedData + finalizer; Arrow C Data Interface "
		   "release; DLPack deleter: ownership passes, the consumer releases exactly once",
	.expect_zero_copy = true,
	.setup = zc__inproc_setup, .arg = &MOVE_ROW, .transfer = move_transfer, .release = zc__inproc_move_release,
	.teardown = zc__inproc_teardown,
};

static const struct zc_strategy shared = {
	.name = "shared",
	.mirrors = "Rust Arc<[u8]> behind an opaque handle: reference counted, freed by the last "
		   "holder",
	.expect_zero_copy = true,
	.setup = zc__inproc_setup, .arg = &plain, .transfer = shared_transfer, .release = shared_release,
	.teardown = zc__inproc_teardown,
};

static const struct zc_strategy pool = {
	.name = "pool",
	.mirrors = "a pool of preallocated frames: no allocation and no copy in the steady state, "
		   "frames return to the pool",
	.expect_zero_copy = true,
	.setup = zc__inproc_setup, .arg = &pooled, .transfer = pool_transfer, .release = pool_release,
	.teardown = zc__inproc_teardown,
};

static const struct zc_strategy move_vec = {
	.name = "move_vec",
	.mirrors = "a Vec<u8> handed over as (pointer, length, capacity) without shrinking, "
		   "rebuilt and dropped by the producer (Vec::from_raw_parts); here its C twin",
	.expect_zero_copy = true,
	.setup = zc__inproc_setup, .arg = &plain, .transfer = move_vec_transfer, .release = move_vec_release,
	.teardown = zc__inproc_teardown,
};

static const struct zc_strategy shrink_then_move = {
	.name = "shrink_then_move",
	.mirrors = "allo-isolate's Vec posting: shrink_to_fit (a realloc to the frame's size) "
		   "before the hand-over; here its C twin, realloc",
	.expect_zero_copy = true,
	.setup = zc__inproc_setup, .arg = &plain, .transfer = shrink_then_move_transfer, .release = zc__inproc_move_release,
	.teardown = zc__inproc_teardown,
};

/*
 * The Rust producer's rows (scenarios/producers/rust/): the same consumer code over the Rust
 * cdylib's functions, each written as a Rust bridge author would.
 */
static const struct zc_strategy rust_copy = {
	.name = "rust_copy",
	.mirrors = "Rust lends &[u8] for the call; the consumer allocates and copies "
		   "(a bridge's Vec<u8> return through a copying codec)",
	.expect_zero_copy = false,
	.setup = zc__inproc_setup, .arg = &rust_plain, .transfer = copy_transfer, .release = free_view, .teardown = zc__inproc_teardown,
};

static const struct zc_strategy rust_move = {
	.name = "rust_move",
	.mirrors = "Vec<u8> -> into_boxed_slice -> Box::into_raw; the consumer calls the Rust "
		   "release, which rebuilds the Box and drops it (flutter_rust_bridge's ZeroCopyBuffer)",
	.expect_zero_copy = true,
	.setup = zc__inproc_setup, .arg = &rust_plain, .transfer = move_transfer, .release = zc__inproc_move_release,
	.teardown = zc__inproc_teardown,
};

static const struct zc_strategy rust_move_vec = {
	.name = "rust_move_vec",
	.mirrors = "Vec<u8> handed over as (ptr, len, capacity) without shrinking; released by "
		   "Vec::from_raw_parts on the Rust side",
	.expect_zero_copy = true,
	.setup = zc__inproc_setup, .arg = &rust_plain, .transfer = move_vec_transfer, .release = move_vec_release,
	.teardown = zc__inproc_teardown,
};

static const struct zc_strategy rust_shrink_then_move = {
	.name = "rust_shrink_then_move",
	.mirrors = "allo-isolate posting a Vec<u8>: shrink_to_fit, then into_boxed_slice and "
		   "hand-over; whether the allocator moved the block is observed",
	.expect_zero_copy = true,
	.setup = zc__inproc_setup, .arg = &rust_plain, .transfer = shrink_then_move_transfer, .release = zc__inproc_move_release,
	.teardown = zc__inproc_teardown,
};

static const struct zc_strategy rust_shared = {
	.name = "rust_shared",
	.mirrors = "Arc<[u8]> behind an opaque handle (a boxed Arc): cloned for the consumer, "
		   "dropped across the boundary",
	.expect_zero_copy = true,
	.setup = zc__inproc_setup, .arg = &rust_plain, .transfer = shared_transfer, .release = shared_release,
	.teardown = zc__inproc_teardown,
};

static const struct zc_strategy rust_pool = {
	.name = "rust_pool",
	.mirrors = "a pool of Box<[u8]> frames lent by slot and returned through the ABI",
	.expect_zero_copy = true,
	.setup = zc__inproc_setup, .arg = &rust_pooled, .transfer = pool_transfer, .release = pool_release,
	.teardown = zc__inproc_teardown,
};

static const struct zc_strategy *const all[] = {
	&copy, &copy_into, &serialize, &borrow, &move, &move_vec, &shrink_then_move, &shared,
	&pool, &rust_copy, &rust_move, &rust_move_vec, &rust_shrink_then_move, &rust_shared,
	&rust_pool ADVERSARIES};

/* The Rust rows are those whose name starts so; the others are the C producer's. */
#define RUST_PREFIX "rust_"

const char *zc_inproc_producer(const struct zc_strategy *s)
{
	return strncmp(s->name, RUST_PREFIX, strlen(RUST_PREFIX)) == 0 ? "rust" : "c";
}

/* inproc's own options, checked once the command line is parsed (configure). */
static const char *producers = "c,rust";
static unsigned long vec_capacity_pct; /* 0: what growing by doubling leaves */
#define VEC_CAPACITY_MAX_PCT 1000

static const struct zc_option options[] = {
	{.name = "--producer", .arg = "c,rust", .kind = ZC_OPT_WORD, .value = &producers,
	 .help = "the producers whose rows run: c (scenarios/producers/zcproducer.c),\n"
		 "rust (the Rust cdylib, scenarios/producers/rust/), or both (default)"},
	{.name = "--vec-capacity", .arg = "PCT", .kind = ZC_OPT_RANGE,
	 .max = VEC_CAPACITY_MAX_PCT, .value = &vec_capacity_pct,
	 .help = "move_vec, shrink_then_move: the Vec's capacity in percent of the frame,\n"
		 "100 to 1000 (default: what growing by doubling leaves, the next power\n"
		 "of two)"},
	{0},
};

/* The capacity the Vec strategies ask for: 0 for the producer's doubling default. */
static size_t vec_capacity(size_t bytes)
{
	return vec_capacity_pct ? bytes / 100 * vec_capacity_pct + bytes % 100 * vec_capacity_pct / 100
				: 0;
}

static int configure(bool *selected, size_t n, struct zc_error *err)
{
	if (vec_capacity_pct && vec_capacity_pct < 100)
		return zc_error_set(err, ZC_EXIT_USAGE, "invalid value '%lu' for '--vec-capacity': "
				    "expected 100 to %d (a Vec holds its frame)", vec_capacity_pct,
				    VEC_CAPACITY_MAX_PCT);
	bool want_c = false, want_rust = false;
	char q[96];
	for (const char *p = producers; *p;) {
		size_t len = strcspn(p, ",");
		char name[32];
		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		if (strcmp(name, "c") == 0)
			want_c = true;
		else if (strcmp(name, "rust") == 0)
			want_rust = true;
		else
			return zc_error_set(err, ZC_EXIT_USAGE, "unknown producer '%s' (valid: c rust)",
					    zc_quote(name, q, sizeof(q)));
		p += len + (p[len] == ',');
	}
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		bool rust = strcmp(zc_inproc_producer(all[i]), "rust") == 0;
		selected[i] = selected[i] && (rust ? want_rust : want_c);
		any |= selected[i];
	}
	if (!any)
		return zc_error_set(err, ZC_EXIT_USAGE, "--producer %s leaves none of the strategies "
				    "selected", producers);
	return 0;
}

const struct zc_scenario zc_inproc_scenario = {
	.name = "inproc", .strategies = all, .nstrategies = ZC_COUNT(all),
	.options = options, .configure = configure,
	.summary = "Moves frames from a producer library (dlopen) to this program in a "
		   "synchronous call.",
};
