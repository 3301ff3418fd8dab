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
 * instruments, whatever pyo3, Rust's std or CPython did. The row is the family's
 * (python_rows.h); this file is its bridge.
 */
#include "pyo3_strategies.h"
#include "python_consumer.h"
#include "python_rows.h"

#include "bridge.h"
#include "runtime.h"

#include <sys/resource.h>

#define LIST_BYTES_PER_BYTE 8 /* a reference per item: CPython's list of the frame's ints */

/*
 * What every row runs on: the Rust producer library, loaded once by the program
 * (zc_pyo3_open) before any strategy is set up. The rows reach it through their bridge.
 */
static struct zc_python_producer producer;

/*
 * A row's argument. Its documented copies are those pyo3's documentation or the module's own
 * code promises: PyBytes::new copies, new_with's closure copies, to_vec copies into the Vec.
 */
struct kind {
	struct zc_python_kind row; /* its name is the module's method too (module/src/lib.rs) */
	bool owns_frame;           /* the object Python gets owns a frame taken from the producer */
};
enum { PYBYTES_NEW, PYBYTES_NEW_WITH, VEC_U8, PYCLASS_BUFFER };

/* A row's state: the family's, then the bridge's. */
struct state {
	/* the family's: consumer.Consumer(zcpyo3.Source, strategy) */
	struct zc_python_consumer_row base;
	const struct zc_py3_runtime *rt;
	struct zc_py3_source source;        /* the producer, as the module reaches it */
	struct zc_py3_frame_stats at_setup;
};

/* The frames go back by phase: pyo3's owners count them (source.c). */
static const struct zc_python_calls calls = {
	.error = zc_python_error, .set_phase = zc_py3_set_phase,
};

int zc_pyo3_open(struct zc_error *err)
{
	return zc_python_open_producer("../lib/libzcproducer_rust.so", &producer, err);
}

void zc_pyo3_close(void)
{
	zc_python_close_producer(&producer);
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

/* The row's consumer: consumer.Consumer over a zcpyo3.Source made from its address. */
static int open_consumer(struct zc_python_row *r, struct zc_error *err)
{
	struct state *s = (struct state *)r;
	struct zc_python_consumer *c = &s->base.consumer;
	s->rt = zc_py3_start(NULL);
	*c = (struct zc_python_consumer){.calls = &calls, .module = &s->rt->consumer, .type = ""};
	s->source = (struct zc_py3_source){.api = &producer.api, .producer = r->producer,
					   .bytes = r->geom.bytes};
	s->at_setup = *zc_py3_stats();
	PyObject *source = PyLong_FromVoidPtr(&s->source);
	c->self = source ? PyObject_CallMethod(c->module->module, "Consumer", "Os", source,
					       r->kind->name)
			 : NULL;
	Py_XDECREF(source);
	if (!c->self)
		return zc_python_error(err, "cannot set the consumer up");
	return 0;
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
static int take(struct zc_python_row *r, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = (struct state *)r;
	struct zc_python_consumer *c = &s->base.consumer;
	PyObject *seq = PyLong_FromUnsignedLongLong(r->seq);
	s->source.last = NULL;
	zc_py3_set_phase(ZC_PYTHON_TAKING);
	PyObject *frame = seq ? zc_python_call(c->module->take, c->self, seq,
					       render ? Py_True : Py_False)
			      : NULL;
	zc_py3_set_phase(ZC_PYTHON_OUTSIDE);
	Py_XDECREF(seq);
	if (zc_python_consumer_hold(c, frame, err) != 0)
		return -1;
	if (PyObject_CheckBuffer(frame)) {
		if (PyObject_GetBuffer(frame, &c->view, PyBUF_SIMPLE) != 0)
			return zc_python_error(err, "the consumer's object has no buffer");
		c->has_view = true;
	} else if (render && PyList_Check(frame) &&
		   compare_items(frame, s->source.last, s->source.bytes, err) != 0) {
		return -1;
	}
	*v = (struct zc_view){.data = c->has_view ? c->view.buf : NULL,
			      .bytes = c->has_view ? (size_t)c->view.len : s->source.bytes,
			      .producer = s->source.last};
	return 0;
}

/*
 * "pyo3": the runtime, the consumer's object, and what became of the frames the module took:
 * given back and when, not given back, and the producer's own count of them.
 */
static json_t *extras(struct zc_python_row *r)
{
	const struct state *s = (const struct state *)r;
	const struct zc_py3_frame_stats *now = zc_py3_stats(), *then = &s->at_setup;
	uint64_t taken = now->taken - then->taken;
	json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:b, s:I}", "version", s->rt->pyo3,
			      "python", s->rt->python, "frames", (json_int_t)r->frames,
			      "consumer_type", s->base.consumer.type, "owners_own_frames",
			      ((const struct kind *)r->kind)->owns_frame, "frames_taken",
			      (json_int_t)taken);
	return zc_python_frames_back(o, "frames_given_back", taken, now->given_back,
				     then->given_back, producer.api.frames_out(r->producer));
}

static const struct zc_python_bridge bridge = {
	.boundary = "pyo3", .size = sizeof(struct state), .producer = &producer,
	.prepare = zc_pyo3_prepare, .open = open_consumer, .take = take,
	.drop = zc_python_consumer_row_drop, .read = zc_python_consumer_row_read,
	.close = zc_python_consumer_row_close, .extras = extras,
};

static const struct kind kinds[] = {
	[PYBYTES_NEW] = {{"PyBytes_new", 1, &bridge}, false},
	[PYBYTES_NEW_WITH] = {{"PyBytes_new_with", 1, &bridge}, false},
	[VEC_U8] = {{"Vec_u8", 1, &bridge}, false},
	[PYCLASS_BUFFER] = {{"pyclass_buffer", 0, &bridge}, true},
};

/* A row of the family (python_rows.h) of kind id, expected zero-copy or not, and its mirror. */
#define STRATEGY(id, zero_copy, mirror) ZC_PYTHON_STRATEGY(&kinds[id].row, zero_copy, mirror)
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
	if (!zc_py3_start(err))
		return -1;
	return zc_python_warm_up(all, ZC_COUNT(all), err);
}

/* One line per strategy: the consumer's object, and the frames its owners gave back. */
void zc_pyo3_report(const struct zc_results *r, FILE *f)
{
	zc_python_report_frames(r, f, "pyo3", "owners_own_frames", 16);
}
