/*
 * python_rows.c: the Python family's row, its producer library, warm-up and figures
 * (python_rows.h).
 */
#include "python_rows.h"

#include <assert.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>

#include "beside.h"
#include "instrument.h"

int zc_python_open_producer(const char *rel, struct zc_python_producer *p,
			    struct zc_error *err)
{
	union {
		void *obj;
		zcp_get_api_fn fn;
	} sym;
	void *h = zc_beside_load(rel, ZCP_GET_API_SYMBOL, &sym.obj, err);
	if (!h)
		return -1;
	if (sym.fn(ZC_PRODUCER_ABI, &p->api) != 0) {
		dlclose(h);
		return zc_error_set(err, ZC_EXIT_RUNTIME, "'%s' is not a zcbench producer of ABI %d",
				    rel, ZC_PRODUCER_ABI);
	}
	p->library = h;
	return 0;
}

void zc_python_close_producer(struct zc_python_producer *p)
{
	if (p->library)
		dlclose(p->library);
	p->library = NULL;
}

void zc_python_row_teardown(void *state)
{
	struct zc_python_row *r = state;
	const struct zc_python_bridge *b = r->kind->bridge;
	b->close(r);
	if (r->dropped.code) /* no transfer came after to fail with it */
		fprintf(stderr, "%s: strategy '%s': %s\n", b->boundary, r->kind->name,
			r->dropped.text);
	if (r->producer)
		b->producer->api.close(r->producer);
	free(r);
}

void *zc_python_row_setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	const struct zc_python_kind *k = arg;
	const struct zc_python_bridge *b = k->bridge;
	assert(b->size >= sizeof(struct zc_python_row));
	if (b->prepare(err) != 0)
		return NULL;
	struct zc_python_row *r = zc_calloc(b->size, err);
	if (!r)
		return NULL;
	r->kind = k;
	r->geom = *g;
	if (b->producer && !(r->producer = b->producer->api.open(g->bytes, 0))) {
		free(r);
		zc_error_errno(err, ENOMEM);
		return NULL;
	}
	if (b->open(r, err) != 0) {
		zc_python_row_teardown(r);
		return NULL;
	}
	return r;
}

int zc_python_row_transfer(void *state, bool render, struct zc_view *v, struct zc_error *err)
{
	struct zc_python_row *r = state;
	if (r->dropped.code)
		return zc_error_set(err, r->dropped.code, "%s", r->dropped.text);
	r->seq++;
	if (r->kind->bridge->take(r, render, v, err) != 0)
		return -1;
	zc_count_copy(r->kind->documented_copies * r->geom.bytes); /* the documented, not seen */
	r->frames++;
	v->seq = r->seq;
	return 0;
}

/* The consumer drops its object; when it cannot, the next transfer fails with Python's reason. */
void zc_python_row_release(void *state, struct zc_view *v)
{
	struct zc_python_row *r = state;
	(void)v;
	r->kind->bridge->drop(r, &r->dropped);
}

/* The write-through probe's reading: Python code reads byte offset through its own object. */
static int probe_read(void *state, const struct zc_view *v, size_t offset, unsigned char *value,
		      struct zc_error *err)
{
	struct zc_python_row *r = state;
	(void)v;
	return r->kind->bridge->read(r, offset, value, err);
}

const struct zc_probe_ops zc_python_row_probe = {.read = probe_read};

/* The row's figures, under the boundary's name. */
void zc_python_row_extras(void *state, const struct zc_result *res, json_t *extra)
{
	struct zc_python_row *r = state;
	const struct zc_python_bridge *b = r->kind->bridge;
	(void)res;
	json_t *o = b->extras(r);
	if (o)
		json_object_set_new(extra, b->boundary, o);
}

/* One transfer of a small rendered frame through s's path, probe and drop included. */
static int warm_up(const struct zc_strategy *s, const struct zc_frame_geom *g,
		   struct zc_error *err)
{
	assert(s->probe && s->probe->read);
	void *st = s->setup(g, s->arg, err);
	if (!st)
		return -1;
	struct zc_view v;
	unsigned char byte;
	int rc = s->transfer(st, true, &v, err) == 0 &&
			 s->probe->read(st, &v, 0, &byte, err) == 0
		 ? 0
		 : -1;
	s->teardown(st);
	return rc;
}

int zc_python_warm_up(const struct zc_strategy *const *all, size_t n, struct zc_error *err)
{
	static bool done, busy;
	static struct zc_error failed;
	if (!done && !busy) { /* warm_up sets up through setup, which comes back here */
		busy = true;
		const struct zc_frame_geom g = {.width = 4, .height = 4,
						.bytes_per_pixel = ZC_BYTES_PER_PIXEL,
						.bytes = 4 * 4 * ZC_BYTES_PER_PIXEL};
		for (size_t i = 0; i < n && !failed.code; i++) {
			struct zc_error why = {0};
			if (warm_up(all[i], &g, &why) != 0)
				zc_error_set(&failed, why.code, "warming up %s: %s", all[i]->name,
					     why.text);
		}
		done = true;
	}
	if (failed.code)
		return zc_error_set(err, failed.code, "%s", failed.text);
	return 0;
}

json_t *zc_python_by_phase(const uint64_t now[ZC_PYTHON_PHASES],
			   const uint64_t then[ZC_PYTHON_PHASES])
{
	json_int_t taking = (json_int_t)(now[ZC_PYTHON_TAKING] - then[ZC_PYTHON_TAKING]);
	json_int_t dropping = (json_int_t)(now[ZC_PYTHON_DROPPING] - then[ZC_PYTHON_DROPPING]);
	json_int_t later = (json_int_t)(now[ZC_PYTHON_OUTSIDE] - then[ZC_PYTHON_OUTSIDE]);
	return json_pack("{s:I, s:I, s:I}", "while_taking", taking, "at_drop", dropping, "later",
			 later);
}

uint64_t zc_python_all_phases(const uint64_t now[ZC_PYTHON_PHASES],
			      const uint64_t then[ZC_PYTHON_PHASES])
{
	uint64_t n = 0;
	for (int p = 0; p < ZC_PYTHON_PHASES; p++)
		n += now[p] - then[p];
	return n;
}

json_t *zc_python_frames_back(json_t *o, const char *back, uint64_t taken,
			      const uint64_t now[ZC_PYTHON_PHASES],
			      const uint64_t then[ZC_PYTHON_PHASES], long producer_out)
{
	if (o) {
		uint64_t given_back = zc_python_all_phases(now, then);
		json_object_set_new(o, back, zc_python_by_phase(now, then));
		json_object_set_new(o, "frames_not_given_back",
				    json_integer((json_int_t)(taken - given_back)));
		json_object_set_new(o, "producer_frames_out", json_integer(producer_out));
	}
	return o;
}

static json_int_t member(json_t *o, const char *name)
{
	return json_integer_value(json_object_get(o, name));
}

void zc_python_report_frames(const struct zc_results *r, FILE *f, const char *key,
			     const char *owns, int width)
{
	for (size_t i = 0; i < r->n; i++) {
		json_t *o = r->v[i].extra ? json_object_get(r->v[i].extra, key) : NULL;
		if (!o)
			continue;
		const char *type = json_string_value(json_object_get(o, "consumer_type"));
		json_t *back = json_object_get(o, "frames_given_back");
		if (!json_is_true(json_object_get(o, owns))) {
			fprintf(f, "  %-*s the consumer holds a %s; the producer keeps its frame\n",
				width, r->v[i].strategy, type ? type : "?");
			continue;
		}
		fprintf(f, "  %-*s the consumer holds a %s; %lld frames taken, given back: %lld "
			   "while taking, %lld at the consumer's drop, %lld later; %lld not given "
			   "back\n",
			width, r->v[i].strategy, type ? type : "?",
			(long long)member(o, "frames_taken"), (long long)member(back, "while_taking"),
			(long long)member(back, "at_drop"), (long long)member(back, "later"),
			(long long)member(o, "frames_not_given_back"));
	}
}
