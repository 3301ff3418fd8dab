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
 * the instruments, whatever numpy did. Each tensor's deleter is counted, by when it ran. The
 * row is the family's (python_rows.h); this file is its bridge.
 */
#include "dlpack_strategies.h"
#include "python_consumer.h"
#include "python_rows.h"

#include "exporter.h"
#include "runtime.h"

#include <dlpack/dlpack.h>
#include <stdio.h>

/*
 * What every row runs on: the producer library, loaded once by the program
 * (zc_dlpack_open) before any strategy is set up. The rows reach it through their bridge.
 */
static struct zc_python_producer producer;

/* A row's state: the family's, then the bridge's. */
struct state {
	struct zc_python_consumer_row base; /* the family's: consumer.Consumer(strategy) */
	const struct zc_dl_runtime *rt;
	char write[160]; /* what writing into its array raised; "" when it could */
	struct zc_dl_stats at_setup;
};

/* The frames go back by phase: the tensors' deleters count them (exporter.c). */
static const struct zc_python_calls calls = {
	.error = zc_python_error, .set_phase = zc_dl_set_phase,
};

int zc_dlpack_open(struct zc_error *err)
{
	return zc_python_open_producer("../lib/libzcproducer.so", &producer, err);
}

void zc_dlpack_close(void)
{
	zc_python_close_producer(&producer);
}

/* A frame of the producer, taken and exported: a zcdlpack.Frame. NULL with err. */
static PyObject *export(struct state *s, uint64_t seq, bool render, unsigned char **data,
			struct zc_error *err)
{
	const struct zc_python_row *r = &s->base.row;
	PyObject *f = zc_dl_export(&producer.api, r->producer, &r->geom, seq, render, data);
	if (!f)
		zc_python_error(err, "the producer could not export its frame");
	return f;
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
	PyObject *r = PyObject_CallMethod(s->base.consumer.self, "write", "O", exported);
	Py_DECREF(exported);
	if (!r)
		return zc_python_error(err, "the consumer could not try a write");
	const char *text = PyUnicode_Check(r) ? PyUnicode_AsUTF8(r) : "";
	snprintf(s->write, sizeof(s->write), "%s", text ? text : "");
	Py_DECREF(r);
	return 0;
}

/* The row's consumer, and what a write into its array does. */
static int open_consumer(struct zc_python_row *r, struct zc_error *err)
{
	struct state *s = (struct state *)r;
	struct zc_python_consumer *c = &s->base.consumer;
	s->rt = zc_dl_start(NULL);
	*c = (struct zc_python_consumer){.calls = &calls, .module = &s->rt->consumer, .type = ""};
	c->self = PyObject_CallMethod(c->module->module, "Consumer", "s", r->kind->name);
	if (!c->self)
		return zc_python_error(err, "cannot set the consumer up");
	if (try_write(s, err) != 0)
		return -1;
	s->at_setup = *zc_dl_stats();
	return 0;
}

/* The consumer's take(frame, seq): its own array of the exported frame. */
static int take(struct zc_python_row *r, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = (struct state *)r;
	struct zc_python_consumer *c = &s->base.consumer;
	unsigned char *producer_frame = NULL;
	PyObject *exported = export(s, r->seq, render, &producer_frame, err);
	if (!exported)
		return -1;
	PyObject *seq = PyLong_FromUnsignedLongLong(r->seq);
	zc_dl_set_phase(ZC_PYTHON_TAKING);
	PyObject *frame = seq ? zc_python_call(c->module->take, c->self, exported, seq) : NULL;
	Py_DECREF(exported);
	zc_dl_set_phase(ZC_PYTHON_OUTSIDE);
	Py_XDECREF(seq);
	if (zc_python_consumer_hold(c, frame, err) != 0)
		return -1;
	if (PyObject_GetBuffer(frame, &c->view, PyBUF_SIMPLE) != 0)
		return zc_python_error(err, "the consumer's array has no buffer");
	c->has_view = true;
	*v = (struct zc_view){.data = c->view.buf, .bytes = (size_t)c->view.len,
			      .producer = producer_frame};
	return 0;
}

/*
 * "dlpack": the runtime, the consumer's array and whether it can write into it, and what
 * became of the tensors: exported, deleted and when, not deleted, the producer's own count.
 */
static json_t *extras(struct zc_python_row *r)
{
	const struct state *s = (const struct state *)r;
	const struct zc_dl_stats *now = zc_dl_stats(), *then = &s->at_setup;
	uint64_t taken = now->taken - then->taken;
	json_t *d = json_pack(
		"{s:s, s:s, s:i, s:I, s:s, s:b, s:s?, s:I, s:I}",
		"python", s->rt->python, "numpy", s->rt->numpy, "dlpack_version", DLPACK_VERSION,
		"frames", (json_int_t)r->frames, "consumer_type", s->base.consumer.type,
		"writable", s->write[0] == '\0', "write_error", s->write[0] ? s->write : NULL,
		"frames_taken", (json_int_t)taken,
		"capsules_exported", (json_int_t)(now->exported - then->exported));
	return zc_python_frames_back(d, "deleter_calls", taken, now->deleted, then->deleted,
				     producer.api.frames_out(r->producer));
}

static const struct zc_python_bridge bridge = {
	.boundary = "dlpack", .size = sizeof(struct state), .producer = &producer,
	.prepare = zc_dlpack_prepare, .open = open_consumer, .take = take,
	.drop = zc_python_consumer_row_drop, .read = zc_python_consumer_row_read,
	.close = zc_python_consumer_row_close, .extras = extras,
};

/*
 * A row's argument: its name is the consumer's key too (consumer.RECEIVE). Its documented
 * copies are those numpy's documentation promises (ndarray.copy).
 */
enum { FROM_DLPACK, FROM_DLPACK_COPY };
static const struct zc_python_kind kinds[] = {
	[FROM_DLPACK] = {"from_dlpack", 0, &bridge},
	[FROM_DLPACK_COPY] = {"from_dlpack_copy", 1, &bridge},
};

/* A row of the family (python_rows.h) of kind id, expected zero-copy or not, and its mirror. */
#define STRATEGY(id, zero_copy, mirror) ZC_PYTHON_STRATEGY(&kinds[id], zero_copy, mirror)
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
	if (!zc_dl_start(err))
		return -1;
	return zc_python_warm_up(all, ZC_COUNT(all), err);
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
