/*
 * identity.h: was the frame shared or copied? The identity probe runs a strategy on fully
 * rendered frames, outside any timing: it compares addresses, verifies every byte against the
 * content rendered for that frame, and writes through the producer's bytes to see whether the
 * consumer sees the write. The verdict (verdict.h) weighs that with the copy count.
 */
#ifndef ZC_IDENTITY_H
#define ZC_IDENTITY_H

#include <stdint.h>

#include "error.h"
#include "instrument.h"
#include "results.h"
#include "strategy.h"

#define ZC_VALIDATION_FRAMES 3

struct zc_validation {
	struct zc_identity id;
	struct zc_counts transfers;  /* counts over the validated transfers (setup excluded) */
	int64_t live_at_end;         /* blocks setup + transfers + teardown left allocated */
	int64_t runtime_live_at_end; /* the part of them a runtime's own threads keep: excluded */
};

/*
 * Sets the strategy up, moves ZC_VALIDATION_FRAMES rendered frames, probes the last one, and
 * tears down. Returns 0, or -1 with the reason in err when setup, a transfer or the probe
 * failed: ZC_EXIT_NOMEM when out of memory, else ZC_EXIT_RUNTIME.
 */
int zc_identity_validate(const struct zc_strategy *s, const struct zc_frame_geom *g,
			 struct zc_validation *out, struct zc_error *err);

#endif
