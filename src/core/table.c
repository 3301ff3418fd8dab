/*
 * table.c: the summary table (table.h). Every duration and ratio goes through human.h, the
 * console's one formatting of them (the report's is scripts/report-data.jq, with the same rules).
 */
#include "table.h"

#include <string.h>

#include "human.h"
#include "verdict.h"

#define FIG 32 /* a formatted figure: "1/51546x", "14.2 ms" */

/* True when some row has a hand-over reference to compare with (thread, process). */
static bool has_handover(const struct zc_results *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].placement.known)
			return true;
	return false;
}

/* reference_memcpy, reference_handover: yardsticks the rows are measured against, not verdicts. */
static bool is_reference(const struct zc_result *res)
{
	return !strncmp(res->strategy, "reference_", 10);
}

static const char *verdict_word(const struct zc_result *res)
{
	if (is_reference(res))
		return "reference";
	return res->id.zero_copy ? "zero-copy" : "copy";
}

static void print_row(FILE *f, const struct zc_result *res, size_t frame_bytes, int width,
		      bool handover)
{
	const struct zc_timing *t = &res->time;
	char flags[128], median[FIG], ratio[FIG], vs_handover[FIG];
	zc_verdict_flags_format(res->flags, flags, sizeof(flags));
	fprintf(f, "%-*s %-9s ", width, res->strategy, verdict_word(res));
	if (res->measured)
		fprintf(f, "%8s %9s %5.1f%% ", zc_human_ns(t->ns.median, median, sizeof(median)),
			zc_human_ratio(t->vs_memcpy, ratio, sizeof(ratio)), t->ns.cv * 100);
	else
		fprintf(f, "%8s %9s %6s ", "-", "-", "-");
	if (handover)
		fprintf(f, "%10s ", res->measured && t->vs_handover > 0
			? zc_human_ratio(t->vs_handover, vs_handover, sizeof(vs_handover)) : "-");
	fprintf(f, "%13.2f %12.2f %8.1f %5lld%s%s\n",
		frame_bytes ? res->copies.bytes_per_transfer / (double)frame_bytes : 0.0,
		res->alloc.frame_sized_per_transfer, res->mem.minor_faults_per_transfer,
		(long long)res->alloc.live_at_end, *flags ? "  " : "", flags);
}

/* "0,1" from a bit per CPU; "?" when none was seen. */
static void cpu_list(uint64_t mask, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int cpu = 0; cpu < 64 && n < len; cpu++)
		if (mask & ((uint64_t)1 << cpu))
			n += (size_t)snprintf(buf + n, len - n, "%s%d", n ? "," : "", cpu);
	if (!n)
		snprintf(buf, len, "?");
}

/*
 * Hand-over latency of each placed row, pooled over its measuring processes, and the CPUs
 * each side ran on: one-way (post to receipt) and the poster's own cost.
 */
static void print_latency(FILE *f, const struct zc_results *r, int width)
{
	const char *idle = NULL;
	fprintf(f, "\n%-*s %11s %9s %9s %9s %8s %s\n", width, "hand-over latency",
		"one-way p50", "p99", "post p50", "p99", "cpus", "(producer/consumer)");
	for (size_t i = 0; i < r->n; i++) {
		const struct zc_result *x = &r->v[i];
		char p[64], c[64], a[FIG], b[FIG], d[FIG], e[FIG];
		if (!x->placement.known || !x->handover.known)
			continue;
		idle = x->placement.cpu_idle;
		cpu_list(x->placement.producer_seen, p, sizeof(p));
		cpu_list(x->placement.consumer_seen, c, sizeof(c));
		fprintf(f, "%-*s %11s %9s %9s %9s %8s/%s\n", width, x->strategy,
			zc_human_ns(x->handover.one_way.p50, a, sizeof(a)),
			zc_human_ns(x->handover.one_way.p99, b, sizeof(b)),
			zc_human_ns(x->handover.post.p50, d, sizeof(d)),
			zc_human_ns(x->handover.post.p99, e, sizeof(e)), p, c);
	}
	fprintf(f, "(over every measuring process's transfers; cpu idle: %s)\n",
		idle ? idle : "unknown");
}

/*
 * The fastest measured row with the verdict zero_copy at placement @placement (NULL: an
 * unplaced row), the references aside; or NULL.
 */
static const struct zc_result *cheapest(const struct zc_results *r, bool zero_copy,
					const char *placement)
{
	const struct zc_result *best = NULL;
	for (size_t i = 0; i < r->n; i++) {
		const struct zc_result *x = &r->v[i];
		const char *at = x->placement.known ? x->placement.name : NULL;
		if (!x->measured || x->id.zero_copy != zero_copy || is_reference(x) ||
		    (at != placement && (!at || !placement || strcmp(at, placement))))
			continue;
		if (!best || x->time.ns.median < best->time.ns.median)
			best = x;
	}
	return best;
}

/*
 * What the cheapest share saves against the cheapest copy at one placement (NULL: unplaced),
 * in the report's words (scripts/report.jq's share_line): "the cheapest share (pool, 11 ns) is
 * 56,389x cheaper than the cheapest copy (copy, 620 us)", or "... 1.65x dearer ...: sharing
 * did not pay here".
 */
static void print_saving(FILE *f, const struct zc_results *r, const char *placement)
{
	const struct zc_result *share = cheapest(r, true, placement);
	const struct zc_result *copy = cheapest(r, false, placement);
	char s[FIG], c[FIG], x[FIG];
	if (placement)
		fprintf(f, "at %s: ", placement);
	if (share && copy && share->time.ns.median > 0 && copy->time.ns.median > 0) {
		double ratio = copy->time.ns.median / share->time.ns.median;
		fprintf(f, "the cheapest share (%s, %s) is %s %s than the cheapest copy (%s, %s)%s\n",
			share->strategy, zc_human_ns(share->time.ns.median, s, sizeof(s)),
			zc_human_times(ratio >= 1 ? ratio : 1 / ratio, x, sizeof(x)),
			ratio >= 1 ? "cheaper" : "dearer", copy->strategy,
			zc_human_ns(copy->time.ns.median, c, sizeof(c)),
			ratio >= 1 ? "" : ": sharing did not pay here");
	} else if (copy) {
		fprintf(f, "no share: every strategy copied the frame; the cheapest copy is %s, %s\n",
			copy->strategy, zc_human_ns(copy->time.ns.median, c, sizeof(c)));
	} else if (share) {
		fprintf(f, "no copy to compare with (the references aside): every strategy shared "
			   "the frame; the cheapest share is %s, %s\n", share->strategy,
			zc_human_ns(share->time.ns.median, s, sizeof(s)));
	} else {
		fprintf(f, "no strategy was timed besides the references\n");
	}
}

/* One saving line, or one per placement in the order the rows were measured: a share is
 * compared only with copies made at the same placement. */
static void print_savings(FILE *f, const struct zc_results *r)
{
	const char *seen[8];
	size_t nseen = 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct zc_placement_result *p = &r->v[i].placement;
		bool known = false;
		for (size_t k = 0; k < nseen && p->known; k++)
			known = known || !strcmp(seen[k], p->name);
		if (p->known && !known && nseen < sizeof(seen) / sizeof(seen[0]))
			seen[nseen++] = p->name;
	}
	if (!nseen)
		print_saving(f, r, NULL);
	for (size_t k = 0; k < nseen; k++)
		print_saving(f, r, seen[k]);
}

void zc_table_print(FILE *f, const struct zc_results *r, const char *machine, bool evidence)
{
	if (machine)
		fprintf(f, "\n%s", machine);
	fprintf(f, "\n%s: %ux%u RGBA frame (%zu bytes)\n", r->scenario, r->frame.width,
		r->frame.height, r->frame.bytes);
	int width = 18; /* the strategy column: as wide as the longest name */
	for (size_t i = 0; i < r->n; i++)
		if ((int)strlen(r->v[i].strategy) > width)
			width = (int)strlen(r->v[i].strategy);
	const bool handover = has_handover(r);
	fprintf(f, "%-*s %-9s %8s %9s %6s ", width, "strategy", "verdict", "median",
		"vs memcpy", "cv");
	if (handover)
		fprintf(f, "%10s ", "x handover");
	fprintf(f, "%13s %12s %8s %5s  %s\n", "frames copied", "frame allocs", "faults", "leaks",
		"flags");
	for (size_t i = 0; i < r->n; i++)
		print_row(f, &r->v[i], r->frame.bytes, width, handover);
	fprintf(f, "(per transfer: median time; frames copied: the frame's bytes copied, in "
		   "frames; frame allocs: frame-sized allocations;\n faults: minor page faults. "
		   "reference: a yardstick the rows are measured against, not a verdict)\n");
	print_savings(f, r);
	if (handover)
		print_latency(f, r, width);
	for (size_t i = 0; evidence && i < r->n; i++)
		fprintf(f, "  %-*s %s\n", width - 2, r->v[i].strategy, r->v[i].id.evidence);
}
