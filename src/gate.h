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
#ifndef ZCBENCH_GATE_H
#define ZCBENCH_GATE_H

#include <stddef.h>
#include <jansson.h>

#include "results_load.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GATE_DEFAULT_THRESHOLD 0.10
#define GATE_DEFAULT_ALPHA 0.05
#define GATE_MIN_REPETITIONS 9		/* fewer make the Mann-Whitney test weak */
#define GATE_REFERENCE "reference_memcpy"
#define GATE_TIME_METRIC "time.vs_memcpy"

enum gate_status { GATE_PASS, GATE_REGRESSED, GATE_IMPROVED };

struct gate_options {
	double threshold;	/* relative change, 0.10 for 10% */
	double alpha;		/* significance level of the Mann-Whitney test */
};

/* One metric of one strategy compared. */
struct gate_row {
	char *scenario;
	char *strategy;
	const char *metric;	/* a dotted field name, static */
	json_t *baseline;	/* owned: a string, true/false or a number */
	json_t *current;	/* owned */
	double change;		/* current / baseline - 1; NAN when not a number or baseline 0 */
	double p;		/* Mann-Whitney p-value; NAN for invariants */
	enum gate_status status;
};

/* A growing list of distinct lines. */
struct gate_lines {
	char **v;
	size_t n;
	size_t cap;
};

struct gate_report {
	struct gate_row *rows;
	size_t nrows;
	size_t caprows;
	struct gate_lines notes;	/* metrics skipped, results found on one side only */
	struct gate_lines warnings;	/* what makes the verdict less trustworthy */
	struct gate_lines scenarios;	/* scenarios compared */
	size_t regressions;
	size_t improvements;
	size_t passed;
};

void gate_options_init(struct gate_options *opt);

/* "pass", "regressed" or "improved". */
const char *gate_status_name(enum gate_status status);

/*
 * Compare every result present in both @base and @cur.  Returns 0 with @rep filled in (release
 * it with gate_report_release()), or -1 with @rep empty and @err set: EFRAME when a result's
 * frame sizes differ, ENOCOMMON when no result is in both, ENOMEM.
 */
int gate_compare(const struct results_set *base, const struct results_set *cur,
		 const struct gate_options *opt, struct gate_report *rep,
		 struct results_error *err);

void gate_report_release(struct gate_report *rep);

#ifdef __cplusplus
}
#endif

#endif
