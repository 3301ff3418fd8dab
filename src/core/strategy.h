/*
 * strategy.h: the interface every way of handing a frame across a boundary implements.
 *
 * A transfer: the producer hands one frame it owns to the consumer; the consumer gets a
 * readable view, checks the stamp, and releases it. setup and teardown run once per strategy,
 * outside any timing; transfer and release are what the benchmark times.
 */
#ifndef ZC_STRATEGY_H
#define ZC_STRATEGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "frame.h"

struct zc_result;
struct zc_counts;
struct zc_memstat;

/* The number of entries of a static array (a strategy table, say). */
#define ZC_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* What the consumer holds after a transfer. */
struct zc_view {
	const unsigned char *data; /* the consumer's bytes; NULL when they live in another process */
	size_t bytes;
	uint64_t seq;              /* the sequence number the producer stamped */
	unsigned char *producer;   /* the producer's bytes for this frame (for the write probe) */
	void *token;               /* the strategy's own bookkeeping (handle, slot, message) */
};

/*
 * What a hand-over between two threads or processes saw, from the strategy's own clocks:
 * for each of its last n transfers, post to receipt and the poster's own cost, and the CPUs
 * each side ran on (sched_getcpu, a bit per CPU). The arrays belong to the strategy.
 */
struct zc_handover_log {
	const double *one_way_ns;
	const double *post_ns;
	size_t n;
	uint64_t producer_cpus, consumer_cpus;
};

struct zc_strategy {
	const char *name;          /* what a user says: "copy", "move", "pool" */
	const char *mirrors;       /* the real API it stands for */
	bool expect_zero_copy;

	/* Creates the strategy's state for frames of geometry g; NULL with errno on failure. */
	void *(*setup)(const struct zc_frame_geom *g);
	/*
	 * Moves the next frame across. When render is true the producer renders the whole frame
	 * (validation runs); otherwise it only stamps it, since rendering is not the transfer's
	 * cost. Returns 0, or -1 when the transfer failed.
	 */
	int (*transfer)(void *state, bool render, struct zc_view *out);
	/* The consumer is done with the view. */
	void (*release)(void *state, struct zc_view *v);
	/* Frees everything setup and transfers allocated. */
	void (*teardown)(void *state);
	/*
	 * Optional: the producer writes value at offset of the frame it handed over in v, as seen
	 * from its side. NULL means the producer's bytes are at v->producer in this address space.
	 */
	int (*probe_write)(void *state, const struct zc_view *v, size_t offset, unsigned char value);
	/* Optional: restores the byte probe_write changed. */
	void (*probe_restore)(void *state, const struct zc_view *v, size_t offset,
			      unsigned char value);
	/*
	 * Optional: the consumer's reading of the byte at offset, when it is not at v->data in
	 * this address space (another process).
	 */
	int (*probe_read)(void *state, const struct zc_view *v, size_t offset, unsigned char *value);
	/*
	 * Optional: the checksum (zc_frame_checksum) of the consumer's bytes, computed where they
	 * live. Needed when v->data is NULL (another process), so validation can still check them.
	 */
	int (*consumer_checksum)(void *state, const struct zc_view *v, uint64_t *sum);
	/*
	 * Optional: adds the strategy's own figures (hand-over latency, gc, the legs of a round
	 * trip) as members of @extra, an object the runner created and owns, after the timed
	 * runs and before teardown; @res holds what the runner measured so far.
	 */
	void (*extras)(void *state, const struct zc_result *res, json_t *extra);
	/*
	 * Optional, for a consumer in another process: the counts its own instruments (the same
	 * interposers, in the consumer's address space) have made since it started. The runner
	 * takes them before and after the timed transfers, as it does its own. 0, or -1.
	 */
	int (*consumer_counts)(void *state, struct zc_counts *out);
	/*
	 * Optional, for a consumer in another process: that process's memory now, read there
	 * (zc_memstat_read: VmRSS, Pss, and its minor page faults since it started; fields it
	 * does not know are -1). The runner takes it before and after the timed transfers, next
	 * to consumer_counts, for the consumer's faults per transfer, and once after the runs for
	 * its RSS and PSS. NULL in one address space: the producer's figures are the consumer's.
	 * 0, or -1.
	 */
	int (*consumer_memory)(void *state, struct zc_memstat *out);
	/*
	 * Optional, for a consumer in another process: where it holds the frame of the last
	 * transfer, its process and the address there, so that validation can compare physical
	 * pages (identity.same_pages). 0, or -1.
	 */
	int (*consumer_view)(void *state, pid_t *pid, uintptr_t *addr);
	/*
	 * Optional, for a consumer in another process: its side of the evidence pass
	 * (evidence.h). With arm, it watches every writable mapping of its process; without, it
	 * counts the pages it wrote since: all of them into *pages, those that hold the frame's
	 * bytes into *frame_bytes. 0; 1 when its process cannot be watched (the reason in
	 * *why, up to why_len bytes); -1 when the consumer failed.
	 */
	int (*consumer_pages)(void *state, bool arm, long *pages, long *frame_bytes, char *why,
			      size_t why_len);
	/*
	 * Optional, for a consumer on another thread or in another process: the hand-over log
	 * (above), read once after the timed runs, before teardown. 0, or -1.
	 */
	int (*handover)(void *state, struct zc_handover_log *out);
};

#endif
