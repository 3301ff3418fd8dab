/*
 * source.c: the producer as the pyo3 module reaches it (bridge.h), and the counts of the
 * frames it took and gave back.
 */
#include "bridge.h"

static struct zc_py3_frame_stats stats;
static enum zc_python_phase phase = ZC_PYTHON_OUTSIDE;

unsigned char *zc_py3_next_frame(struct zc_py3_source *s, uint64_t seq, int render)
{
	s->last = s->api->next_frame(s->producer, seq, render);
	return s->last;
}

unsigned char *zc_py3_take_frame(struct zc_py3_source *s, uint64_t seq, int render,
				 zcp_release_fn *release, void **ctx)
{
	unsigned char *p = s->api->take_frame(s->producer, seq, render, release, ctx);
	if (p)
		stats.taken++;
	s->last = p;
	return p;
}

size_t zc_py3_frame_bytes(const struct zc_py3_source *s)
{
	return s->bytes;
}

void zc_py3_given_back(void)
{
	stats.given_back[phase]++;
}

void zc_py3_set_phase(enum zc_python_phase p)
{
	phase = p;
}

const struct zc_py3_frame_stats *zc_py3_stats(void)
{
	return &stats;
}
