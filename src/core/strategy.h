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

#include "error.h"
#include "frame.h"

struct zc_result;
struct zc_counts;
struct zc_memstat;
struct zc_unwatched_list;

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

/*
 * Optional: the identity probe (identity.c) when it cannot reach the bytes itself. Any hook
 * may be NULL: then the producer's bytes are at v->producer, the consumer's at v->data, in
 * this address space. Each returns 0, or -1 with the reason in err.
 */
struct zc_probe_ops {
	/* The producer writes value at offset of the frame it handed over in v. */
	int (*write)(void *state, const struct zc_view *v, size_t offset, unsigned char value,
		     struct zc_error *err);
	/* Restores the byte write changed. */
	int (*restore)(void *state, const struct zc_view *v, size_t offset, unsigned char value,
		       struct zc_error *err);
	/* The consumer's reading of the byte at offset, where its bytes live. */
	int (*read)(void *state, const struct zc_view *v, size_t offset, unsigned char *value,
		    struct zc_error *err);
};

/*
 * Optional: a consumer in another process, whose figures are read there. Its table is given
 * whole or not at all; checksum and view may be NULL (a row that carries no frame). Each
 * hook returns 0, or -1 with the reason in err (the consumer did not answer, or said no).
 */
struct zc_remote_consumer {
	/*
	 * The checksum (zc_frame_checksum) of the consumer's bytes, computed where they live,
	 * so that validation can check them though v->data is NULL. NULL: not checked.
	 */
	int (*checksum)(void *state, const struct zc_view *v, uint64_t *sum, struct zc_error *err);
	/*
	 * The counts its own instruments (the same interposers, in the consumer's address
	 * space) have made since it started. The runner takes them before and after the timed
	 * transfers, as it does its own.
	 */
	int (*counts)(void *state, struct zc_counts *out, struct zc_error *err);
	/*
	 * That process's memory now, read there (zc_memstat_read: VmRSS, Pss, and its minor
	 * page faults since it started; fields it does not know are -1). The runner takes it
	 * before and after the timed transfers, next to counts, for the consumer's faults per
	 * transfer, and once after the runs for its RSS and PSS.
	 */
	int (*memory)(void *state, struct zc_memstat *out, struct zc_error *err);
	/*
	 * Where it holds the frame of the last transfer, its process and the address there, so
	 * that validation can compare physical pages (identity.same_pages). NULL: not compared.
	 */
	int (*view)(void *state, pid_t *pid, uintptr_t *addr, struct zc_error *err);
	/*
	 * Its side of the evidence pass (evidence.h). With arm, it watches every writable
	 * mapping of its process; without, it counts the pages it wrote since into *pages, and
	 * the bytes of the frame just transferred they hold (zc_frame_bytes_held) into
	 * *frame_bytes. 0; 1 when its process cannot be watched (the reason in err); -1 when
	 * the consumer failed (err).
	 */
	int (*pages)(void *state, bool arm, long *pages, long *frame_bytes, struct zc_error *err);
	/*
	 * Optional (NULL: unknown, and the verdict says so): after its side of the evidence
	 * pass, the writable mappings its watch left out and whether it saw io_uring
	 * (evidence.h's zc_evidence_unwatched, made there). 0, or -1 when the consumer failed.
	 */
	int (*unwatched)(void *state, struct zc_unwatched_list *out, struct zc_error *err);
};

/*
 * Optional, for a consumer on another thread or in another process: the hand-over log
 * (above), read once after the timed runs, before teardown; cannot fail (n 0: no log).
 */
struct zc_handover_ops {
	void (*read)(void *state, struct zc_handover_log *out);
};

/*
 * A strategy: a required core, its argument, and the optional capabilities in small tables
 * of their own. Every hook that can fail records why in err (error.h): ZC_EXIT_NOMEM when
 * it ran out of memory, else ZC_EXIT_RUNTIME (zc_error_errno records errno so).
 */
struct zc_strategy {
	const char *name;          /* what a user says: "copy", "move", "pool" */
	const char *mirrors;       /* the real API it stands for */
	bool expect_zero_copy;
	/*
	 * The consumer checks each frame's stamp itself (on its thread, in its process, in its
	 * runtime) and its transfer fails when the stamp is wrong: the runner does not check it.
	 */
	bool consumer_checks_stamp;
	/*
	 * The scenario's own measure hook (scenario.h) measures this row: setup, transfer,
	 * release and teardown are never called, and may be NULL (node).
	 */
	bool measured_by_scenario;
	/* What setup is given, from the strategy's table entry: the row's own parameters. */
	const void *arg;

	/* Creates the strategy's state for frames of geometry g; NULL with err on failure. */
	void *(*setup)(const struct zc_frame_geom *g, const void *arg, struct zc_error *err);
	/*
	 * Moves the next frame across. When render is true the producer renders the whole frame
	 * (validation runs); otherwise it only stamps it, since rendering is not the transfer's
	 * cost. Returns 0, or -1 with err when the transfer failed.
	 */
	int (*transfer)(void *state, bool render, struct zc_view *out, struct zc_error *err);
	/* The consumer is done with the view; cannot fail. */
	void (*release)(void *state, struct zc_view *v);
	/* Frees everything setup and transfers allocated; cannot fail. */
	void (*teardown)(void *state);

	/* Optional (NULL: none): the identity probe's own access to the bytes. */
	const struct zc_probe_ops *probe;
	/* Optional (NULL: the consumer is in this process): a consumer in another process. */
	const struct zc_remote_consumer *remote;
	/* Optional (NULL: no log): the hand-over log of a consumer on another thread or process. */
	const struct zc_handover_ops *handover;
	/*
	 * Optional: adds the strategy's own figures (hand-over latency, gc, the legs of a round
	 * trip) as members of @extra, an object the runner created and owns, after the timed
	 * runs and before teardown; @res holds what the runner measured so far.
	 */
	void (*extras)(void *state, const struct zc_result *res, json_t *extra);
	/*
	 * Optional (NULL: ZC_WARMUP_TRANSFERS warm-up transfers): whether the transfers so far
	 * left the strategy in its steady state, where a short run and a long one time the same
	 * thing (a runtime's first collection done: before it, every frame is fresh memory).
	 * The runner warms up until it says so, for at most ZC_WARMUP_MAX transfers.
	 */
	bool (*settled)(void *state);
};

/* Transfers before each timed loop, and at most, for a strategy that says when it settled. */
#define ZC_WARMUP_TRANSFERS 2
#define ZC_WARMUP_MAX 256

#endif
