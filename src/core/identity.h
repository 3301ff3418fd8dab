/*
 * identity.h: was the frame shared or copied? The identity probe runs a strategy on fully
 * rendered frames, outside any timing: it compares addresses, verifies every byte against the
 * content rendered for that frame, and writes through the producer's bytes to see whether the
 * consumer sees the write. The verdict adds the copy count.
 */
#ifndef ZC_IDENTITY_H
#define ZC_IDENTITY_H

#include <stdint.h>

#include "instrument.h"
#include "results.h"
#include "strategy.h"

#define ZC_VALIDATION_FRAMES 3

struct zc_validation {
	struct zc_identity id;
	struct zc_counts transfers;  /* counts over the validated transfers (setup excluded) */
	int64_t live_at_end;         /* blocks setup + transfers + teardown left allocated */
};

/*
 * Sets the strategy up, moves ZC_VALIDATION_FRAMES rendered frames, probes the last one, and
 * tears down. Returns 0, or -1 with a one-line reason in err (setup or a transfer failed).
 */
int zc_identity_validate(const struct zc_strategy *s, const struct zc_frame_geom *g,
			 struct zc_validation *out, char *err, size_t errlen);

/*
 * The verdict: zero-copy when the consumer saw the producer's write, every checksum held and
 * no byte was copied per transfer. Fills id->zero_copy and id->evidence.
 */
void zc_identity_verdict(struct zc_identity *id, bool expect_zero_copy, double copy_bytes,
			 size_t frame_bytes);

#endif
