/*
 * python_rows.c: the Python family's warm-up and report line (python_rows.h).
 */
#include "python_rows.h"

#include <assert.h>
#include <dlfcn.h>
#include <jansson.h>
#include <stdbool.h>

#include "beside.h"

int zc_python_open_producer(const char *rel, struct zc_producer_api *api, void **library,
			    struct zc_error *err)
{
	union {
		void *obj;
		zcp_get_api_fn fn;
	} sym;
	void *h = zc_beside_load(rel, ZCP_GET_API_SYMBOL, &sym.obj, err);
	if (!h)
		return -1;
	if (sym.fn(ZC_PRODUCER_ABI, api) != 0) {
		dlclose(h);
		return zc_error_set(err, ZC_EXIT_RUNTIME, "'%s' is not a zcbench producer of ABI %d",
				    rel, ZC_PRODUCER_ABI);
	}
	*library = h;
	return 0;
}

void zc_python_close_producer(void **library)
{
	if (*library)
		dlclose(*library);
	*library = NULL;
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

int zc_python_warm_up(const struct zc_strategy *const *all, size_t n,
		      const struct zc_frame_geom *g, struct zc_error *err)
{
	static bool done, busy;
	static struct zc_error failed;
	if (!done && !busy) { /* warm_up sets up through setup, which comes back here */
		busy = true;
		for (size_t i = 0; i < n && !failed.code; i++) {
			struct zc_error why = {0};
			if (warm_up(all[i], g, &why) != 0)
				zc_error_set(&failed, why.code, "warming up %s: %s", all[i]->name,
					     why.text);
		}
		done = true;
	}
	if (failed.code)
		return zc_error_set(err, failed.code, "%s", failed.text);
	return 0;
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
