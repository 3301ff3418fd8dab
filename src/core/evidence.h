/*
 * evidence.h: the untimed evidence pass. The strategy is set up afresh and moves a few frames
 * as the timed loop does, rendered (each copy carries its frame's fingerprint, frame.h), while
 * the page tables are watched (src/instrument/written.h): the pages each side wrote per
 * transfer, and the bytes of the frame transferred they hold. What no hook can see
 * shows here: a copy the compiler inlined, a SIMD or byte loop, the kernel writing a read()
 * into the consumer's memory. Outside the timed loop: watching makes each first write to a
 * page fault.
 */
#ifndef ZC_EVIDENCE_H
#define ZC_EVIDENCE_H

#include "error.h"
#include "results.h"
#include "strategy.h"
#include "written.h"

/* Transfers watched, after the warm-up ones; their pages are averaged. */
#define ZC_EVIDENCE_TRANSFERS 8

/*
 * Runs the pass for s on frames of geometry g into out (all of it, also when the instrument
 * is not there: the figures are then NAN and out->unavailable says why), with what the watch
 * left out (out->unwatched, out->consumer_unwatched). Returns 0, or -1
 * with err when the strategy itself failed (setup, a transfer).
 */
int zc_evidence_pass(const struct zc_strategy *s, const struct zc_frame_geom *g,
		     struct zc_written_result *out, struct zc_error *err);

/*
 * What @w left unwatched, as the results keep it (@transfers watched since its first arming:
 * the populated pages' divisor), and whether it saw io_uring.
 */
void zc_evidence_unwatched(const struct zc_written *w, int transfers,
			  struct zc_unwatched_list *out);

/*
 * Fills out for a pass that was not run (--no-pages): every figure NAN, out->unavailable
 * saying why, so that the results file and the evidence line say the pages were not counted.
 */
void zc_evidence_skip(struct zc_written_result *out, const char *why);

/*
 * The bytes the pages written say were copied per transfer: the bytes of the frame
 * transferred that the pages written on both sides hold (w->frame_bytes_per_transfer), when
 * they reach a hundredth of a frame; else 0. NAN when the pages were not counted.
 */
double zc_evidence_copy_bytes(const struct zc_written_result *w, size_t frame_bytes);

#endif
