/*
 * modes.h: a row whose measuring processes land in one of two modes far apart (a runtime's
 * collector or JIT: a JVM process that runs a frame in 0.8 ms or in 5 ms, whichever way its
 * heap was sized). Which mode a process lands in is chance, so two sides of an unchanged row
 * can differ by how many of their processes were slow; comparing medians across the mix then
 * calls chance a change (a java row once read +19.8%, p 0.0003, with nothing changed). The
 * gate compares such a row within its fast mode, and says how often each side was slow.
 */
#ifndef ZC_MODES_H
#define ZC_MODES_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The modes are at least this factor apart: a nearer gap is noise, not two modes. */
#define ZC_MODES_MIN_GAP 2.0

struct zc_modes {
	bool two;              /* each side has values in both modes, two or more in the fast one */
	double cut;            /* the fast mode: values <= cut */
	double gap;            /* the factor between the modes' nearest values */
	size_t slow_base, slow_cur; /* values in the slow mode on each side */
};

/*
 * Looks for two modes in @b (@nb values) and @c (@nc values) pooled: the widest gap between
 * two neighbouring values, when it is a factor of ZC_MODES_MIN_GAP or more. Values are
 * positive. Returns 0 with @out filled in (out->two false when there are not two modes on
 * both sides), or -1 when out of memory.
 */
int zc_modes_find(const double *b, size_t nb, const double *c, size_t nc, struct zc_modes *out);

#ifdef __cplusplus
}
#endif

#endif
