/*
 * handover_ring.h: the hand-over log a strategy between two threads or processes keeps for
 * its handover hook (strategy.h): for its last ZC_HANDOVER_RING transfers, post to receipt
 * and the poster's own cost, indexed by sequence number, and the CPUs each side ran on.
 */
#ifndef ZC_HANDOVER_RING_H
#define ZC_HANDOVER_RING_H

#include <stdint.h>

#include "strategy.h"

#define ZC_HANDOVER_RING 65536 /* transfers kept per measuring process */

struct zc_handover_ring {
	double *one_way_ns, *post_ns;
	uint64_t producer_cpus, consumer_cpus; /* a bit per CPU sched_getcpu returned */
};

/* Allocates the two rings. 0, or -1 out of memory (r is then safe to free). */
int zc_handover_ring_init(struct zc_handover_ring *r);
void zc_handover_ring_free(struct zc_handover_ring *r);

/* The producer's side of transfer seq: its post, started at posted_ns, has returned. */
void zc_handover_posted(struct zc_handover_ring *r, uint64_t seq, uint64_t posted_ns);
/* The consumer's side: it received transfer seq one_way_ns after the post, on cpu_bit. */
void zc_handover_received(struct zc_handover_ring *r, uint64_t seq, double one_way_ns,
			  uint64_t cpu_bit);

/* The log of transfers 1..last (the last ZC_HANDOVER_RING of them), for the handover hook. */
void zc_handover_ring_log(const struct zc_handover_ring *r, uint64_t last,
			  struct zc_handover_log *out);

#endif
