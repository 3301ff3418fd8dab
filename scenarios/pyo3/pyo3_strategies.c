/*
 * pyo3_strategies.c: PyBytes_new, PyBytes_new_with, Vec_u8 and pyclass_buffer: the ways a
 * module written with pyo3 0.17 hands a frame of the Rust producer to Python code, each with
 * a real CPython as the consumer (runtime.h, consumer.py) and the module imported from
 * beside the program (bridge.h, module/src/lib.rs).
 *
 * A transfer: the consumer, Python code, calls the module's method of the strategy, keeps
 * what it returns as its own object, checks the frame's stamps through it and keeps it until
 * the release. The view's bytes are where that object's buffer says they are, and the probe
 * reads through the object in Python: whether anything was copied is left to the
 * instruments, whatever pyo3, Rust's std or CPython did.
 */
#include "pyo3_strategies.h"
#include "python_rows.h"
#include "instrument.h"

#include "bridge.h"
#include "runtime.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define WARM_UP_BYTES 64
#define LIST_BYTES_PER_BYTE 8 /* a reference per item: CPython's list of the frame's ints */

/*
 * What every row runs on: the Rust producer library, loaded once by the program
 * (zc_pyo3_open) before any strategy is set up. The strategies reach it only through their
 * argument.
 */
struct context {
	struct zc_producer_api producer;
	void *library;
};
static struct context context;

/* A row's argument (struct zc_strategy.arg). */
struct kind {
	const char *name; /* the strategy's, and the module's method (module/src/lib.rs) */
	bool owns_frame;  /* the object Python gets owns a frame taken from the producer */
	/*
	 * The copies of the frame pyo3's documentation or the module's own code promises
	 * (PyBytes::new copies, new_with's closure copies, to_vec copies into the Vec):
	 * declared, so that a row says "undeclared copy" when more was observed. Never the
	 * verdict.
	 */
	unsigned documented_copies;
	const struct context *ctx;
};

enum { PYBYTES_NEW, PYBYTES_NEW_WITH, VEC_U8, PYCLASS_BUFFER };
static const struct kind kinds[] = {
	[PYBYTES_NEW] = {"PyBytes_new", false, 1, &context},
	[PYBYTES_NEW_WITH] = {"PyBytes_new_with", false, 1, &context},
	[VEC_U8] = {"Vec_u8", false, 1, &context},
	[PYCLASS_BUFFER] = {"pyclass_buffer", true, 0, &context},
};

struct state {
	const struct kind *kind;
	const struct zc_py3_runtime *rt;
	struct zc_py3_source source; /* the producer, as the module reaches it */
	uint64_t seq, frames;
	PyObject *consumer;   /* consumer.Consumer(zcpyo3.Source, strategy) */
	PyObject *frame;      /* the consumer's object of the frame in flight */
	Py_buffer view;       /* its bytes, held from the transfer to the release */
	bool has_view;
	const char *type;     /* the type of the consumer's last object */
	struct zc_py3_frame_stats at_setup;
	/* Why the consumer could not drop a frame (release cannot fail): the next transfer's */
	struct zc_error dropped;
};

int zc_pyo3_open(struct zc_error *err)
{
	return zc_python_open_producer("../lib/libzcproducer_rust.so", &context.producer,
				       &context.library, err);
}

void zc_pyo3_close(void)
{
	zc_python_close_producer(&context.library);
}

int zc_pyo3_check_frame(const struct zc_frame_geom *g, const bool *selected,
			struct zc_error *err)
{
	struct rlimit as;
	if (!selected[VEC_U8] || getrlimit(RLIMIT_AS, &as) != 0 || as.rlim_cur == RLIM_INFINITY)
		return 0;
	/* the producer's frame, the Vec, the list's references */
	double needs = (double)g->bytes * (2 + LIST_BYTES_PER_BYTE);
	if (needs <= (double)as.rlim_cur)
		return 0;
	return zc_error_set(err, ZC_EXIT_NOMEM, "out of memory: frame %ux%u: Vec_u8 becomes a "
			    "list of %zu ints (%.0f bytes with the frame and its Vec), more than "
			    "the address space allows (ulimit -v: %llu bytes)", g->width,
			    g->height, g->bytes, needs, (unsigned long long)as.rlim_cur);
}

/* The list's every item against the producer's frame p: -1 with err at the first that differs. */
static int compare_items(PyObject *list, const unsigned char *p, size_t bytes,
			 struct zc_error *err)
{
	if (PyList_GET_SIZE(list) != (Py_ssize_t)bytes)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "the consumer's list has %zd items, "
				    "the frame %zu bytes", PyList_GET_SIZE(list), bytes);
	for (size_t i = 0; i < bytes; i++) {
		long item = PyLong_AsLong(PyList_GET_ITEM(list, (Py_ssize_t)i));
		if (item != p[i])
			return zc_error_set(err, ZC_EXIT_RUNTIME, "the consumer's list holds %ld at "
					    "%zu, the frame %u", item, i, p[i]);
	}
	return 0;
}

/*
 * The consumer's take(seq, render): its own object of what the module returned. An object
 * without a buffer (Vec_u8's list) has its every item compared with the frame when render.
 */
static int take(struct state *s, bool render, struct zc_error *err)
{
	PyObject *seq = PyLong_FromUnsignedLongLong(s->seq);
	s->source.last = NULL;
	zc_py3_set_phase(ZC_PY3_TAKING);
	PyObject *frame = seq ? zc_python_call(s->rt->take, s->consumer, seq,
					       render ? Py_True : Py_False)
			      : NULL;
	zc_py3_set_phase(ZC_PY3_OUTSIDE);
	Py_XDECREF(seq);
	if (!frame)
		return zc_python_error(err, "the consumer refused the frame");
	s->frame = frame;
	s->type = Py_TYPE(frame)->tp_name;
	if (PyObject_CheckBuffer(frame)) {
		if (PyObject_GetBuffer(frame, &s->view, PyBUF_SIMPLE) != 0)
			return zc_python_error(err, "the consumer's object has no buffer");
		s->has_view = true;
	} else if (render && PyList_Check(frame)) {
		return compare_items(frame, s->source.last, s->source.bytes, err);
	}
	return 0;
}

static int transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	if (s->dropped.code)
		return zc_error_set(err, s->dropped.code, "%s", s->dropped.text);
	s->seq++;
	if (take(s, render, err) != 0)
		return -1;
	zc_count_copy(s->kind->documented_copies * s->source.bytes); /* the documented */
	s->frames++;
	*v = (struct zc_view){.data = s->has_view ? s->view.buf : NULL,
			      .bytes = s->has_view ? (size_t)s->view.len : s->source.bytes,
			      .seq = s->seq, .producer = s->source.last};
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
	if (!s->frame)
		return;
	zc_py3_set_phase(ZC_PY3_DROPPING);
	if (s->has_view)
		PyBuffer_Release(&s->view);
	s->has_view = false;
	Py_CLEAR(s->frame);
	PyObject *r = zc_python_call(s->rt->drop, s->consumer, NULL, NULL);
	zc_py3_set_phase(ZC_PY3_OUTSIDE);
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
	Py_CLEAR(s->consumer);
	PyGC_Collect(); /* an owner held by a reference cycle goes now, its frame with it */
	if (s->dropped.code) /* no transfer came after to fail with it */
		fprintf(stderr, "pyo3: strategy '%s': %s\n", s->kind->name, s->dropped.text);
	if (s->source.producer)
		s->source.api->close(s->source.producer);
	free(s);
}

/* setup for every row: arg is its struct kind. NULL with err (Python's reason). */
static void *setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	const struct kind *k = arg;
	if (zc_pyo3_prepare(err) != 0)
		return NULL;
	struct state *s = zc_calloc(sizeof(*s), err);
	if (!s)
		return NULL;
	s->kind = k;
	s->rt = zc_py3_start(NULL);
	s->type = "";
	s->source = (struct zc_py3_source){.api = &k->ctx->producer, .bytes = g->bytes};
	s->source.producer = s->source.api->open(g->bytes, 0);
	if (!s->source.producer) {
		free(s);
		zc_error_errno(err, ENOMEM);
		return NULL;
	}
	s->at_setup = *zc_py3_stats();
	PyObject *source = PyLong_FromVoidPtr(&s->source);
	s->consumer = source ? PyObject_CallMethod(s->rt->consumer, "Consumer", "Os", source,
						   k->name)
			     : NULL;
	Py_XDECREF(source);
	if (!s->consumer) {
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
	STRATEGY(PYBYTES_NEW, false,
		 "pyo3 PyBytes::new(py, frame): CPython copies the frame into a new bytes"),
	STRATEGY(PYBYTES_NEW_WITH, false,
		 "pyo3 PyBytes::new_with(py, len, |buf| ...): pyo3 zero-fills a new bytes, the "
		 "closure copies the frame into it (copy_from_slice)"),
	STRATEGY(VEC_U8, false,
		 "a pyo3 function returning Vec<u8> (frame.to_vec()): pyo3 converts it into a "
		 "Python list of ints, one a byte"),
	STRATEGY(PYCLASS_BUFFER, true,
		 "a #[pyclass] owning a frame taken from the producer, with __getbuffer__ and "
		 "__releasebuffer__, seen through memoryview: the frame goes back when it dies"),
};

static const struct zc_strategy *const all[] = {
	&strategies[PYBYTES_NEW], &strategies[PYBYTES_NEW_WITH], &strategies[VEC_U8],
	&strategies[PYCLASS_BUFFER],
};

const struct zc_strategy *const *zc_pyo3_strategies(size_t *n)
{
	*n = ZC_COUNT(all);
	return all;
}

int zc_pyo3_prepare(struct zc_error *err)
{
	const struct zc_frame_geom g = {.width = 4, .height = 4, .bytes_per_pixel = 4,
					.bytes = WARM_UP_BYTES}; /* to warm up on */
	if (!zc_py3_start(err))
		return -1;
	return zc_python_warm_up(all, ZC_COUNT(all), &g, err);
}

/*
 * "pyo3": the runtime, the consumer's object, and what became of the frames the module took:
 * given back and when, not given back, and the producer's own count of them.
 */
static void extras(void *st, const struct zc_result *res, json_t *extra)
{
	const struct state *s = st;
	const struct zc_py3_frame_stats *now = zc_py3_stats(), *then = &s->at_setup;
	(void)res;
	uint64_t back = 0;
	for (int p = 0; p < ZC_PY3_PHASES; p++)
		back += now->given_back[p] - then->given_back[p];
	uint64_t taken = now->taken - then->taken;
	json_t *o = json_pack(
		"{s:s, s:s, s:I, s:s, s:b, s:I, s:{s:I, s:I, s:I}, s:I, s:I}", "version",
		s->rt->pyo3, "python", s->rt->python, "frames", (json_int_t)s->frames,
		"consumer_type", s->type, "owners_own_frames", s->kind->owns_frame,
		"frames_taken", (json_int_t)taken, "frames_given_back",
		"while_taking",
		(json_int_t)(now->given_back[ZC_PY3_TAKING] - then->given_back[ZC_PY3_TAKING]),
		"at_drop",
		(json_int_t)(now->given_back[ZC_PY3_DROPPING] - then->given_back[ZC_PY3_DROPPING]),
		"later",
		(json_int_t)(now->given_back[ZC_PY3_OUTSIDE] - then->given_back[ZC_PY3_OUTSIDE]),
		"frames_not_given_back", (json_int_t)(taken - back),
		"producer_frames_out",
		(json_int_t)s->source.api->frames_out(s->source.producer));
	if (o)
		json_object_set_new(extra, "pyo3", o);
}

/* One line per strategy: the consumer's object, and the frames its owners gave back. */
void zc_pyo3_report(const struct zc_results *r, FILE *f)
{
	zc_python_report_frames(r, f, "pyo3", "owners_own_frames", 16);
}
