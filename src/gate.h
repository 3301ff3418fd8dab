/*
 * gate.h: compare a baseline run of zcbench with a current one and say, metric by metric,
 * whether the current run regressed.
 *
 * Two kinds of gate, per scenario and strategy:
 *  - invariants, exact and independent of the machine: identity.verdict, identity.same_address,
 *    identity.aliasing_visible, copies.bytes_per_transfer, allocations.frame_sized_per_transfer,
 *    allocations.live_at_end.  Losing sharing, or any more copies, frame-sized allocations or
 *    live allocations, is a regression; the opposite is an improvement.
 *  - timing, noisy: every sample is divided by the median of reference_memcpy's samples in the
 *    same run, so that the machine's speed cancels out; metric time.vs_memcpy.  With
 *    change = median(current ratios) / median(baseline ratios) - 1, a regression needs
 *    change > threshold and a two-sided Mann-Whitney p < alpha; an improvement needs
 *    change < -threshold and p < alpha.
 * A metric missing on either side is skipped with a note, never an error.
 */
#ifndef ZC_GATE_H
#define ZC_GATE_H

#include <stddef.h>
#include <jansson.h>

#include "results_load.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ZC_GATE_DEFAULT_THRESHOLD 0.10
#define ZC_GATE_DEFAULT_ALPHA 0.05
#define ZC_GATE_MIN_REPETITIONS 9		/* fewer make the Mann-Whitney test weak */
#define ZC_GATE_MIN_PROCESSES 4		/* with this many process medians on both sides, the
					   test compares processes, not repetitions */
#define ZC_GATE_GOOD_PROCESSES 5		/* fewer processes make that test weak */
#define ZC_GATE_REFERENCE "reference_memcpy"
#define ZC_GATE_TIME_METRIC "time.vs_memcpy"

enum zc_gate_status { ZC_GATE_PASS, ZC_GATE_REGRESSED, ZC_GATE_IMPROVED };

struct zc_gate_options {
	double threshold;	/* relative change, 0.10 for 10% */
	double alpha;		/* significance level of the Mann-Whitney test */
};

/* One metric of one strategy compared. */
struct zc_gate_row {
	char *scenario;
	char *strategy;
	const char *metric;	/* a dotted field name, static */
	json_t *baseline;	/* owned: a string, true/false or a number */
	json_t *current;	/* owned */
	double change;		/* current / baseline - 1; NAN when not a number or baseline 0 */
	double p;		/* Mann-Whitney p-value; NAN for invariants */
	enum zc_gate_status status;
};

/* A growing list of distinct lines. */
struct zc_gate_lines {
	char **v;
	size_t n;
	size_t cap;
};

struct zc_gate_report {
	struct zc_gate_row *rows;
	size_t nrows;
	size_t caprows;
	struct zc_gate_lines notes;	/* metrics skipped, results found on one side only */
	struct zc_gate_lines warnings;	/* what makes the verdict less trustworthy */
	struct zc_gate_lines scenarios;	/* scenarios compared */
	size_t regressions;
	size_t improvements;
	size_t passed;
};

void zc_gate_options_init(struct zc_gate_options *opt);

/* "pass", "regressed" or "improved". */
const char *zc_gate_status_name(enum zc_gate_status status);

/*
 * Compare every result present in both @base and @cur.  Returns 0 with @rep filled in (release
 * it with zc_gate_report_release()), or -1 with @rep empty and @err set: EFRAME when a result's
 * frame sizes differ, ENOCOMMON when no result is in both, ENOMEM.
 */
int zc_gate_compare(const struct zc_results_set *base, const struct zc_results_set *cur,
		 const struct zc_gate_options *opt, struct zc_gate_report *rep,
		 struct zc_results_error *err);

void zc_gate_report_release(struct zc_gate_report *rep);

#ifdef __cplusplus
}
#endif

#endif
