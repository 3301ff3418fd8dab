/*
 * cffi_strategies.c: unpack, buffer_slice, buffer and buffer_gc: the ways Python code that
 * uses cffi reads a frame of the producer library, each with a real CPython and cffi 1.15 as
 * the consumer (runtime.h, consumer.py).
 *
 * A transfer: the consumer, Python code, asks the producer for the frame through cffi and
 * makes its own object of it, checks the frame's stamps through that object and keeps it
 * until the release. The view's bytes are where that object's buffer says they are, and the
 * probe reads through the object in Python: whether anything was copied is left to the
 * instruments, whatever cffi or CPython did. The row is the family's (python_rows.h); this
 * file is its bridge.
 */
#include "cffi_strategies.h"
#include "python_consumer.h"
#include "python_rows.h"

#include "beside.h"
#include "runtime.h"

#include <limits.h>

/* What every row runs on: where the producer library is, found once by the program. */
struct context {
	char library[PATH_MAX];
};
static struct context context;

/*
 * A row's argument. Its documented copies are those cffi's documentation promises: ffi.unpack
 * returns a new bytes object, a slice of a buffer too.
 */
struct kind {
	struct zc_python_kind row; /* its name is the consumer's key too (consumer.RECEIVE) */
	bool takes_frame; /* the consumer takes the frame (take_frame) and gives it back */
	const struct context *ctx;
};
enum { UNPACK, BUFFER_SLICE, BUFFER, BUFFER_GC };

/* The consumer module's count of frames taken and given back (consumer.frames). */
struct frame_counts {
	long taken, while_taking, at_drop, later;
};

/* A row's state: the family's, then the bridge's. */
struct state {
	/* the family's: consumer.Consumer(library, strategy, bytes) */
	struct zc_python_consumer_row base;
	const struct zc_cffi_runtime *rt;
	struct frame_counts at_setup;
};

/* The consumer drives the producer itself and counts, in Python, the frames it gave back. */
static const struct zc_python_calls calls = {.error = zc_python_error};

int zc_cffi_open(struct zc_error *err)
{
	return zc_beside_program("../lib/libzcproducer.so", context.library,
				 sizeof(context.library), err);
}

/* consumer.frames into out; -1 with a Python exception. */
static int frame_counts(const struct zc_cffi_runtime *rt, struct frame_counts *out)
{
	PyObject *d = PyObject_GetAttrString(rt->consumer.module, "frames");
	const char *keys[] = {"taken", "while_taking", "at_drop", "later"};
	long *at[] = {&out->taken, &out->while_taking, &out->at_drop, &out->later};
	for (size_t i = 0; d && i < ZC_COUNT(keys); i++) {
		PyObject *v = PyDict_Check(d) ? PyDict_GetItemString(d, keys[i]) : NULL;
		*at[i] = v ? PyLong_AsLong(v) : -1;
	}
	Py_XDECREF(d);
	return d && !PyErr_Occurred() ? 0 : -1;
}

/* The row's consumer: consumer.Consumer, which opens a producer of the library itself. */
static int open_consumer(struct zc_python_row *r, struct zc_error *err)
{
	struct state *s = (struct state *)r;
	struct zc_python_consumer *c = &s->base.consumer;
	const struct kind *k = (const struct kind *)r->kind;
	s->rt = zc_cffi_start(NULL);
	*c = (struct zc_python_consumer){.calls = &calls, .module = &s->rt->consumer, .type = ""};
	c->self = PyObject_CallMethod(c->module->module, "Consumer", "ssn", k->ctx->library,
				      k->row.name, (Py_ssize_t)r->geom.bytes);
	if (!c->self || frame_counts(s->rt, &s->at_setup) != 0)
		return zc_python_error(err, "cannot set the consumer up");
	return 0;
}

/* The consumer's take(seq, render): its own object of the frame, and the producer's frame. */
static int take(struct zc_python_row *r, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = (struct state *)r;
	struct zc_python_consumer *c = &s->base.consumer;
	PyObject *seq = PyLong_FromUnsignedLongLong(r->seq);
	PyObject *frame = seq ? zc_python_call(c->module->take, c->self, seq,
					       render ? Py_True : Py_False)
			      : NULL;
	Py_XDECREF(seq);
	if (zc_python_consumer_hold(c, frame, err) != 0)
		return -1;
	PyObject *address = PyObject_GetAttr(c->self, s->rt->address);
	unsigned char *producer = address ? PyLong_AsVoidPtr(address) : NULL;
	Py_XDECREF(address);
	if (!producer)
		return zc_python_error(err, "the consumer does not say where the frame is");
	if (PyObject_GetBuffer(frame, &c->view, PyBUF_SIMPLE) != 0)
		return zc_python_error(err, "the consumer's object has no buffer");
	c->has_view = true;
	*v = (struct zc_view){.data = c->view.buf, .bytes = (size_t)c->view.len,
			      .producer = producer};
	return 0;
}

/* The consumer drops its object, then closes its producer (consumer.close) and goes. */
static void close_consumer(struct zc_python_row *r)
{
	struct zc_python_consumer *c = &((struct state *)r)->base.consumer;
	zc_python_consumer_drop(c, &r->dropped);
	if (c->self) {
		PyObject *closed = PyObject_CallMethod(c->self, "close", NULL);
		if (!closed)
			zc_python_error(&r->dropped, "the consumer could not close the producer");
		Py_XDECREF(closed);
	}
	Py_CLEAR(c->self);
}

/*
 * "cffi": the runtime, the consumer's object, and what became of the frames it took: given
 * back and when, not given back, and the producer's own count of them.
 */
static json_t *extras(struct zc_python_row *r)
{
	struct state *s = (struct state *)r;
	struct frame_counts now;
	PyObject *out = PyObject_CallMethod(s->base.consumer.self, "frames_out", NULL);
	long frames_out = out ? PyLong_AsLong(out) : -1;
	Py_XDECREF(out);
	if (!out || frame_counts(s->rt, &now) != 0) {
		PyErr_Clear();
		return NULL;
	}
	const struct frame_counts *then = &s->at_setup;
	long taken = now.taken - then->taken;
	long back = now.while_taking + now.at_drop + now.later - then->while_taking -
		    then->at_drop - then->later;
	return json_pack(
		"{s:s, s:s, s:I, s:s, s:b, s:I, s:{s:I, s:I, s:I}, s:I, s:I}", "version",
		s->rt->cffi, "python", s->rt->python, "frames", (json_int_t)r->frames,
		"consumer_type", s->base.consumer.type,
		"consumer_takes_frames", ((const struct kind *)r->kind)->takes_frame,
		"frames_taken", (json_int_t)taken, "frames_given_back",
		"while_taking", (json_int_t)(now.while_taking - then->while_taking),
		"at_drop", (json_int_t)(now.at_drop - then->at_drop),
		"later", (json_int_t)(now.later - then->later),
		"frames_not_given_back", (json_int_t)(taken - back),
		"producer_frames_out", (json_int_t)frames_out);
}

static const struct zc_python_bridge bridge = {
	.boundary = "cffi", .size = sizeof(struct state), .prepare = zc_cffi_prepare,
	.open = open_consumer, .take = take, .drop = zc_python_consumer_row_drop,
	.read = zc_python_consumer_row_read, .close = close_consumer, .extras = extras,
};

static const struct kind kinds[] = {
	[UNPACK] = {{"unpack", 1, &bridge}, false, &context},
	[BUFFER_SLICE] = {{"buffer_slice", 1, &bridge}, false, &context},
	[BUFFER] = {{"buffer", 0, &bridge}, false, &context},
	[BUFFER_GC] = {{"buffer_gc", 0, &bridge}, true, &context},
};

/* A row of the family (python_rows.h) of kind id, expected zero-copy or not, and its mirror. */
#define STRATEGY(id, zero_copy, mirror) ZC_PYTHON_STRATEGY(&kinds[id].row, zero_copy, mirror)
static const struct zc_strategy strategies[] = {
	STRATEGY(UNPACK, false,
		 "cffi ffi.unpack(ptr, len) of the producer's frame: a new bytes object"),
	STRATEGY(BUFFER_SLICE, false,
		 "cffi ffi.buffer(ptr, len)[:]: the buffer sliced into a new bytes object"),
	STRATEGY(BUFFER, true,
		 "cffi ffi.buffer(ptr, len) over the producer's own frame, which it keeps "
		 "(borrowed)"),
	STRATEGY(BUFFER_GC, true,
		 "cffi ffi.buffer over ffi.gc(ptr, release): a frame taken from the producer, "
		 "given back by the destructor when the last reference dies"),
};

static const struct zc_strategy *const all[] = {
	&strategies[UNPACK], &strategies[BUFFER_SLICE], &strategies[BUFFER],
	&strategies[BUFFER_GC],
};

const struct zc_strategy *const *zc_cffi_strategies(size_t *n)
{
	*n = ZC_COUNT(all);
	return all;
}

int zc_cffi_prepare(struct zc_error *err)
{
	if (!zc_cffi_start(err))
		return -1;
	return zc_python_warm_up(all, ZC_COUNT(all), err);
}

/* One line per strategy: the consumer's object, and the frames it took and gave back. */
void zc_cffi_report(const struct zc_results *r, FILE *f)
{
	zc_python_report_frames(r, f, "cffi", "consumer_takes_frames", 13);
}
