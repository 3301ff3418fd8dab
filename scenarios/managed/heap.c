/*
 * heap.c: the simulated managed heap (see heap.h): a bump-allocated young generation, an old
 * generation of individually allocated survivors, external objects with finalizers, and the
 * collection triggers.
 *
 * Every collection scavenges the young generation and sweeps the old one. A real VM sweeps the
 * old generation far less often; sweeping every time keeps the figures deterministic and is
 * the most favourable case for external objects (their finalizers run at the first collection
 * that finds them unreachable).
 */
#include "heap.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "instrument.h"

#define OBJS_PER_CHUNK 64

struct obj_chunk {
	struct obj_chunk *next;
	struct zc_heap_obj objs[OBJS_PER_CHUNK];
};

struct zc_heap {
	struct zc_heap_config cfg;
	unsigned char *young;
	size_t young_used;
	size_t external_since;    /* reported external bytes since the last collection */
	size_t large_since;       /* large-object bytes since the last collection */
	struct zc_heap_obj *young_objs, *old_objs;
	struct zc_heap_obj *free_objs;
	struct obj_chunk *chunks;
	struct zc_heap_stats stats;
	bool failed;              /* a collection ran out of memory: allocations fail from now on */
};

static const char *const cause_names[ZC_GC_CAUSES] = {"young_full", "external_size",
						      "large_objects"};

const char *zc_gc_cause_name(enum zc_gc_cause cause)
{
	assert(cause < ZC_GC_CAUSES);
	return cause_names[cause];
}

static size_t align16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

struct zc_heap *zc_heap_create(const struct zc_heap_config *cfg)
{
	struct zc_heap *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->cfg = *cfg;
	if (!h->cfg.young_bytes)
		h->cfg.young_bytes = ZC_HEAP_YOUNG_DEFAULT;
	h->cfg.young_bytes &= ~(size_t)15;
	if (!h->cfg.external_limit)
		h->cfg.external_limit = h->cfg.young_bytes;
	if (!h->cfg.large_limit)
		h->cfg.large_limit = h->cfg.young_bytes;
	h->young = malloc(h->cfg.young_bytes);
	if (!h->young) {
		free(h);
		errno = ENOMEM;
		return NULL;
	}
	return h;
}

/* A descriptor from the free list, which grows a chunk at a time. */
static struct zc_heap_obj *obj_new(struct zc_heap *h)
{
	if (!h->free_objs) {
		struct obj_chunk *c = malloc(sizeof(*c));
		if (!c)
			return NULL;
		c->next = h->chunks;
		h->chunks = c;
		for (size_t i = 0; i < OBJS_PER_CHUNK; i++) {
			c->objs[i].next = h->free_objs;
			h->free_objs = &c->objs[i];
		}
	}
	struct zc_heap_obj *o = h->free_objs;
	h->free_objs = o->next;
	*o = (struct zc_heap_obj){0};
	return o;
}

static void obj_born(struct zc_heap *h, struct zc_heap_obj *o)
{
	struct zc_heap_stats *s = &h->stats;
	struct zc_heap_obj **list = o->old ? &h->old_objs : &h->young_objs;
	o->next = *list;
	*list = o;
	s->objects_alive++;
	s->payload_bytes_alive += o->bytes;
	if (s->objects_alive > s->objects_alive_peak)
		s->objects_alive_peak = s->objects_alive;
	if (s->payload_bytes_alive > s->payload_bytes_alive_peak)
		s->payload_bytes_alive_peak = s->payload_bytes_alive;
}

/* o is unreachable (or the heap goes away): frees its payload and returns the descriptor. */
static void obj_die(struct zc_heap *h, struct zc_heap_obj *o)
{
	if (o->external) {
		o->finalizer(o->peer);
		h->stats.finalizers_run++;
	} else if (o->old) {
		free(o->data);
	}
	h->stats.objects_alive--;
	h->stats.payload_bytes_alive -= o->bytes;
	o->next = h->free_objs;
	h->free_objs = o;
}

/* Copies a reachable young object into the old generation. Returns -1 when out of memory. */
static int promote(struct zc_heap *h, struct zc_heap_obj *o)
{
	if (o->external) {
		h->stats.bytes_copied += ZC_HEAP_EXTERNAL_HEADER; /* the payload stays outside */
	} else {
		unsigned char *p = malloc(o->bytes ? o->bytes : 1);
		if (!p)
			return -1;
		zc_copy(p, o->data, o->bytes);
		o->data = p;
		h->stats.bytes_copied += ZC_HEAP_TYPED_HEADER + o->bytes;
		h->stats.payload_bytes_copied += o->bytes;
	}
	o->old = true;
	o->next = h->old_objs;
	h->old_objs = o;
	return 0;
}

static void sweep_old(struct zc_heap *h)
{
	struct zc_heap_obj **link = &h->old_objs;
	while (*link) {
		struct zc_heap_obj *o = *link;
		if (o->rooted) {
			link = &o->next;
			continue;
		}
		*link = o->next;
		obj_die(h, o);
	}
}

static int scavenge(struct zc_heap *h)
{
	struct zc_heap_obj *o = h->young_objs;
	h->young_objs = NULL;
	int rc = 0;
	while (o) {
		struct zc_heap_obj *next = o->next;
		if (!o->rooted) {
			obj_die(h, o);
		} else if (rc != 0 || promote(h, o) != 0) {
			rc = -1; /* stays where it is: the young region is never reused after this */
			o->next = h->young_objs;
			h->young_objs = o;
		}
		o = next;
	}
	return rc;
}

void zc_heap_collect(struct zc_heap *h, enum zc_gc_cause cause)
{
	assert(cause < ZC_GC_CAUSES);
	h->stats.collections++;
	h->stats.by_cause[cause]++;
	sweep_old(h);
	if (scavenge(h) != 0) {
		h->failed = true;
		return;
	}
	h->young_used = 0;
	h->external_since = 0;
	h->large_since = 0;
}

/* need bytes of the young generation, collecting first when they do not fit; NULL on failure. */
static unsigned char *young_bump(struct zc_heap *h, size_t need)
{
	need = align16(need);
	assert(need <= h->cfg.young_bytes);
	if (h->young_used + need > h->cfg.young_bytes)
		zc_heap_collect(h, ZC_GC_YOUNG_FULL);
	if (h->failed)
		return NULL;
	unsigned char *p = h->young + h->young_used;
	h->young_used += need;
	return p;
}

/* A typed-data object too large for the young generation, allocated in the old one. */
static struct zc_heap_obj *alloc_large(struct zc_heap *h, size_t bytes)
{
	if (h->large_since > 0 && h->large_since + bytes > h->cfg.large_limit)
		zc_heap_collect(h, ZC_GC_LARGE_OBJECTS);
	struct zc_heap_obj *o = h->failed ? NULL : obj_new(h);
	if (!o)
		return NULL;
	o->data = malloc(bytes);
	if (!o->data) {
		o->next = h->free_objs;
		h->free_objs = o;
		return NULL;
	}
	o->bytes = bytes;
	o->old = true;
	h->large_since += bytes;
	obj_born(h, o);
	return o;
}

struct zc_heap_obj *zc_heap_alloc_typed(struct zc_heap *h, size_t bytes)
{
	if (align16(ZC_HEAP_TYPED_HEADER + bytes) > h->cfg.young_bytes)
		return alloc_large(h, bytes);
	unsigned char *p = young_bump(h, ZC_HEAP_TYPED_HEADER + bytes);
	struct zc_heap_obj *o = p ? obj_new(h) : NULL;
	if (!o)
		return NULL;
	o->data = p + ZC_HEAP_TYPED_HEADER;
	o->bytes = bytes;
	h->stats.young_payload_bytes += bytes;
	obj_born(h, o);
	return o;
}

struct zc_heap_obj *zc_heap_alloc_external(struct zc_heap *h, unsigned char *data, size_t bytes,
					   size_t external_size, zc_finalizer_fn finalizer,
					   void *peer)
{
	assert(finalizer);
	if (external_size > 0 && h->external_since > 0 &&
	    h->external_since + external_size > h->cfg.external_limit)
		zc_heap_collect(h, ZC_GC_EXTERNAL_SIZE);
	unsigned char *header = young_bump(h, ZC_HEAP_EXTERNAL_HEADER);
	struct zc_heap_obj *o = header ? obj_new(h) : NULL;
	if (!o)
		return NULL;
	*o = (struct zc_heap_obj){.data = data, .bytes = bytes, .external_size = external_size,
				  .finalizer = finalizer, .peer = peer, .external = true};
	h->external_since += external_size;
	h->stats.external_reported += external_size;
	obj_born(h, o);
	return o;
}

void zc_heap_alloc_garbage(struct zc_heap *h, size_t bytes)
{
	while (bytes > 0 && !h->failed) {
		size_t n = bytes < h->cfg.young_bytes ? bytes : h->cfg.young_bytes;
		young_bump(h, n);
		bytes -= n;
	}
}

void zc_heap_run_finalizer(struct zc_heap *h, zc_finalizer_fn finalizer, void *peer)
{
	finalizer(peer);
	h->stats.finalizers_run++;
}

void zc_heap_root(struct zc_heap_obj *o)
{
	o->rooted = true;
}

void zc_heap_unroot(struct zc_heap_obj *o)
{
	o->rooted = false;
}

const struct zc_heap_stats *zc_heap_stats(const struct zc_heap *h)
{
	return &h->stats;
}

const struct zc_heap_config *zc_heap_config(const struct zc_heap *h)
{
	return &h->cfg;
}

static void die_all(struct zc_heap *h, struct zc_heap_obj *o)
{
	while (o) {
		struct zc_heap_obj *next = o->next;
		obj_die(h, o);
		o = next;
	}
}

void zc_heap_destroy(struct zc_heap *h)
{
	if (!h)
		return;
	die_all(h, h->young_objs);
	die_all(h, h->old_objs);
	while (h->chunks) {
		struct obj_chunk *c = h->chunks;
		h->chunks = c->next;
		free(c);
	}
	free(h->young);
	free(h);
}
