/*
 * gate.h: compare a baseline run of zcbench with a current one and say, metric by metric,
 * whether the current run regressed.
 *
 * Two kinds of gate, per scenario and strategy:
 *  - invariants, exact and independent of the machine: identity.verdict, identity.same_address,
 *    identity.aliasing_visible, copies.bytes_per_transfer, allocations.frame_sized_per_transfer,
 *    allocations.live_at_end.  Losing sharing, or any more copies, frame-sized allocations or
 *    live allocations, is a regression; the opposite is an improvement.  These can be gated
 *    against a baseline from any machine (opt.invariants_only).
 *  - timing, noisy, only between two runs made on one machine in one job (make gate's A/B
 *    run): every figure is divided by the median of reference_memcpy's samples in its own file;
 *    metric time.vs_memcpy.  With change = median(current ratios) / median(baseline ratios) - 1,
 *    a regression needs change > threshold and a two-sided Mann-Whitney p < alpha after Holm's
 *    correction over the run's timing tests; an improvement the same the other way.  A
 *    comparison whose sample sizes cannot reach that p-value is refused (EUNDERPOWERED).
 *  - confirmation (opt.confirm_base and confirm_cur, make gate): the later rounds of a
 *    sequential gate, which measured only the rows that might have slowed (undecided at the
 *    first look, slower there), compared again on their own. Those rounds are new processes,
 *    independent of the look that chose the rows, so a one-sided Mann-Whitney test over them
 *    with Holm's correction over the rows chosen holds its level with a family far smaller
 *    than the run's; a row slower by more than the threshold there, at p < alpha / 2 (Holm),
 *    regresses.  The pooled test above then uses alpha / 2 too: the two together keep the
 *    chance of a false alarm under alpha.
 *  - screened (opt.screened, make gate): the pooled rounds were a screen, a few rounds of
 *    every row that only chose the suspects (rows slower there by more than half the
 *    threshold), too few for a test over all rows.  The pooled figures are reported, never
 *    judged nor refused; the confirmation alone calls a timing regression, at the full
 *    alpha (Holm over the rows it measured), and is refused when its processes cannot reach
 *    that level.  Without a confirmation (no suspect) no timing row regresses.
 * A side may hold several results for one strategy (one file per measuring process): they
 * are pooled.  A strategy of the baseline missing from the current run is a regression
 * (status "missing") unless opt.allow_missing; one only in the current run is listed as "new".
 * A metric missing on either side is skipped with a note.  Results made with a different
 * frame (EFRAME), allocator, counting allocator and, for timing, build type or quick mode
 * (ECONTEXT) are not compared.
 */
#ifndef ZC_GATE_H
#define ZC_GATE_H

#include <stdbool.h>
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
#define ZC_GATE_TIME_SAME_MACHINE "time.ns_per_transfer" /* with same_machine */
/*
 * The sequential gate (make gate) stops measuring a timing row once the distribution-free
 * interval of its change at this confidence (shift.h, on the logarithms of the ratios) lies
 * inside the threshold on both sides: "decided". Stopping early on a lower confidence than
 * the test's only costs power: a row slowed by more than the threshold ends up there at most
 * (1 - level) / 2 of the time.
 */
#define ZC_GATE_STOP_LEVEL 0.95
/*
 * A timing change counts only when it also moves the row by this share of one memcpy of the
 * frame (the median of the baseline's reference_memcpy): the floor. A hand-over of tens of
 * nanoseconds moves by a few of them between processes and builds (code alignment, page
 * placement: an unchanged 20 ns row read +26%, 5 ns, over 29 processes a side), which no one
 * moving 8 MB frames can see; a row that loses its share shows as copies in the invariants,
 * and costs far more than the floor (1080p: 0.1% of a 0.3 ms memcpy is 300 ns).
 */
#define ZC_GATE_FLOOR 0.001

enum zc_gate_status { ZC_GATE_PASS, ZC_GATE_REGRESSED, ZC_GATE_IMPROVED, ZC_GATE_MISSING,
		       ZC_GATE_NEW };

struct zc_gate_options {
	double threshold;	/* relative change, 0.10 for 10% */
	double alpha;		/* significance level of the Mann-Whitney test */
	bool invariants_only;	/* no timing: a baseline from another machine */
	bool timing_only;	/* no invariants: make gate's head against base, whose exact
				   figures the committed baseline gates (the base's round 1 then
				   skips the evidence pass, so its copies would differ) */
	bool allow_missing;	/* a strategy missing from the current run is only noted */
	bool interim;		/* a look before the last round of a sequential gate: rows too
				   small for the test are not refused (zc_gate_undecided) */
	bool same_machine;	/* both sides measured side by side on one machine, interleaved
				   (make gate): timing compares the times per transfer themselves
				   (ZC_GATE_TIME_SAME_MACHINE), not ratios to reference_memcpy.
				   The interleaving already cancels the machine's drift; a ratio
				   would add the reference's own noise: each file's reference is
				   one process's few seconds, and a noisy one moves every row of
				   its file */
	const struct zc_results_set *confirm_base; /* the later rounds' results alone, or NULL */
	const struct zc_results_set *confirm_cur;  /* (the confirmation above) */
	bool screened;		/* the pooled rounds were a screen (above): only the
				   confirmation judges timing */
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
	size_t nbase, ncur;	/* timing: the values the test compared on each side */
	bool by_process;	/* timing: they were process medians, not repetitions */
	double ci_lo, ci_hi;	/* timing: the change's interval at ZC_GATE_STOP_LEVEL; NAN
				   when none (too few values) */
	bool decided;		/* timing: that interval lies inside +-threshold */
	size_t slow_base, slow_cur; /* timing: processes in the slow one of two modes (modes.h),
				       left out of the comparison; 0 and 0 with one mode */
	double confirm_change;	/* timing, with the confirmation: the change in the later
				   rounds alone, and its one-sided p-value (slower); NAN when
				   the row was not measured there */
	double confirm_p;
	size_t confirm_nbase, confirm_ncur;
	bool confirm_two_modes;	/* those were the fast mode's processes only */
	double confirm_moved;	/* the later rounds' median current minus baseline, in the
				   row's unit */
	double floor;		/* timing: the least change that counts, in the row's unit
				   (ZC_GATE_FLOOR of a memcpy); 0 when the memcpy is unknown */
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
	size_t regressions;	/* including missing strategies unless allowed */
	size_t improvements;
	size_t passed;
	size_t missing;		/* strategies of the baseline absent from the current run */
	size_t added;		/* strategies only in the current run */
	char *base_commit;	/* context.git_commit of each side, or NULL */
	char *cur_commit;
	size_t base_results;	/* results files on each side */
	size_t cur_results;
};

void zc_gate_options_init(struct zc_gate_options *opt);

/* "pass", "regressed" or "improved". */
const char *zc_gate_status_name(enum zc_gate_status status);

/*
 * Compare @cur with @base.  Returns 0 with @rep filled in (release it with
 * zc_gate_report_release()), or -1 with @rep empty and @err set: EFRAME or ECONTEXT when the
 * two sides were not made alike, EUNDERPOWERED when a timing test cannot reach significance,
 * ENOCOMMON when no result is in both, ENOMEM.
 */
int zc_gate_compare(const struct zc_results_set *base, const struct zc_results_set *cur,
		 const struct zc_gate_options *opt, struct zc_gate_report *rep,
		 struct zc_error *err);

void zc_gate_report_release(struct zc_gate_report *rep);

/*
 * Whether timing row @r of a comparison still needs measuring in a sequential gate: a
 * timing row whose change is not yet decided (its interval reaches past the threshold).
 */
bool zc_gate_undecided(const struct zc_gate_row *r);

/* Whether @r is a timing row (time.vs_memcpy, or time.ns_per_transfer with same_machine). */
bool zc_gate_is_timing(const struct zc_gate_row *r);

#ifdef __cplusplus
}
#endif

#endif
