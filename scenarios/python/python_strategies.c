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
 * the instruments, whatever CPython or numpy did. The row is the family's (python_rows.h);
 * this file is its bridge.
 */
#include "python_strategies.h"
#include "python_consumer.h"
#include "python_rows.h"

#include "exporter.h"
#include "interp.h"

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
 * before any strategy is set up. The rows reach it through their bridge.
 */
static struct zc_python_producer producer;

/*
 * A row's argument: its kind of hand-over. Its documented copies are those CPython's or
 * numpy's documentation promises: bytes and bytearray copy their argument, numpy.array
 * copies by default; the instruments' count is compared with them, and a row says
 * "undeclared copy" only when the runtime copied more than it says.
 */
struct kind {
	struct zc_python_kind row; /* its name is the consumer's key too (consumer.RECEIVE) */
	enum hand hand;
	bool numpy;
};

/* A row's state: the family's, then the bridge's. */
struct state {
	struct zc_python_consumer_row base; /* the family's: consumer.Consumer(strategy) */
	const struct zc_py_runtime *rt;
	struct zc_py_frame_stats at_setup;
	long collections_at_setup[3]; /* the gc's, by generation */
};

/*
 * The python boundary's own wording of an exception; its exporter counts buffer releases by
 * phase, the consumer's own alone at the drop.
 */
static const struct zc_python_calls calls = {
	.error = zc_python_error_plain, .set_phase = zc_py_set_phase, .phase_after_view = true,
};

int zc_python_open(struct zc_error *err)
{
	return zc_python_open_producer("../lib/libzcproducer.so", &producer, err);
}

void zc_python_close(void)
{
	zc_python_close_producer(&producer);
}

/* The gc's collections since the interpreter started, by generation, into out[3]. */
static int collections(const struct zc_py_runtime *rt, long out[3])
{
	PyObject *list = PyObject_CallMethod(rt->consumer.module, "gc_collections", NULL);
	if (!list || !PyList_Check(list) || PyList_GET_SIZE(list) != 3) {
		Py_XDECREF(list);
		return -1;
	}
	for (Py_ssize_t i = 0; i < 3; i++)
		out[i] = PyLong_AsLong(PyList_GET_ITEM(list, i));
	Py_DECREF(list);
	return PyErr_Occurred() ? -1 : 0;
}

/* The row's consumer, and the exporters' and the gc's counts it starts from. */
static int open_consumer(struct zc_python_row *r, struct zc_error *err)
{
	struct state *s = (struct state *)r;
	struct zc_python_consumer *c = &s->base.consumer;
	s->rt = zc_py_start(NULL);
	*c = (struct zc_python_consumer){.calls = &calls, .module = &s->rt->consumer};
	s->at_setup = *zc_py_frame_stats();
	c->self = PyObject_CallMethod(c->module->module, "Consumer", "s", r->kind->name);
	if (!c->self || collections(s->rt, s->collections_at_setup) != 0)
		return zc_python_error_plain(err, "cannot set the consumer up");
	return 0;
}

/* The object the native side hands over for frame p: a new reference, or NULL. */
static PyObject *make_handed(enum hand hand, unsigned char *p, size_t bytes,
			     zcp_release_fn release, void *ctx)
{
	switch (hand) {
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

/* Row r's producer's next frame, handed over: into *p, and the object made of it. */
static PyObject *hand(const struct zc_python_row *r, bool render, unsigned char **p)
{
	const struct kind *k = (const struct kind *)r->kind;
	zcp_release_fn release = NULL;
	void *ctx = NULL;
	if (k->hand == HAND_OWNED)
		*p = producer.api.take_frame(r->producer, r->seq, render, &release, &ctx);
	else
		*p = producer.api.next_frame(r->producer, r->seq, render);
	if (!*p)
		return PyErr_NoMemory();
	PyObject *handed = make_handed(k->hand, *p, r->geom.bytes, release, ctx);
	if (!handed && release)
		release(ctx, *p); /* not handed over: still the producer's to free */
	return handed;
}

/*
 * The consumer's take(handed, n): its own object of frame n (a new reference), with the
 * stamps checked in Python; NULL with an exception. The exporter the consumer did not keep
 * dies here, while taking.
 */
static PyObject *consumer_take(const struct zc_python_consumer *c, uint64_t n, PyObject *handed)
{
	PyObject *seq = PyLong_FromUnsignedLongLong(n);
	if (!seq)
		return NULL;
	zc_py_set_phase(ZC_PYTHON_TAKING);
	PyObject *frame = zc_python_call(c->module->take, c->self, handed, seq);
	Py_DECREF(handed);
	zc_py_set_phase(ZC_PYTHON_OUTSIDE);
	Py_DECREF(seq);
	return frame;
}

/* The native side hands the frame over; the consumer keeps its own object of it. */
static int take(struct zc_python_row *r, bool render, struct zc_view *v, struct zc_error *err)
{
	struct zc_python_consumer *c = &((struct state *)r)->base.consumer;
	unsigned char *p;
	PyObject *handed = hand(r, render, &p);
	PyObject *frame = handed ? consumer_take(c, r->seq, handed) : NULL;
	if (!frame)
		return zc_python_error_plain(err, handed ? "the consumer refused the frame"
							 : "no frame to hand");
	if (PyObject_GetBuffer(frame, &c->view, PyBUF_SIMPLE) != 0) {
		Py_DECREF(frame);
		return zc_python_error_plain(err, "the consumer's object has no buffer");
	}
	c->frame = frame;
	c->has_view = true;
	*v = (struct zc_view){.data = c->view.buf, .bytes = (size_t)c->view.len, .producer = p};
	return 0;
}

/* Exporters of this state still alive: a frame not given back yet. */
static uint64_t alive(const struct state *s)
{
	const struct zc_py_frame_stats *now = zc_py_frame_stats();
	return now->created - s->at_setup.created - zc_python_all_phases(now->died,
									  s->at_setup.died);
}

static void close_consumer(struct zc_python_row *r)
{
	struct state *s = (struct state *)r;
	zc_python_consumer_close(&s->base.consumer, &r->dropped);
	if (alive(s) > 0) /* held by a reference cycle: only a collection frees it */
		PyGC_Collect();
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
			 s->base.row.frames ? (double)total * 100.0 / (double)s->base.row.frames
					    : 0.0);
}

/*
 * "python": the runtime, and what became of the frames: exporters made and how they died,
 * frames given back to the producer and when, buffers exported, the gc's collections.
 */
static json_t *extras(struct zc_python_row *r)
{
	const struct state *s = (const struct state *)r;
	const struct zc_py_frame_stats *now = zc_py_frame_stats(), *then = &s->at_setup;
	bool owned = ((const struct kind *)r->kind)->hand == HAND_OWNED;
	json_t *py = json_pack(
		"{s:s, s:s?, s:I, s:I, s:b, s:o, s:o, s:I, s:I, s:o}",
		"version", s->rt->version, "numpy", s->rt->numpy[0] ? s->rt->numpy : NULL,
		"frames", (json_int_t)r->frames,
		"exporters_created", (json_int_t)(now->created - then->created),
		"exporters_own_frames", owned,
		"exporters_died", zc_python_by_phase(now->died, then->died),
		"frames_given_back", zc_python_by_phase(now->given_back, then->given_back),
		"frames_not_given_back", (json_int_t)(owned ? alive(s) : 0),
		"buffer_exports", (json_int_t)(now->exports - then->exports),
		"buffer_releases", zc_python_by_phase(now->releases, then->releases));
	json_t *gc = gc_json(s);
	if (py && gc)
		json_object_set_new(py, "gc", gc);
	else
		json_decref(gc);
	return py;
}

static const struct zc_python_bridge bridge = {
	.boundary = "python", .size = sizeof(struct state), .producer = &producer,
	.prepare = zc_python_prepare, .open = open_consumer, .take = take,
	.drop = zc_python_consumer_row_drop, .read = zc_python_consumer_row_read,
	.close = close_consumer, .extras = extras,
};

enum { BYTES, BYTEARRAY, MEMORYVIEW, NUMPY_FROMBUFFER, NUMPY_ARRAY };
static const struct kind kinds[] = {
	[BYTES] = {{"bytes", 1, &bridge}, HAND_BYTES, false},
	[BYTEARRAY] = {{"bytearray", 1, &bridge}, HAND_BYTEARRAY, false},
	[MEMORYVIEW] = {{"memoryview", 0, &bridge}, HAND_OWNED, false},
	[NUMPY_FROMBUFFER] = {{"numpy_frombuffer", 0, &bridge}, HAND_OWNED, true},
	[NUMPY_ARRAY] = {{"numpy_array", 1, &bridge}, HAND_BORROWED, true},
};

/* A row of the family (python_rows.h) of kind id, expected zero-copy or not, and its mirror. */
#define STRATEGY(id, zero_copy, mirror) ZC_PYTHON_STRATEGY(&kinds[id].row, zero_copy, mirror)
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
		if (!strcmp(s->name, kinds[i].row.name))
			return kinds[i].numpy;
	return false;
}

/* One transfer of a small stamped frame through kind k's path, borrowed from the stack. */
static int warm_up(const struct zc_py_runtime *rt, const struct kind *k)
{
	unsigned char frame[WARM_UP_BYTES] = {0};
	zc_frame_stamp(frame, sizeof(frame), 1);
	struct zc_python_consumer c = {.calls = &calls, .module = &rt->consumer};
	struct zc_error dropped = {0}; /* the warm-up's own, which it does not tell */
	c.self = PyObject_CallMethod(rt->consumer.module, "Consumer", "s", k->row.name);
	enum hand borrowed = k->hand == HAND_OWNED ? HAND_BORROWED : k->hand;
	PyObject *handed = c.self ? make_handed(borrowed, frame, sizeof(frame), NULL, NULL) : NULL;
	PyObject *got = handed ? consumer_take(&c, 1, handed) : NULL;
	int rc = got && PyObject_GetBuffer(got, &c.view, PyBUF_SIMPLE) == 0 ? 0 : -1;
	c.frame = rc == 0 ? got : NULL;
	c.has_view = rc == 0;
	if (rc != 0)
		Py_XDECREF(got);
	unsigned char byte;
	if (rc == 0 && zc_python_read_byte(c.self, rt->consumer.read, 0, &byte,
					   zc_python_error_plain, NULL) != 0)
		rc = -1;
	zc_python_consumer_close(&c, &dropped);
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
			zc_python_error_plain(&failed, kinds[i].row.name);
	done = true;
	if (failed.code)
		return zc_error_set(err, failed.code, "warming up %s", failed.text);
	return 0;
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
