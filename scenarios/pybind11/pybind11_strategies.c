/*
 * pybind11_strategies.c: bytes, array_t_capsule, array_t_no_base, memoryview_from_memory,
 * vector_list and buffer_protocol: the ways a pybind11 module hands a frame of the producer library to Python
 * code, each with a real CPython as the consumer (bridge.h, consumer.py).
 *
 * A transfer: the consumer, Python code, calls the bindings' function of the strategy, keeps
 * what it returns as its own object, checks the frame's stamps through it and keeps it until
 * the release. The view's bytes are where that object's buffer says they are, and the probe
 * reads through the object in Python: whether anything was copied is left to the
 * instruments, whatever pybind11, CPython or numpy did.
 */
#include "pybind11_strategies.h"
#include "python_rows.h"
#include "instrument.h"

#include "bridge.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define WARM_UP_BYTES 64

/*
 * What every row runs on: the producer library, loaded once by the program
 * (zc_pybind11_open) before any strategy is set up. The strategies reach it only through
 * their argument.
 */
struct context {
	struct zc_producer_api producer;
	void *library;
};
static struct context context;

/* A row's argument (struct zc_strategy.arg). */
struct kind {
	const char *name;   /* the strategy's, and the bindings' function (bindings.cc) */
	bool owns_frame;    /* the object Python gets owns a frame taken from the producer */
	/*
	 * The copies of the frame the glue or pybind11's documentation promises (py::bytes
	 * copies, so does a py::array_t without a base; vector_list's glue copies the frame
	 * into the std::vector it returns):
	 * declared, so that a row says "undeclared copy" when more was observed. Never used for
	 * the verdict.
	 */
	unsigned documented_copies;
	const struct context *ctx;
};

enum {
	BYTES, ARRAY_T_CAPSULE, ARRAY_T_NO_BASE, MEMORYVIEW_FROM_MEMORY, VECTOR_LIST,
	BUFFER_PROTOCOL
};
static const struct kind kinds[] = {
	[BYTES] = {"bytes", false, 1, &context},
	[ARRAY_T_CAPSULE] = {"array_t_capsule", true, 0, &context},
	[ARRAY_T_NO_BASE] = {"array_t_no_base", false, 1, &context},
	[MEMORYVIEW_FROM_MEMORY] = {"memoryview_from_memory", false, 0, &context},
	[VECTOR_LIST] = {"vector_list", false, 1, &context},
	[BUFFER_PROTOCOL] = {"buffer_protocol", true, 0, &context},
};

struct state {
	const struct kind *kind;
	const struct zc_producer_api *api;
	const struct zc_pb_runtime *rt;
	struct zcp_producer *producer;
	struct zc_pb_consumer *consumer;
	size_t bytes;
	uint64_t seq, frames;
	struct zc_pb_frame_stats at_setup;
	/* Why the consumer could not drop a frame (release cannot fail): the next transfer's */
	struct zc_error dropped;
};

int zc_pybind11_open(struct zc_error *err)
{
	return zc_python_open_producer("../lib/libzcproducer.so", &context.producer,
				       &context.library, err);
}

void zc_pybind11_close(void)
{
	zc_python_close_producer(&context.library);
}

static int transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	struct zc_pb_taken t;
	if (s->dropped.code)
		return zc_error_set(err, s->dropped.code, "%s", s->dropped.text);
	s->seq++;
	if (zc_pb_take(s->consumer, s->seq, render, &t, err) != 0)
		return -1;
	zc_count_copy(s->kind->documented_copies * s->bytes); /* the documented, not seen */
	s->frames++;
	*v = (struct zc_view){.data = t.data, .bytes = t.bytes, .seq = s->seq,
			      .producer = t.producer};
	return 0;
}

/*
 * The consumer drops its object: with it the last reference to a frame's owner. When it
 * cannot, Python's reason is kept for the next transfer, which fails with it.
 */
static void release(void *st, struct zc_view *v)
{
	struct state *s = st;
	(void)v;
	zc_pb_drop(s->consumer, &s->dropped);
}

/* The write-through probe's reading: Python code reads byte offset through its own object. */
static int probe_read(void *st, const struct zc_view *v, size_t offset, unsigned char *value,
		      struct zc_error *err)
{
	struct state *s = st;
	(void)v;
	return zc_pb_read(s->consumer, offset, value, err);
}

/* Frames this state took from the producer and did not give back yet. */
static uint64_t not_given_back(const struct state *s)
{
	const struct zc_pb_frame_stats *now = zc_pb_stats();
	uint64_t back = 0;
	for (int p = 0; p < ZC_PB_PHASES; p++)
		back += now->given_back[p] - s->at_setup.given_back[p];
	return now->taken - s->at_setup.taken - back;
}

static void teardown(void *st)
{
	struct state *s = st;
	zc_pb_consumer_free(s->consumer);
	if (s->dropped.code) /* no transfer came after to fail with it */
		fprintf(stderr, "pybind11: strategy '%s': %s\n", s->kind->name, s->dropped.text);
	if (s->producer)
		s->api->close(s->producer);
	free(s);
}

/* setup for every row: arg is its struct kind. NULL with err (Python's reason). */
static void *setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	const struct kind *k = arg;
	if (zc_pybind11_prepare(err) != 0)
		return NULL;
	struct state *s = zc_calloc(sizeof(*s), err);
	if (!s)
		return NULL;
	s->kind = k;
	s->api = &k->ctx->producer;
	s->rt = zc_pb_start(NULL);
	s->bytes = g->bytes;
	s->producer = s->api->open(g->bytes, 0);
	if (!s->producer) {
		free(s);
		zc_error_errno(err, ENOMEM);
		return NULL;
	}
	s->at_setup = *zc_pb_stats();
	s->consumer = zc_pb_consumer_new(k->name, s->api, s->producer, s->bytes, err);
	if (!s->consumer) {
		teardown(s);
		return NULL;
	}
	return s;
}

static void extras(void *st, const struct zc_result *res, json_t *extra);

static const struct zc_probe_ops probe = {.read = probe_read};

/* The Python consumer checks each frame's stamp; the probe reads through its object. */
#define STRATEGY(id, zero_copy, mirror)                                                      \
	{                                                                                    \
		.name = kinds[id].name, .mirrors = mirror, .expect_zero_copy = zero_copy,     \
		.consumer_checks_stamp = true, .arg = &kinds[id], .setup = setup,             \
		.transfer = transfer, .release = release, .teardown = teardown,               \
		.probe = &probe, .extras = extras,                                            \
	}

static const struct zc_strategy strategies[] = {
	STRATEGY(BYTES, false,
		 "pybind11 returning py::bytes(ptr, len): CPython copies the frame into a new "
		 "bytes object"),
	STRATEGY(ARRAY_T_CAPSULE, true,
		 "pybind11 returning py::array_t<uint8_t>(shape, strides, ptr, base) with a "
		 "py::capsule base whose destructor gives the frame back: numpy views the frame"),
	STRATEGY(ARRAY_T_NO_BASE, false,
		 "pybind11 returning py::array_t<uint8_t>(len, ptr) without a base: pybind11 "
		 "has numpy copy the frame into an array of its own"),
	STRATEGY(MEMORYVIEW_FROM_MEMORY, true,
		 "pybind11 returning py::memoryview::from_memory(ptr, len): a read-only view of "
		 "the producer's own frame, which it keeps (borrowed)"),
	STRATEGY(VECTOR_LIST, false,
		 "pybind11 returning a std::vector<uint8_t> with pybind11/stl.h: the glue copies "
		 "the frame into the vector, pybind11 converts it into a list of ints"),
	STRATEGY(BUFFER_PROTOCOL, true,
		 "a py::class_ with py::buffer_protocol() and def_buffer owning the frame, seen "
		 "through numpy.array(obj, copy=False): the frame goes back when the object dies"),
};

static const struct zc_strategy *const all[] = {
	&strategies[BYTES],           &strategies[ARRAY_T_CAPSULE],
	&strategies[ARRAY_T_NO_BASE], &strategies[MEMORYVIEW_FROM_MEMORY],
	&strategies[VECTOR_LIST],     &strategies[BUFFER_PROTOCOL],
};

const struct zc_strategy *const *zc_pybind11_strategies(size_t *n)
{
	*n = ZC_COUNT(all);
	return all;
}

/* One transfer of a small rendered frame through kind k's path, probe and drop included. */
static int warm_up(const struct kind *k, struct zc_error *err)
{
	const struct zc_producer_api *api = &k->ctx->producer;
	struct zcp_producer *p = api->open(WARM_UP_BYTES, 0);
	if (!p)
		return zc_error_errno(err, ENOMEM);
	struct zc_pb_consumer *c = zc_pb_consumer_new(k->name, api, p, WARM_UP_BYTES, err);
	struct zc_pb_taken t;
	unsigned char byte;
	int rc = c && zc_pb_take(c, 1, true, &t, err) == 0 && zc_pb_read(c, 0, &byte, err) == 0 &&
			 zc_pb_drop(c, err) == 0
		 ? 0
		 : -1;
	zc_pb_consumer_free(c);
	api->close(p);
	return rc;
}

int zc_pybind11_prepare(struct zc_error *err)
{
	static bool done;
	static struct zc_error failed;
	if (!zc_pb_start(err))
		return -1;
	for (size_t i = 0; !done && i < ZC_COUNT(kinds) && !failed.code; i++) {
		struct zc_error why = {0};
		if (warm_up(&kinds[i], &why) != 0)
			zc_error_set(&failed, why.code, "warming up %s: %s", kinds[i].name,
				     why.text);
	}
	done = true;
	if (failed.code)
		return zc_error_set(err, failed.code, "%s", failed.text);
	return 0;
}

static json_t *by_phase(const uint64_t now[ZC_PB_PHASES], const uint64_t then[ZC_PB_PHASES])
{
	return json_pack("{s:I, s:I, s:I}",
			 "while_taking", (json_int_t)(now[ZC_PB_TAKING] - then[ZC_PB_TAKING]),
			 "at_drop", (json_int_t)(now[ZC_PB_DROPPING] - then[ZC_PB_DROPPING]),
			 "later", (json_int_t)(now[ZC_PB_OUTSIDE] - then[ZC_PB_OUTSIDE]));
}

/*
 * "pybind11": the runtime, the consumer's object, and what became of the frames the
 * bindings took: given back and when, not given back, and the producer's own count of them.
 */
static void extras(void *st, const struct zc_result *res, json_t *extra)
{
	const struct state *s = st;
	const struct zc_pb_frame_stats *now = zc_pb_stats(), *then = &s->at_setup;
	(void)res;
	json_t *pb = json_pack(
		"{s:s, s:s, s:s, s:I, s:s, s:b, s:I, s:o, s:I, s:I}", "version", s->rt->pybind11,
		"python", s->rt->python, "numpy", s->rt->numpy, "frames", (json_int_t)s->frames,
		"consumer_type", zc_pb_consumer_type(s->consumer),
		"owners_own_frames", s->kind->owns_frame,
		"frames_taken", (json_int_t)(now->taken - then->taken),
		"frames_given_back", by_phase(now->given_back, then->given_back),
		"frames_not_given_back", (json_int_t)not_given_back(s),
		"producer_frames_out", (json_int_t)s->api->frames_out(s->producer));
	if (pb)
		json_object_set_new(extra, "pybind11", pb);
}

/* One line per strategy: the consumer's object, and the frames its owners gave back. */
void zc_pybind11_report(const struct zc_results *r, FILE *f)
{
	zc_python_report_frames(r, f, "pybind11", "owners_own_frames", 22);
}
