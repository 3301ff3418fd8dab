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

/*
 * Three: the first transfer is where a runtime allocates once what it keeps (lazily, on the
 * caller's thread); the two after it tell a block every transfer leaves from such a one-off,
 * which would have to come again in each of them to pass for a leak.
 */
#define ZC_VALIDATION_FRAMES 3

/*
 * The blocks validation's window (setup, the transfers, teardown) left allocated fall in three
 * parts. The strategy's leak: every frame-sized block (half a frame or more) left, and the
 * small blocks every transfer left, the fewest any one transfer+release left times the
 * transfers (no more than the small blocks left at the end): a block a transfer leaves each
 * time is the strategy's, not a runtime's. Kept: the rest of the blocks left on the caller's
 * thread and the threads setup or the transfers started, small and not left by every transfer
 * (what a runtime allocates once, lazily, on the caller's thread, and keeps: JNI's per-thread
 * data, a collector's bookkeeping); negative when the window freed more than it allocated.
 * The runtime's: what the threads already running before setup left (a runtime's own
 * compiler and collector); in neither of the others.
 */
struct zc_validation {
	struct zc_identity id;
	struct zc_counts transfers;  /* counts over the validated transfers (setup excluded) */
	int64_t live_at_end;         /* the strategy's leak, in blocks */
	int64_t kept_at_end;         /* the other blocks left on its threads: not a leak */
	int64_t runtime_live_at_end; /* those a runtime's own threads left: in neither */
};

/*
 * Sets the strategy up, moves ZC_VALIDATION_FRAMES rendered frames, probes the last one, and
 * tears down; counts what that window left allocated (above). Returns 0, or -1 with the
 * reason in err when setup, a transfer or the probe failed: ZC_EXIT_NOMEM when out of memory,
 * else ZC_EXIT_RUNTIME.
 */
int zc_identity_validate(const struct zc_strategy *s, const struct zc_frame_geom *g,
			 struct zc_validation *out, struct zc_error *err);

#endif
