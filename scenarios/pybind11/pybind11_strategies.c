/*
 * pybind11_strategies.c: bytes, array_t_capsule, array_t_no_base, memoryview_from_memory,
 * vector_list and buffer_protocol: the ways a pybind11 module hands a frame of the producer
 * library to Python code, each with a real CPython as the consumer (bridge.h, consumer.py).
 *
 * A transfer: the consumer, Python code, calls the bindings' function of the strategy, keeps
 * what it returns as its own object, checks the frame's stamps through it and keeps it until
 * the release. The view's bytes are where that object's buffer says they are, and the probe
 * reads through the object in Python: whether anything was copied is left to the
 * instruments, whatever pybind11, CPython or numpy did. The row is the family's
 * (python_rows.h); this file is its bridge, over the C++ one (bridge.h).
 */
#include "pybind11_strategies.h"
#include "python_rows.h"

#include "bridge.h"

#include <errno.h>

#define WARM_UP_BYTES 64

/*
 * What every row runs on: the producer library, loaded once by the program
 * (zc_pybind11_open) before any strategy is set up. The rows reach it through their bridge.
 */
static struct zc_python_producer producer;

/*
 * A row's argument. Its documented copies are those the glue or pybind11's documentation
 * promises: py::bytes copies, so does a py::array_t without a base; vector_list's glue
 * copies the frame into the std::vector it returns.
 */
struct kind {
	struct zc_python_kind row; /* its name is the bindings' function too (bindings.cc) */
	bool owns_frame; /* the object Python gets owns a frame taken from the producer */
};
enum {
	BYTES, ARRAY_T_CAPSULE, ARRAY_T_NO_BASE, MEMORYVIEW_FROM_MEMORY, VECTOR_LIST,
	BUFFER_PROTOCOL
};

/* A row's state: the family's, then the bridge's. */
struct state {
	struct zc_python_row row;
	const struct zc_pb_runtime *rt;
	struct zc_pb_consumer *consumer;
	struct zc_pb_frame_stats at_setup;
};

int zc_pybind11_open(struct zc_error *err)
{
	return zc_python_open_producer("../lib/libzcproducer.so", &producer, err);
}

void zc_pybind11_close(void)
{
	zc_python_close_producer(&producer);
}

/* The row's consumer, in the C++ bridge. */
static int open_consumer(struct zc_python_row *r, struct zc_error *err)
{
	struct state *s = (struct state *)r;
	s->rt = zc_pb_start(NULL);
	s->at_setup = *zc_pb_stats();
	s->consumer = zc_pb_consumer_new(r->kind->name, &producer.api, r->producer, r->geom.bytes,
					 err);
	return s->consumer ? 0 : -1;
}

static int take(struct zc_python_row *r, bool render, struct zc_view *v, struct zc_error *err)
{
	struct zc_pb_taken t;
	if (zc_pb_take(((struct state *)r)->consumer, r->seq, render, &t, err) != 0)
		return -1;
	*v = (struct zc_view){.data = t.data, .bytes = t.bytes, .producer = t.producer};
	return 0;
}

/* The consumer drops its object: with it the last reference to a frame's owner. */
static void drop(struct zc_python_row *r, struct zc_error *err)
{
	zc_pb_drop(((struct state *)r)->consumer, err);
}

static int read_byte(struct zc_python_row *r, size_t offset, unsigned char *value,
		     struct zc_error *err)
{
	return zc_pb_read(((struct state *)r)->consumer, offset, value, err);
}

static void close_consumer(struct zc_python_row *r)
{
	zc_pb_consumer_free(((struct state *)r)->consumer);
}

/*
 * "pybind11": the runtime, the consumer's object, and what became of the frames the
 * bindings took: given back and when, not given back, and the producer's own count of them.
 */
static json_t *extras(struct zc_python_row *r)
{
	const struct state *s = (const struct state *)r;
	const struct zc_pb_frame_stats *now = zc_pb_stats(), *then = &s->at_setup;
	uint64_t taken = now->taken - then->taken;
	json_t *pb = json_pack(
		"{s:s, s:s, s:s, s:I, s:s, s:b, s:I}", "version", s->rt->pybind11, "python",
		s->rt->python, "numpy", s->rt->numpy, "frames", (json_int_t)r->frames,
		"consumer_type", zc_pb_consumer_type(s->consumer), "owners_own_frames",
		((const struct kind *)r->kind)->owns_frame, "frames_taken", (json_int_t)taken);
	return zc_python_frames_back(pb, "frames_given_back", taken, now->given_back,
				     then->given_back, producer.api.frames_out(r->producer));
}

static const struct zc_python_bridge bridge = {
	.boundary = "pybind11", .size = sizeof(struct state), .producer = &producer,
	.prepare = zc_pybind11_prepare, .open = open_consumer, .take = take, .drop = drop,
	.read = read_byte, .close = close_consumer, .extras = extras,
};

static const struct kind kinds[] = {
	[BYTES] = {{"bytes", 1, &bridge}, false},
	[ARRAY_T_CAPSULE] = {{"array_t_capsule", 0, &bridge}, true},
	[ARRAY_T_NO_BASE] = {{"array_t_no_base", 1, &bridge}, false},
	[MEMORYVIEW_FROM_MEMORY] = {{"memoryview_from_memory", 0, &bridge}, false},
	[VECTOR_LIST] = {{"vector_list", 1, &bridge}, false},
	[BUFFER_PROTOCOL] = {{"buffer_protocol", 0, &bridge}, true},
};

/* A row of the family (python_rows.h) of kind id, expected zero-copy or not, and its mirror. */
#define STRATEGY(id, zero_copy, mirror) ZC_PYTHON_STRATEGY(&kinds[id].row, zero_copy, mirror)
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

/*
 * One transfer of a small rendered frame through kind k's path, probe and drop included,
 * straight through the C++ bridge.
 */
static int warm_up(const struct kind *k, struct zc_error *err)
{
	struct zcp_producer *p = producer.api.open(WARM_UP_BYTES, 0);
	if (!p)
		return zc_error_errno(err, ENOMEM);
	struct zc_pb_consumer *c = zc_pb_consumer_new(k->row.name, &producer.api, p,
						      WARM_UP_BYTES, err);
	struct zc_pb_taken t;
	unsigned char byte;
	int rc = c && zc_pb_take(c, 1, true, &t, err) == 0 && zc_pb_read(c, 0, &byte, err) == 0 &&
			 zc_pb_drop(c, err) == 0
		 ? 0
		 : -1;
	zc_pb_consumer_free(c);
	producer.api.close(p);
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
			zc_error_set(&failed, why.code, "warming up %s: %s", kinds[i].row.name,
				     why.text);
	}
	done = true;
	if (failed.code)
		return zc_error_set(err, failed.code, "%s", failed.text);
	return 0;
}

/* One line per strategy: the consumer's object, and the frames its owners gave back. */
void zc_pybind11_report(const struct zc_results *r, FILE *f)
{
	zc_python_report_frames(r, f, "pybind11", "owners_own_frames", 22);
}
