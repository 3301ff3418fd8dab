/*
 * table.c: the summary table (table.h).
 */
#include "table.h"

#include <string.h>

#include "verdict.h"

/* True when some row has a hand-over reference to compare with (thread, process). */
static bool has_handover(const struct zc_results *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].placement.known)
			return true;
	return false;
}

static void print_row(FILE *f, const struct zc_result *res, size_t frame_bytes, int width,
		      bool handover)
{
	const struct zc_timing *t = &res->time;
	char flags[128];
	zc_verdict_flags_format(res->flags, flags, sizeof(flags));
	fprintf(f, "%-*s %-9s ", width, res->strategy, res->id.zero_copy ? "zero-copy" : "copy");
	if (res->measured)
		fprintf(f, "%13.0f %9.3gx %5.1f%% ", t->ns.median, t->vs_memcpy, t->ns.cv * 100);
	else
		fprintf(f, "%13s %10s %6s ", "-", "-", "-");
	if (handover && res->measured && t->vs_handover > 0)
		fprintf(f, "%9.3gx ", t->vs_handover);
	else if (handover)
		fprintf(f, "%10s ", "-");
	fprintf(f, "%7.2f %7.2f %8.1f %5lld%s%s\n",
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
	fprintf(f, "\n%-*s %11s %11s %11s %11s %8s %s\n", width, "hand-over latency",
		"one-way p50", "p99", "post p50", "p99", "cpus", "(producer/consumer)");
	for (size_t i = 0; i < r->n; i++) {
		const struct zc_result *x = &r->v[i];
		char p[64], c[64];
		if (!x->placement.known || !x->handover.known)
			continue;
		idle = x->placement.cpu_idle;
		cpu_list(x->placement.producer_seen, p, sizeof(p));
		cpu_list(x->placement.consumer_seen, c, sizeof(c));
		fprintf(f, "%-*s %11.0f %11.0f %11.0f %11.0f %8s/%s\n", width, x->strategy,
			x->handover.one_way.p50, x->handover.one_way.p99, x->handover.post.p50,
			x->handover.post.p99, p, c);
	}
	fprintf(f, "(ns, over every measuring process's transfers; cpu idle: %s)\n",
		idle ? idle : "unknown");
}

/* The fastest measured result with the verdict zero_copy, reference_memcpy aside; or NULL. */
static const struct zc_result *cheapest(const struct zc_results *r, bool zero_copy)
{
	const struct zc_result *best = NULL;
	for (size_t i = 0; i < r->n; i++) {
		const struct zc_result *x = &r->v[i];
		if (!x->measured || x->id.zero_copy != zero_copy ||
		    !strncmp(x->strategy, "reference_", 10))
			continue;
		if (!best || x->time.ns.median < best->time.ns.median)
			best = x;
	}
	return best;
}

/* "the cheapest share (pool, 11 ns) is 56389x cheaper than the cheapest copy (copy, ...)" */
static void print_saving(FILE *f, const struct zc_results *r)
{
	const struct zc_result *share = cheapest(r, true), *copy = cheapest(r, false);
	if (!share)
		fprintf(f, "no strategy shared the frame\n");
	else if (!copy)
		fprintf(f, "no strategy copied the frame (reference_memcpy aside)\n");
	else if (share->time.ns.median > 0) {
		double x = copy->time.ns.median / share->time.ns.median;
		fprintf(f, "the cheapest share (%s, %.0f ns) is %.*fx cheaper than the cheapest "
			   "copy (%s, %.0f ns)\n", share->strategy, share->time.ns.median,
			x < 10 ? 2 : 0, x, copy->strategy, copy->time.ns.median);
	}
}

void zc_table_print(FILE *f, const struct zc_results *r, bool evidence)
{
	fprintf(f, "\n%s: %ux%u RGBA frame (%zu bytes)\n", r->scenario, r->frame.width,
		r->frame.height, r->frame.bytes);
	int width = 18; /* the strategy column: as wide as the longest name */
	for (size_t i = 0; i < r->n; i++)
		if ((int)strlen(r->v[i].strategy) > width)
			width = (int)strlen(r->v[i].strategy);
	const bool handover = has_handover(r);
	fprintf(f, "%-*s %-9s %13s %10s %6s ", width, "strategy", "verdict", "median ns",
		"x memcpy", "cv");
	if (handover)
		fprintf(f, "%10s ", "x handover");
	fprintf(f, "%7s %7s %8s %5s  %s\n", "copies", "fallocs", "faults", "leaks", "flags");
	for (size_t i = 0; i < r->n; i++)
		print_row(f, &r->v[i], r->frame.bytes, width, handover);
	fprintf(f, "(copies, fallocs: frames copied, frame-sized allocations per transfer; "
		   "faults: minor faults per transfer)\n");
	print_saving(f, r);
	if (handover)
		print_latency(f, r, width);
	for (size_t i = 0; evidence && i < r->n; i++)
		fprintf(f, "  %-*s %s\n", width - 2, r->v[i].strategy, r->v[i].id.evidence);
}
