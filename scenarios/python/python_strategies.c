/*
 * python_strategies.c: bytes, bytearray, memoryview, numpy_frombuffer and numpy_array: the
 * ways a native extension hands a frame of the producer library to Python code, each with a
 * real CPython as the consumer (interp.h, consumer.py).
 *
 * A transfer: the native side makes the object it hands over (a bytes object of the
 * producer's frame, or an exporter of it, exporter.h); the consumer, Python code, makes its
 * own object of it, checks the frame's stamps through that object and keeps it until the
 * release. The view's bytes are where that object's buffer says they are (PyObject_GetBuffer),
 * and the probe reads through the object in Python: whether anything was copied is left to
 * the instruments, whatever CPython or numpy did.
 */
#include "python_strategies.h"
#include "python_rows.h"
#include "instrument.h"

#include "exporter.h"
#include "interp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WARM_UP_BYTES 64

/* What the native side hands to Python. */
enum hand {
	HAND_BYTES,      /* PyBytes_FromStringAndSize: a copy of the producer's frame */
	HAND_BYTEARRAY,  /* PyByteArray_FromStringAndSize: a copy too */
	HAND_OWNED,      /* an exporter that owns a frame taken from the producer */
	HAND_BORROWED,   /* an exporter of the producer's own frame, which it keeps */
};

/*
 * What every row runs on: the producer library, loaded once by the program (zc_python_open)
 * before any strategy is set up. The strategies reach it only through their argument.
 */
struct context {
	struct zc_producer_api producer;
	void *library;
};
static struct context context;

/* A row's argument (struct zc_strategy.arg): its kind of hand-over and its context. */
struct kind {
	const char *name; /* the strategy's, and the consumer's key (consumer.RECEIVE) */
	enum hand hand;
	bool numpy;
	/*
	 * The copies of the frame CPython's or numpy's documentation promises (bytes and
	 * bytearray copy their argument, numpy.array copies by default): declared, so that the
	 * instruments' count is compared with the documentation and a row says "undeclared
	 * copy" only when the runtime copied more than it says. Never used for the verdict.
	 */
	unsigned documented_copies;
	const struct context *ctx;
};

static const struct kind kinds[] = {
	{"bytes", HAND_BYTES, false, 1, &context},
	{"bytearray", HAND_BYTEARRAY, false, 1, &context},
	{"memoryview", HAND_OWNED, false, 0, &context},
	{"numpy_frombuffer", HAND_OWNED, true, 0, &context},
	{"numpy_array", HAND_BORROWED, true, 1, &context},
};
enum { BYTES, BYTEARRAY, MEMORYVIEW, NUMPY_FROMBUFFER, NUMPY_ARRAY };

struct state {
	const struct kind *kind;
	const struct zc_producer_api *api;
	const struct zc_py_runtime *rt;
	struct zcp_producer *producer;
	size_t bytes;
	uint64_t seq, frames;
	PyObject *consumer;            /* consumer.Consumer(strategy) */
	PyObject *frame;               /* the consumer's object of the frame in flight */
	Py_buffer view;                /* its bytes, held from the transfer to the release */
	struct zc_py_frame_stats at_setup;
	long collections_at_setup[3];  /* the gc's, by generation */
	/* Why the consumer could not drop a frame (release cannot fail): the next transfer's */
	struct zc_error dropped;
};

int zc_python_open(struct zc_error *err)
{
	return zc_python_open_producer("../lib/libzcproducer.so", &context.producer,
				       &context.library, err);
}

void zc_python_close(void)
{
	zc_python_close_producer(&context.library);
}

/* The gc's collections since the interpreter started, by generation, into out[3]. */
static int collections(const struct zc_py_runtime *rt, long out[3])
{
	PyObject *list = PyObject_CallMethod(rt->consumer, "gc_collections", NULL);
	if (!list || !PyList_Check(list) || PyList_GET_SIZE(list) != 3) {
		Py_XDECREF(list);
		return -1;
	}
	for (Py_ssize_t i = 0; i < 3; i++)
		out[i] = PyLong_AsLong(PyList_GET_ITEM(list, i));
	Py_DECREF(list);
	return PyErr_Occurred() ? -1 : 0;
}

/* The object the native side hands over for frame p: a new reference, or NULL. */
static PyObject *make_handed(const struct kind *k, unsigned char *p, size_t bytes,
			     zcp_release_fn release, void *ctx)
{
	switch (k->hand) {
	case HAND_BYTES:
		return PyBytes_FromStringAndSize((const char *)p, (Py_ssize_t)bytes);
	case HAND_BYTEARRAY:
		return PyByteArray_FromStringAndSize((const char *)p, (Py_ssize_t)bytes);
	case HAND_OWNED:
		return zc_py_frame_new(p, bytes, release, ctx);
	case HAND_BORROWED:
		return zc_py_frame_new(p, bytes, NULL, NULL);
	}
	return PyErr_Format(PyExc_SystemError, "no such hand-over");
}

/* The producer's next frame, handed over: into *p, and the object made of it. */
static PyObject *hand(struct state *s, bool render, unsigned char **p)
{
	zcp_release_fn release = NULL;
	void *ctx = NULL;
	if (s->kind->hand == HAND_OWNED)
		*p = s->api->take_frame(s->producer, s->seq, render, &release, &ctx);
	else
		*p = s->api->next_frame(s->producer, s->seq, render);
	if (!*p)
		return PyErr_NoMemory();
	PyObject *handed = make_handed(s->kind, *p, s->bytes, release, ctx);
	if (!handed && release)
		release(ctx, *p); /* not handed over: still the producer's to free */
	if (handed)
		zc_count_copy(s->kind->documented_copies * s->bytes); /* the documented, not seen */
	return handed;
}

/*
 * The consumer's take(handed, seq): its own object of the frame (a new reference), with the
 * stamps checked in Python; NULL with an exception. The exporter the consumer did not keep
 * dies here, while taking.
 */
static PyObject *take(struct state *s, PyObject *handed)
{
	PyObject *seq = PyLong_FromUnsignedLongLong(s->seq);
	if (!seq)
		return NULL;
	zc_py_set_phase(ZC_PY_TAKING);
	PyObject *args[] = {s->consumer, handed, seq};
	PyObject *frame = PyObject_VectorcallMethod(s->rt->take, args,
						    3 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
	Py_DECREF(handed);
	zc_py_set_phase(ZC_PY_OUTSIDE);
	Py_DECREF(seq);
	return frame;
}

static int transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	unsigned char *p;
	if (s->dropped.code)
		return zc_error_set(err, s->dropped.code, "%s", s->dropped.text);
	s->seq++;
	PyObject *handed = hand(s, render, &p);
	PyObject *frame = handed ? take(s, handed) : NULL;
	if (!frame)
		return zc_py_error(err, handed ? "the consumer refused the frame"
					       : "no frame to hand");
	if (PyObject_GetBuffer(frame, &s->view, PyBUF_SIMPLE) != 0) {
		Py_DECREF(frame);
		return zc_py_error(err, "the consumer's object has no buffer");
	}
	s->frame = frame;
	s->frames++;
	*v = (struct zc_view){.data = s->view.buf, .bytes = (size_t)s->view.len, .seq = s->seq,
			      .producer = p};
	return 0;
}

/*
 * The consumer drops its object: with it the last view of an exported frame dies. When the
 * consumer cannot, Python's reason is kept for the next transfer, which fails with it.
 */
static void release(void *st, struct zc_view *v)
{
	struct state *s = st;
	(void)v;
	if (!s->frame)
		return;
	PyBuffer_Release(&s->view);
	Py_CLEAR(s->frame);
	zc_py_set_phase(ZC_PY_DROPPING);
	PyObject *args[] = {s->consumer};
	PyObject *r = PyObject_VectorcallMethod(s->rt->drop, args,
						1 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
	zc_py_set_phase(ZC_PY_OUTSIDE);
	if (!r)
		zc_py_error(&s->dropped, "the consumer could not drop the frame");
	Py_XDECREF(r);
}

/* The write-through probe's reading: Python code reads byte offset through its own object. */
static int probe_read(void *st, const struct zc_view *v, size_t offset, unsigned char *value,
		      struct zc_error *err)
{
	struct state *s = st;
	(void)v;
	PyObject *k = PyLong_FromSize_t(offset);
	PyObject *args[] = {s->consumer, k};
	PyObject *r = k ? PyObject_VectorcallMethod(s->rt->read, args,
						    2 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL)
			: NULL;
	Py_XDECREF(k);
	long byte = r ? PyLong_AsLong(r) : -1;
	Py_XDECREF(r);
	if (byte < 0 || byte > 255) {
		if (!PyErr_Occurred())
			PyErr_Format(PyExc_ValueError, "read %ld, not a byte", byte);
		return zc_py_error(err, "the consumer could not read its frame");
	}
	*value = (unsigned char)byte;
	return 0;
}

/* Exporters of this state still alive: a frame not given back yet. */
static uint64_t alive(const struct state *s)
{
	const struct zc_py_frame_stats *now = zc_py_frame_stats();
	uint64_t died = 0;
	for (int p = 0; p < ZC_PY_PHASES; p++)
		died += now->died[p] - s->at_setup.died[p];
	return now->created - s->at_setup.created - died;
}

static void teardown(void *st)
{
	struct state *s = st;
	release(s, NULL);
	Py_CLEAR(s->consumer);
	if (alive(s) > 0) /* held by a reference cycle: only a collection frees it */
		PyGC_Collect();
	if (s->dropped.code) /* no transfer came after to fail with it */
		fprintf(stderr, "python: strategy '%s': %s\n", s->kind->name, s->dropped.text);
	s->api->close(s->producer);
	free(s);
}

/* setup for every row: arg is its struct kind. NULL with err (Python's reason). */
static void *setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	const struct kind *k = arg;
	if (zc_python_prepare(err) != 0)
		return NULL;
	struct state *s = zc_calloc(sizeof(*s), err);
	if (!s)
		return NULL;
	s->kind = k;
	s->api = &k->ctx->producer;
	s->rt = zc_py_start(NULL);
	s->bytes = g->bytes;
	s->producer = s->api->open(g->bytes, 0);
	if (!s->producer) {
		free(s);
		zc_error_errno(err, ENOMEM);
		return NULL;
	}
	s->at_setup = *zc_py_frame_stats();
	s->consumer = PyObject_CallMethod(s->rt->consumer, "Consumer", "s", k->name);
	if (!s->consumer || collections(s->rt, s->collections_at_setup) != 0) {
		zc_py_error(err, "cannot set the consumer up");
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
		 "PyBytes_FromStringAndSize; pyo3 returning PyBytes::new(py, &frame) or a "
		 "Vec<u8> as bytes: CPython copies the frame into a new bytes object"),
	STRATEGY(BYTEARRAY, false,
		 "PyByteArray_FromStringAndSize; pyo3 PyByteArray::new: a mutable copy of the "
		 "frame"),
	STRATEGY(MEMORYVIEW, true,
		 "a pyo3 class owning the frame with __getbuffer__ (the buffer protocol), seen "
		 "through memoryview(obj): the frame goes back when the last view dies"),
	STRATEGY(NUMPY_FROMBUFFER, true,
		 "numpy.frombuffer(obj, dtype=uint8) over a buffer-protocol object (rust-numpy "
		 "borrowing a buffer): an array over the exporter's bytes"),
	STRATEGY(NUMPY_ARRAY, false,
		 "numpy.array(obj) over a buffer-protocol object: numpy copies the frame into an "
		 "array of its own"),
};

static const struct zc_strategy *const all[] = {
	&strategies[BYTES], &strategies[BYTEARRAY], &strategies[MEMORYVIEW],
	&strategies[NUMPY_FROMBUFFER], &strategies[NUMPY_ARRAY],
};
static const struct zc_strategy *const without_numpy[] = {
	&strategies[BYTES], &strategies[BYTEARRAY], &strategies[MEMORYVIEW],
};

const struct zc_strategy *const *zc_python_strategies(bool with_numpy, size_t *n)
{
	*n = with_numpy ? ZC_COUNT(all) : ZC_COUNT(without_numpy);
	return with_numpy ? all : without_numpy;
}

bool zc_python_needs_numpy(const struct zc_strategy *s)
{
	for (size_t i = 0; i < ZC_COUNT(kinds); i++)
		if (!strcmp(s->name, kinds[i].name))
			return kinds[i].numpy;
	return false;
}

/* One transfer of a small stamped frame through kind k's path, borrowed from the stack. */
static int warm_up(const struct zc_py_runtime *rt, const struct kind *k)
{
	unsigned char frame[WARM_UP_BYTES] = {0};
	zc_frame_stamp(frame, sizeof(frame), 1);
	struct state s = {.kind = k, .rt = rt, .seq = 1};
	const struct kind borrowed = {k->name, k->hand == HAND_OWNED ? HAND_BORROWED : k->hand,
				      k->numpy, k->documented_copies, k->ctx};
	s.consumer = PyObject_CallMethod(rt->consumer, "Consumer", "s", k->name);
	PyObject *handed = s.consumer ? make_handed(&borrowed, frame, sizeof(frame), NULL, NULL)
				      : NULL;
	PyObject *got = handed ? take(&s, handed) : NULL;
	int rc = got && PyObject_GetBuffer(got, &s.view, PyBUF_SIMPLE) == 0 ? 0 : -1;
	s.frame = rc == 0 ? got : NULL;
	if (rc != 0)
		Py_XDECREF(got);
	unsigned char byte;
	if (rc == 0 && probe_read(&s, NULL, 0, &byte, NULL) != 0)
		rc = -1;
	release(&s, NULL);
	Py_XDECREF(s.consumer);
	return rc;
}

int zc_python_prepare(struct zc_error *err)
{
	static bool done;
	static struct zc_error failed;
	const struct zc_py_runtime *rt = zc_py_start(err);
	if (!rt)
		return -1;
	for (size_t i = 0; !done && i < ZC_COUNT(kinds); i++)
		if ((!kinds[i].numpy || rt->numpy[0]) && warm_up(rt, &kinds[i]) != 0)
			zc_py_error(&failed, kinds[i].name);
	done = true;
	if (failed.code)
		return zc_error_set(err, failed.code, "warming up %s", failed.text);
	return 0;
}

static json_t *by_phase(const uint64_t now[ZC_PY_PHASES], const uint64_t then[ZC_PY_PHASES])
{
	return json_pack("{s:I, s:I, s:I}",
			 "while_taking", (json_int_t)(now[ZC_PY_TAKING] - then[ZC_PY_TAKING]),
			 "at_drop", (json_int_t)(now[ZC_PY_DROPPING] - then[ZC_PY_DROPPING]),
			 "later", (json_int_t)(now[ZC_PY_OUTSIDE] - then[ZC_PY_OUTSIDE]));
}

/* The gc's collections over this state's transfers, by generation. */
static json_t *gc_json(const struct state *s)
{
	long now[3];
	if (collections(s->rt, now) != 0) {
		PyErr_Clear();
		return NULL;
	}
	long total = 0;
	json_t *gens = json_array();
	for (int i = 0; i < 3; i++) {
		total += now[i] - s->collections_at_setup[i];
		json_array_append_new(gens, json_integer(now[i] - s->collections_at_setup[i]));
	}
	return json_pack("{s:o, s:f}", "collections", gens, "collections_per_100_frames",
			 s->frames ? (double)total * 100.0 / (double)s->frames : 0.0);
}

/*
 * "python": the runtime, and what became of the frames: exporters made and how they died,
 * frames given back to the producer and when, buffers exported, the gc's collections.
 */
static void extras(void *st, const struct zc_result *res, json_t *extra)
{
	const struct state *s = st;
	const struct zc_py_frame_stats *now = zc_py_frame_stats(), *then = &s->at_setup;
	(void)res;
	json_t *py = json_pack(
		"{s:s, s:s?, s:I, s:I, s:b, s:o, s:o, s:I, s:I, s:o}",
		"version", s->rt->version, "numpy", s->rt->numpy[0] ? s->rt->numpy : NULL,
		"frames", (json_int_t)s->frames,
		"exporters_created", (json_int_t)(now->created - then->created),
		"exporters_own_frames", s->kind->hand == HAND_OWNED,
		"exporters_died", by_phase(now->died, then->died),
		"frames_given_back", by_phase(now->given_back, then->given_back),
		"frames_not_given_back", (json_int_t)(s->kind->hand == HAND_OWNED ? alive(s) : 0),
		"buffer_exports", (json_int_t)(now->exports - then->exports),
		"buffer_releases", by_phase(now->releases, then->releases));
	json_t *gc = gc_json(s);
	if (py && gc)
		json_object_set_new(py, "gc", gc);
	else
		json_decref(gc);
	if (py)
		json_object_set_new(extra, "python", py);
}

static json_int_t member(json_t *o, const char *name)
{
	return json_integer_value(json_object_get(o, name));
}

/* One line per strategy that handed exporters over: when they died, and the gc's pace. */
void zc_python_report(const struct zc_results *r, FILE *f)
{
	for (size_t i = 0; i < r->n; i++) {
		json_t *py = r->v[i].extra ? json_object_get(r->v[i].extra, "python") : NULL;
		json_t *died = json_object_get(py, "exporters_died");
		json_int_t created = member(py, "exporters_created");
		if (!py || !died || created == 0)
			continue;
		bool owned = json_is_true(json_object_get(py, "exporters_own_frames"));
		fprintf(f, "  %-16s %lld exporters (%s), died: %lld while taking, %lld at the "
			   "consumer's drop, %lld later; %.1f gc collections per 100 frames\n",
			r->v[i].strategy, (long long)created,
			owned ? "each gives its frame back as it dies" : "over the producer's frame",
			(long long)member(died, "while_taking"), (long long)member(died, "at_drop"),
			(long long)member(died, "later"),
			json_real_value(json_object_get(json_object_get(py, "gc"),
							"collections_per_100_frames")));
	}
}
