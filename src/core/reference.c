/*
 * reference.c: reference_memcpy, a bare memcpy of the frame into a reused buffer, timed in
 * the same run as every strategy so that each time reads as a ratio to this machine's copy.
 */
#include "reference.h"

#include <errno.h>
#include <stdlib.h>

#include "instrument.h"

struct state {
	unsigned char *src, *dst;
	size_t bytes;
	uint64_t seq;
};

static void *setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	(void)arg;
	struct state *s = zc_calloc(sizeof(*s), err);
	if (!s)
		return NULL;
	s->bytes = g->bytes;
	s->src = malloc(g->bytes);
	s->dst = malloc(g->bytes);
	if (!s->src || !s->dst) {
		free(s->src);
		free(s->dst);
		free(s);
		zc_error_errno(err, ENOMEM);
		return NULL;
	}
	zc_frame_render(s->src, g->bytes, 0);
	zc_frame_render(s->dst, g->bytes, 0); /* first touch outside the timing */
	return s;
}

static int transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	(void)err;
	struct state *s = st;
	if (render)
		zc_frame_render(s->src, s->bytes, ++s->seq);
	else
		zc_frame_stamp(s->src, s->bytes, ++s->seq);
	zc_copy(s->dst, s->src, s->bytes);
	*v = (struct zc_view){.data = s->dst, .bytes = s->bytes, .seq = s->seq, .producer = s->src};
	return 0;
}

static void release(void *st, struct zc_view *v)
{
	(void)st;
	(void)v;
}

static void teardown(void *st)
{
	struct state *s = st;
	free(s->src);
	free(s->dst);
	free(s);
}

const struct zc_strategy zc_reference_memcpy = {
	.name = "reference_memcpy",
	.mirrors = "a bare memcpy of the frame into a reused buffer: this machine's copy cost",
	.expect_zero_copy = false,
	.setup = setup, .transfer = transfer, .release = release, .teardown = teardown,
};
