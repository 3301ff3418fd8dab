/*
 * dlpack_strategies.c: from_dlpack and from_dlpack_copy: the ways numpy takes a frame that
 * the producer library exports through DLPack, each with a real CPython and numpy 1.24 as the
 * consumer (runtime.h, consumer.py) and a DLManagedTensor made with DLPack 0.6's header
 * (exporter.h).
 *
 * A transfer: the producer's frame is taken and exported (zcdlpack.Frame); the consumer,
 * Python code, makes its own array of it, checks the frame's stamps through that array and
 * keeps it until the release. The view's bytes are where that array's buffer says they are,
 * and the probe reads through the array in Python: whether anything was copied is left to
 * the instruments, whatever numpy did. Each tensor's deleter is counted, by when it ran.
 */
#include "dlpack_strategies.h"
#include "python_rows.h"
#include "instrument.h"

#include "exporter.h"
#include "runtime.h"

#include <dlpack/dlpack.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define WARM_UP_SIDE 4 /* a 4x4 frame: 64 bytes */

/*
 * What every row runs on: the producer library, loaded once by the program
 * (zc_dlpack_open) before any strategy is set up. The strategies reach it only through
 * their argument.
 */
struct context {
	struct zc_producer_api producer;
	void *library;
};
static struct context context;

/* A row's argument (struct zc_strategy.arg). */
struct kind {
	const char *name; /* the strategy's, and the consumer's key (consumer.RECEIVE) */
	/*
	 * The copies of the frame numpy's documentation promises (ndarray.copy): declared,
	 * so that a row says "undeclared copy" when more was observed. Never the verdict.
	 */
	unsigned documented_copies;
	const struct context *ctx;
};

enum { FROM_DLPACK, FROM_DLPACK_COPY };
static const struct kind kinds[] = {
	[FROM_DLPACK] = {"from_dlpack", 0, &context},
	[FROM_DLPACK_COPY] = {"from_dlpack_copy", 1, &context},
};

struct state {
	const struct kind *kind;
	const struct zc_dl_runtime *rt;
	const struct zc_producer_api *api;
	struct zcp_producer *producer;
	struct zc_frame_geom geom;
	uint64_t seq, frames;
	PyObject *consumer;   /* consumer.Consumer(strategy) */
	PyObject *frame;      /* the consumer's array of the frame in flight */
	Py_buffer view;       /* its bytes, held from the transfer to the release */
	const char *type;     /* the type of the consumer's last object */
	char write[160];      /* what writing into its array raised; "" when it could */
	struct zc_dl_stats at_setup;
	/* Why the consumer could not drop a frame (release cannot fail): the next transfer's */
	struct zc_error dropped;
};

int zc_dlpack_open(struct zc_error *err)
{
	return zc_python_open_producer("../lib/libzcproducer.so", &context.producer,
				       &context.library, err);
}

void zc_dlpack_close(void)
{
	zc_python_close_producer(&context.library);
}

/* A frame of the producer, taken and exported: a zcdlpack.Frame. NULL with err. */
static PyObject *export(struct state *s, uint64_t seq, bool render, unsigned char **data,
			struct zc_error *err)
{
	PyObject *f = zc_dl_export(s->api, s->producer, &s->geom, seq, render, data);
	if (!f)
		zc_python_error(err, "the producer could not export its frame");
	return f;
}

/* The consumer's take(frame, seq): its own array of the exported frame. */
static int take(struct state *s, bool render, unsigned char **producer, struct zc_error *err)
{
	PyObject *exported = export(s, s->seq, render, producer, err);
	if (!exported)
		return -1;
	PyObject *seq = PyLong_FromUnsignedLongLong(s->seq);
	zc_dl_set_phase(ZC_DL_TAKING);
	PyObject *frame = seq ? zc_python_call(s->rt->take, s->consumer, exported, seq) : NULL;
	Py_DECREF(exported);
	zc_dl_set_phase(ZC_DL_OUTSIDE);
	Py_XDECREF(seq);
	if (!frame)
		return zc_python_error(err, "the consumer refused the frame");
	s->frame = frame;
	s->type = Py_TYPE(frame)->tp_name;
	if (PyObject_GetBuffer(frame, &s->view, PyBUF_SIMPLE) != 0)
		return zc_python_error(err, "the consumer's array has no buffer");
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
	zc_count_copy(s->kind->documented_copies * s->geom.bytes); /* the documented, not seen */
	s->frames++;
	*v = (struct zc_view){.data = s->view.buf, .bytes = (size_t)s->view.len, .seq = s->seq,
			      .producer = producer};
	return 0;
}

/*
 * The consumer drops its array: with it, for a view, the last reference to the tensor, whose
 * deleter runs. When it cannot, Python's reason is kept for the next transfer.
 */
static void release(void *st, struct zc_view *v)
{
	struct state *s = st;
	(void)v;
	if (!s->frame)
		return;
	zc_dl_set_phase(ZC_DL_DROPPING);
	PyBuffer_Release(&s->view);
	Py_CLEAR(s->frame);
	PyObject *r = zc_python_call(s->rt->drop, s->consumer, NULL, NULL);
	zc_dl_set_phase(ZC_DL_OUTSIDE);
	if (!r)
		zc_python_error(&s->dropped, "the consumer could not drop the frame");
	Py_XDECREF(r);
}

/* The write-through probe's reading: Python code reads byte offset through its own array. */
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
	PyGC_Collect(); /* a tensor held by a reference cycle goes now, its frame with it */
	if (s->dropped.code) /* no transfer came after to fail with it */
		fprintf(stderr, "dlpack: strategy '%s': %s\n", s->kind->name, s->dropped.text);
	if (s->producer)
		s->api->close(s->producer);
	free(s);
}

/*
 * What writing into the consumer's array does, on one frame exported for it (before the
 * counts start): s->write gets the exception's words, "" when the write went through.
 */
static int try_write(struct state *s, struct zc_error *err)
{
	unsigned char *data;
	PyObject *exported = export(s, 0, false, &data, err);
	if (!exported)
		return -1;
	PyObject *r = PyObject_CallMethod(s->consumer, "write", "O", exported);
	Py_DECREF(exported);
	if (!r)
		return zc_python_error(err, "the consumer could not try a write");
	const char *text = PyUnicode_Check(r) ? PyUnicode_AsUTF8(r) : "";
	snprintf(s->write, sizeof(s->write), "%s", text ? text : "");
	Py_DECREF(r);
	return 0;
}

/* setup for every row: arg is its struct kind. NULL with err (Python's reason). */
static void *setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	const struct kind *k = arg;
	if (zc_dlpack_prepare(err) != 0)
		return NULL;
	struct state *s = zc_calloc(sizeof(*s), err);
	if (!s)
		return NULL;
	s->kind = k;
	s->rt = zc_dl_start(NULL);
	s->api = &k->ctx->producer;
	s->geom = *g;
	s->type = "";
	s->producer = s->api->open(g->bytes, 0);
	if (!s->producer) {
		free(s);
		zc_error_errno(err, ENOMEM);
		return NULL;
	}
	s->consumer = PyObject_CallMethod(s->rt->consumer, "Consumer", "s", k->name);
	if (!s->consumer) {
		zc_python_error(err, "cannot set the consumer up");
		teardown(s);
		return NULL;
	}
	if (try_write(s, err) != 0) {
		teardown(s);
		return NULL;
	}
	s->at_setup = *zc_dl_stats();
	return s;
}

static void extras(void *st, const struct zc_result *res, json_t *extra);

static const struct zc_probe_ops probe = {.read = probe_read};

/* The Python consumer checks each frame's stamp; the probe reads through its array. */
#define STRATEGY(id, zero_copy, mirror)                                                      \
	{                                                                                    \
		.name = kinds[id].name, .mirrors = mirror, .expect_zero_copy = zero_copy,     \
		.consumer_checks_stamp = true, .arg = &kinds[id], .setup = setup,             \
		.transfer = transfer, .release = release, .teardown = teardown,               \
		.probe = &probe, .extras = extras,                                            \
	}

static const struct zc_strategy strategies[] = {
	STRATEGY(FROM_DLPACK, true,
		 "numpy.from_dlpack(x) of an object whose __dlpack__ returns the frame's "
		 "DLManagedTensor: a read-only array over the producer's bytes; the deleter gives "
		 "the frame back when the array dies"),
	STRATEGY(FROM_DLPACK_COPY, false,
		 "numpy.from_dlpack(x).copy(): what a program that writes into its array must "
		 "do, since numpy 1.24's from_dlpack array is read-only"),
};

static const struct zc_strategy *const all[] = {
	&strategies[FROM_DLPACK], &strategies[FROM_DLPACK_COPY],
};

const struct zc_strategy *const *zc_dlpack_strategies(size_t *n)
{
	*n = ZC_COUNT(all);
	return all;
}

int zc_dlpack_prepare(struct zc_error *err)
{
	struct zc_frame_geom g; /* to warm up on */
	if (!zc_dl_start(err) || zc_frame_geom_init(&g, WARM_UP_SIDE, WARM_UP_SIDE, err) != 0)
		return -1;
	return zc_python_warm_up(all, ZC_COUNT(all), &g, err);
}

/*
 * "dlpack": the runtime, the consumer's array and whether it can write into it, and what
 * became of the tensors: exported, deleted and when, not deleted, the producer's own count.
 */
static void extras(void *st, const struct zc_result *res, json_t *extra)
{
	const struct state *s = st;
	const struct zc_dl_stats *now = zc_dl_stats(), *then = &s->at_setup;
	(void)res;
	uint64_t deleted = 0;
	for (int p = 0; p < ZC_DL_PHASES; p++)
		deleted += now->deleted[p] - then->deleted[p];
	uint64_t taken = now->taken - then->taken;
	json_t *d = json_pack(
		"{s:s, s:s, s:i, s:I, s:s, s:b, s:s?, s:I, s:I, s:{s:I, s:I, s:I}, s:I, s:I}",
		"python", s->rt->python, "numpy", s->rt->numpy, "dlpack_version", DLPACK_VERSION,
		"frames", (json_int_t)s->frames, "consumer_type", s->type,
		"writable", s->write[0] == '\0', "write_error", s->write[0] ? s->write : NULL,
		"frames_taken", (json_int_t)taken,
		"capsules_exported", (json_int_t)(now->exported - then->exported),
		"deleter_calls",
		"while_taking", (json_int_t)(now->deleted[ZC_DL_TAKING] - then->deleted[ZC_DL_TAKING]),
		"at_drop", (json_int_t)(now->deleted[ZC_DL_DROPPING] - then->deleted[ZC_DL_DROPPING]),
		"later", (json_int_t)(now->deleted[ZC_DL_OUTSIDE] - then->deleted[ZC_DL_OUTSIDE]),
		"frames_not_given_back", (json_int_t)(taken - deleted),
		"producer_frames_out", (json_int_t)s->api->frames_out(s->producer));
	if (d)
		json_object_set_new(extra, "dlpack", d);
}

static json_int_t member(json_t *o, const char *name)
{
	return json_integer_value(json_object_get(o, name));
}

/* One line per strategy: the tensors exported and deleted, and what a write into it did. */
void zc_dlpack_report(const struct zc_results *r, FILE *f)
{
	for (size_t i = 0; i < r->n; i++) {
		json_t *d = r->v[i].extra ? json_object_get(r->v[i].extra, "dlpack") : NULL;
		if (!d)
			continue;
		json_t *del = json_object_get(d, "deleter_calls");
		const char *werr = json_string_value(json_object_get(d, "write_error"));
		fprintf(f, "  %-16s %lld frames exported, deleter called: %lld while taking, %lld "
			   "at the consumer's drop, %lld later; %lld not given back; writing into "
			   "the array: %s\n",
			r->v[i].strategy, (long long)member(d, "frames_taken"),
			(long long)member(del, "while_taking"), (long long)member(del, "at_drop"),
			(long long)member(del, "later"),
			(long long)member(d, "frames_not_given_back"), werr ? werr : "allowed");
	}
}
