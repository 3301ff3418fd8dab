/*
 * direct_pool.h: the producer's frames lent to Java as direct buffers, and given back by the
 * Cleaner's thread once the collector found a buffer unreachable.
 *
 * A direct buffer over foreign memory tells the collector nothing of the frame it holds, so
 * nothing makes the collector run for frames: they come back only at collections made for
 * other reasons. The pool keeps memory bounded the way an application must: a fixed number of
 * frames, and when none is free, a collection asked for (System.gc()) and a wait for the
 * Cleaner, each one counted.
 */
#ifndef ZC_JAVA_DIRECT_POOL_H
#define ZC_JAVA_DIRECT_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "producer_api.h"

struct zc_direct_pool;

/* What the pool saw since it opened. */
struct zc_direct_stats {
	uint64_t handed_over;       /* frames lent to Java */
	uint64_t given_back;        /* frames the Cleaner gave back (one Cleaner run each) */
	uint64_t most_outstanding;  /* frames lent and not back yet, at most, at once */
	uint64_t collections_forced; /* System.gc() asked because no frame was free */
	double wait_ms;             /* time spent waiting for the Cleaner */
	unsigned frames;            /* the pool's size */
};

/* Asks the runtime for a collection (System.gc()). Returns 0, or -1 with errno. */
typedef int (*zc_direct_collect_fn)(void *ctx);

/*
 * A pool of slots frames of bytes each from a producer of api. Only one pool is open at a
 * time in a process (the Cleaner's calls find it by a token). NULL with errno.
 */
struct zc_direct_pool *zc_direct_pool_open(const struct zc_producer_api *api, size_t bytes,
					   unsigned slots);

/*
 * A free frame, stamped (rendered when render) with seq, and its token for the Cleaner. When
 * no frame is free, asks collect(ctx) and waits for the Cleaner to give one back. NULL with
 * errno (ETIMEDOUT when none came back).
 */
unsigned char *zc_direct_pool_take(struct zc_direct_pool *p, uint64_t seq, bool render,
				   int64_t *token, zc_direct_collect_fn collect, void *ctx);

/* The Cleaner's call (any thread): the frame of token is free again. */
void zc_direct_pool_give_back(int64_t token);

/*
 * Waits until every frame lent is back, asking collect(ctx) as needed. Returns 0, or -1 with
 * errno (ETIMEDOUT) when some never came back.
 */
int zc_direct_pool_drain(struct zc_direct_pool *p, zc_direct_collect_fn collect, void *ctx);

void zc_direct_pool_stats(struct zc_direct_pool *p, struct zc_direct_stats *out);

/*
 * Closes the pool and its producer. A pool whose frames did not all come back (a drain that
 * failed) keeps its producer's memory, which a buffer may still reach: leaked, not freed.
 */
void zc_direct_pool_close(struct zc_direct_pool *p);

#endif
