/*
 * heap.h: a small simulated garbage-collected heap, the consumer side of the managed scenario
 * (the Dart VM, the JVM, CPython).
 *
 * - The young generation is a bump region of fixed size where typed-data objects (header and
 *   payload) and external objects (a header only) are allocated. When an allocation does not
 *   fit, a collection runs first.
 * - A collection scavenges the young generation, copying every reachable object into the old
 *   generation (payloads with zc_copy, so they count as copies of frame bytes), and sweeps the
 *   old generation. Unreachable external objects have their finalizer run.
 * - External objects report an external size; once the reported bytes allocated since the last
 *   collection would pass external_limit, a collection runs first (NativeFinalizer.attach's
 *   externalSize). An object reported with size 0 never triggers one.
 * - Objects larger than the young generation go straight to the old generation; once such
 *   bytes since the last collection would pass large_limit, a collection runs first.
 *
 * Reachability is explicit: the mutator roots the objects it holds (zc_heap_root) and unroots
 * them when it drops them. Nothing here runs on its own: collections happen inside allocations,
 * so an object stays where it is between two allocations.
 */
#ifndef ZC_HEAP_H
#define ZC_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZC_HEAP_YOUNG_DEFAULT (16u << 20)
#define ZC_HEAP_TYPED_HEADER 16u    /* bytes of a typed-data object before its payload */
#define ZC_HEAP_EXTERNAL_HEADER 48u /* bytes of an external object in the heap */

enum zc_gc_cause {
	ZC_GC_YOUNG_FULL,    /* an allocation did not fit in the young generation */
	ZC_GC_EXTERNAL_SIZE, /* reported external bytes reached external_limit */
	ZC_GC_LARGE_OBJECTS, /* objects too large for the young generation reached large_limit */
	ZC_GC_CAUSES
};

struct zc_heap_config {
	size_t young_bytes;    /* capacity of the young generation */
	size_t external_limit; /* reported external bytes since the last collection; 0: young_bytes */
	size_t large_limit;    /* old-generation large objects since the last collection; 0: idem */
};

typedef void (*zc_finalizer_fn)(void *peer);

struct zc_heap_obj {
	unsigned char *data;   /* the payload: in the young or old generation, or external */
	size_t bytes;
	size_t external_size;  /* as reported; 0 for typed data and unsized external objects */
	zc_finalizer_fn finalizer; /* external objects: frees the payload */
	void *peer;
	bool external;
	bool old;              /* in the old generation */
	bool rooted;
	struct zc_heap_obj *next;
};

struct zc_heap_stats {
	uint64_t collections;
	uint64_t by_cause[ZC_GC_CAUSES];
	uint64_t bytes_copied;       /* everything the scavenger copied: headers and payloads */
	uint64_t payload_bytes_copied; /* the part that was typed-data payload (frame bytes) */
	uint64_t finalizers_run;
	uint64_t young_payload_bytes; /* typed-data payload allocated in the young generation */
	uint64_t external_reported;   /* external bytes reported by allocations */
	uint64_t objects_alive, objects_alive_peak; /* objects holding a payload, not yet freed */
	uint64_t payload_bytes_alive, payload_bytes_alive_peak; /* their payload bytes */
};

struct zc_heap;

/* A heap with cfg (zero fields take their defaults); NULL with errno when out of memory. */
struct zc_heap *zc_heap_create(const struct zc_heap_config *cfg);
/* Runs every remaining finalizer and frees everything the heap holds. */
void zc_heap_destroy(struct zc_heap *h);

/* A typed-data object with room for bytes of payload, uninitialised; NULL when out of memory. */
struct zc_heap_obj *zc_heap_alloc_typed(struct zc_heap *h, size_t bytes);
/*
 * An external object over data (which the heap does not copy); finalizer(peer) runs when the
 * object is collected. external_size is what the runtime is told the object holds (0: nothing).
 */
struct zc_heap_obj *zc_heap_alloc_external(struct zc_heap *h, unsigned char *data, size_t bytes,
					   size_t external_size, zc_finalizer_fn finalizer,
					   void *peer);
/* Advances the young generation by bytes of objects that are garbage at once. */
void zc_heap_alloc_garbage(struct zc_heap *h, size_t bytes);

/*
 * Runs finalizer(peer) now, outside any collection, and counts it: an external payload the
 * runtime cloned and dropped at once, which never became a heap object.
 */
void zc_heap_run_finalizer(struct zc_heap *h, zc_finalizer_fn finalizer, void *peer);

void zc_heap_root(struct zc_heap_obj *o);
void zc_heap_unroot(struct zc_heap_obj *o);

/* Collects now. */
void zc_heap_collect(struct zc_heap *h, enum zc_gc_cause cause);

const struct zc_heap_stats *zc_heap_stats(const struct zc_heap *h);
const struct zc_heap_config *zc_heap_config(const struct zc_heap *h);
/* "young_full", "external_size", "large_objects". */
const char *zc_gc_cause_name(enum zc_gc_cause cause);

#endif
