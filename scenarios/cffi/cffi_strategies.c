/*
 * cffi_strategies.c: unpack, buffer_slice, buffer and buffer_gc: the ways Python code that
 * uses cffi reads a frame of the producer library, each with a real CPython and cffi 1.15 as
 * the consumer (runtime.h, consumer.py).
 *
 * A transfer: the consumer, Python code, asks the producer for the frame through cffi and
 * makes its own object of it, checks the frame's stamps through that object and keeps it
 * until the release. The view's bytes are where that object's buffer says they are, and the
 * probe reads through the object in Python: whether anything was copied is left to the
 * instruments, whatever cffi or CPython did.
 */
#include "cffi_strategies.h"
#include "python_rows.h"
#include "instrument.h"

#include "beside.h"
#include "runtime.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define WARM_UP_BYTES 64

/* What every row runs on: where the producer library is, found once by the program. */
struct context {
	char library[PATH_MAX];
};
static struct context context;

/* A row's argument (struct zc_strategy.arg). */
struct kind {
	const char *name; /* the strategy's, and the consumer's key (consumer.RECEIVE) */
	bool takes_frame; /* the consumer takes the frame (take_frame) and gives it back */
	/*
	 * The copies of the frame cffi's documentation promises (ffi.unpack returns a new
	 * bytes object, a slice of a buffer too): declared, so that a row says "undeclared
	 * copy" when more was observed. Never used for the verdict.
	 */
	unsigned documented_copies;
	const struct context *ctx;
};

enum { UNPACK, BUFFER_SLICE, BUFFER, BUFFER_GC };
static const struct kind kinds[] = {
	[UNPACK] = {"unpack", false, 1, &context},
	[BUFFER_SLICE] = {"buffer_slice", false, 1, &context},
	[BUFFER] = {"buffer", false, 0, &context},
	[BUFFER_GC] = {"buffer_gc", true, 0, &context},
};

/* The consumer module's count of frames taken and given back (consumer.frames). */
struct frame_counts {
	long taken, while_taking, at_drop, later;
};

struct state {
	const struct kind *kind;
	const struct zc_cffi_runtime *rt;
	size_t bytes;
	uint64_t seq, frames;
	PyObject *consumer;   /* consumer.Consumer(library, strategy, bytes) */
	PyObject *frame;      /* the consumer's object of the frame in flight */
	Py_buffer view;       /* its bytes, held from the transfer to the release */
	const char *type;     /* the type of the consumer's last object */
	struct frame_counts at_setup;
	/* Why the consumer could not drop a frame (release cannot fail): the next transfer's */
	struct zc_error dropped;
};

int zc_cffi_open(struct zc_error *err)
{
	return zc_beside_program("../lib/libzcproducer.so", context.library,
				 sizeof(context.library), err);
}

/* consumer.frames into out; -1 with a Python exception. */
static int frame_counts(const struct zc_cffi_runtime *rt, struct frame_counts *out)
{
	PyObject *d = PyObject_GetAttrString(rt->consumer, "frames");
	const char *keys[] = {"taken", "while_taking", "at_drop", "later"};
	long *at[] = {&out->taken, &out->while_taking, &out->at_drop, &out->later};
	for (size_t i = 0; d && i < ZC_COUNT(keys); i++) {
		PyObject *v = PyDict_Check(d) ? PyDict_GetItemString(d, keys[i]) : NULL;
		*at[i] = v ? PyLong_AsLong(v) : -1;
	}
	Py_XDECREF(d);
	return d && !PyErr_Occurred() ? 0 : -1;
}

/* The consumer's take(seq, render): its own object of the frame, and the producer's frame. */
static int take(struct state *s, bool render, unsigned char **producer, struct zc_error *err)
{
	PyObject *seq = PyLong_FromUnsignedLongLong(s->seq);
	PyObject *frame = seq ? zc_python_call(s->rt->take, s->consumer, seq,
					       render ? Py_True : Py_False)
			      : NULL;
	Py_XDECREF(seq);
	if (!frame)
		return zc_python_error(err, "the consumer refused the frame");
	s->frame = frame;
	s->type = Py_TYPE(frame)->tp_name;
	PyObject *address = PyObject_GetAttr(s->consumer, s->rt->address);
	*producer = address ? PyLong_AsVoidPtr(address) : NULL;
	Py_XDECREF(address);
	if (!*producer)
		return zc_python_error(err, "the consumer does not say where the frame is");
	if (PyObject_GetBuffer(frame, &s->view, PyBUF_SIMPLE) != 0)
		return zc_python_error(err, "the consumer's object has no buffer");
	return 0;
}

static int transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	unsigned char *producer = NULL;
	if (s->dropped.code)
		return zc_error_set(err, s->dropped.code, "%s", s->dropped.text);
	s->seq++;
	if (take(s, render, &producer, err) != 0)
		return -1;
	zc_count_copy(s->kind->documented_copies * s->bytes); /* the documented, not seen */
	s->frames++;
	*v = (struct zc_view){.data = s->view.buf, .bytes = (size_t)s->view.len, .seq = s->seq,
			      .producer = producer};
	return 0;
}

/*
 * The consumer drops its object: with it the last reference to a frame it took. When it
 * cannot, Python's reason is kept for the next transfer, which fails with it.
 */
static void release(void *st, struct zc_view *v)
{
	struct state *s = st;
	(void)v;
	if (!s->frame)
		return;
	PyBuffer_Release(&s->view);
	Py_CLEAR(s->frame);
	PyObject *r = zc_python_call(s->rt->drop, s->consumer, NULL, NULL);
	if (!r)
		zc_python_error(&s->dropped, "the consumer could not drop the frame");
	Py_XDECREF(r);
}

/* The write-through probe's reading: Python code reads byte offset through its own object. */
static int probe_read(void *st, const struct zc_view *v, size_t offset, unsigned char *value,
		      struct zc_error *err)
{
	const struct state *s = st;
	(void)v;
	return zc_python_read_byte(s->consumer, s->rt->read, offset, value, err);
}

static void teardown(void *st)
{
	struct state *s = st;
	release(s, NULL);
	if (s->consumer) {
		PyObject *r = PyObject_CallMethod(s->consumer, "close", NULL);
		if (!r)
			zc_python_error(&s->dropped, "the consumer could not close the producer");
		Py_XDECREF(r);
	}
	Py_CLEAR(s->consumer);
	if (s->dropped.code) /* no transfer came after to fail with it */
		fprintf(stderr, "cffi: strategy '%s': %s\n", s->kind->name, s->dropped.text);
	free(s);
}

/* setup for every row: arg is its struct kind. NULL with err (Python's reason). */
static void *setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	const struct kind *k = arg;
	if (zc_cffi_prepare(err) != 0)
		return NULL;
	struct state *s = zc_calloc(sizeof(*s), err);
	if (!s)
		return NULL;
	s->kind = k;
	s->rt = zc_cffi_start(NULL);
	s->bytes = g->bytes;
	s->type = "";
	s->consumer = PyObject_CallMethod(s->rt->consumer, "Consumer", "ssn", k->ctx->library,
					  k->name, (Py_ssize_t)g->bytes);
	if (!s->consumer || frame_counts(s->rt, &s->at_setup) != 0) {
		zc_python_error(err, "cannot set the consumer up");
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
	const struct zc_frame_geom g = {.bytes = WARM_UP_BYTES}; /* to warm up on */
	if (!zc_cffi_start(err))
		return -1;
	return zc_python_warm_up(all, ZC_COUNT(all), &g, err);
}

/*
 * "cffi": the runtime, the consumer's object, and what became of the frames it took: given
 * back and when, not given back, and the producer's own count of them.
 */
static void extras(void *st, const struct zc_result *res, json_t *extra)
{
	struct state *s = st;
	struct frame_counts now;
	(void)res;
	PyObject *out = PyObject_CallMethod(s->consumer, "frames_out", NULL);
	long frames_out = out ? PyLong_AsLong(out) : -1;
	Py_XDECREF(out);
	if (!out || frame_counts(s->rt, &now) != 0) {
		PyErr_Clear();
		return;
	}
	const struct frame_counts *then = &s->at_setup;
	long taken = now.taken - then->taken;
	long back = now.while_taking + now.at_drop + now.later - then->while_taking -
		    then->at_drop - then->later;
	json_t *c = json_pack(
		"{s:s, s:s, s:I, s:s, s:b, s:I, s:{s:I, s:I, s:I}, s:I, s:I}", "version",
		s->rt->cffi, "python", s->rt->python, "frames", (json_int_t)s->frames,
		"consumer_type", s->type, "consumer_takes_frames", s->kind->takes_frame,
		"frames_taken", (json_int_t)taken, "frames_given_back",
		"while_taking", (json_int_t)(now.while_taking - then->while_taking),
		"at_drop", (json_int_t)(now.at_drop - then->at_drop),
		"later", (json_int_t)(now.later - then->later),
		"frames_not_given_back", (json_int_t)(taken - back),
		"producer_frames_out", (json_int_t)frames_out);
	if (c)
		json_object_set_new(extra, "cffi", c);
}

/* One line per strategy: the consumer's object, and the frames it took and gave back. */
void zc_cffi_report(const struct zc_results *r, FILE *f)
{
	zc_python_report_frames(r, f, "cffi", "consumer_takes_frames", 13);
}
