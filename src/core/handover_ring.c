/*
 * handover_ring.c: the hand-over log's rings (handover_ring.h).
 */
#include "handover_ring.h"

#include <stdlib.h>

#include "clock.h"
#include "placement.h"

int zc_handover_ring_init(struct zc_handover_ring *r)
{
	*r = (struct zc_handover_ring){0};
	r->one_way_ns = calloc(ZC_HANDOVER_RING, sizeof(*r->one_way_ns));
	r->post_ns = calloc(ZC_HANDOVER_RING, sizeof(*r->post_ns));
	return r->one_way_ns && r->post_ns ? 0 : -1;
}

void zc_handover_ring_free(struct zc_handover_ring *r)
{
	free(r->one_way_ns);
	free(r->post_ns);
	*r = (struct zc_handover_ring){0};
}

void zc_handover_posted(struct zc_handover_ring *r, uint64_t seq, uint64_t posted_ns)
{
	r->post_ns[seq % ZC_HANDOVER_RING] = (double)(zc_now_ns() - posted_ns);
	r->producer_cpus |= zc_placement_cpu_bit();
}

void zc_handover_received(struct zc_handover_ring *r, uint64_t seq, double one_way_ns,
			  uint64_t cpu_bit)
{
	r->one_way_ns[seq % ZC_HANDOVER_RING] = one_way_ns;
	r->consumer_cpus |= cpu_bit;
}

void zc_handover_ring_log(const struct zc_handover_ring *r, uint64_t last,
			  struct zc_handover_log *out)
{
	/* seq starts at 1: until the ring wraps, slot 0 is unused */
	size_t from = last < ZC_HANDOVER_RING ? 1 : 0;
	*out = (struct zc_handover_log){
		.one_way_ns = r->one_way_ns + from, .post_ns = r->post_ns + from,
		.n = last < ZC_HANDOVER_RING ? (size_t)last : ZC_HANDOVER_RING,
		.producer_cpus = r->producer_cpus, .consumer_cpus = r->consumer_cpus};
}
