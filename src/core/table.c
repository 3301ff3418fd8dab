/*
 * table.c: one row per strategy: verdict, median time, throughput, ratio to memcpy, copies,
 * frame-sized allocations and page faults per transfer, then the evidence in words.
 */
#include "table.h"

static void print_row(FILE *f, const struct zc_result *res, size_t frame_bytes)
{
	const struct zc_timing *t = &res->time;
	fprintf(f, "%-18s %-9s ", res->strategy, res->id.zero_copy ? "zero-copy" : "copy");
	if (res->measured)
		fprintf(f, "%13.0f %10.1f %8.3gx ", t->ns.median, t->gb_per_s, t->vs_memcpy);
	else
		fprintf(f, "%13s %10s %9s ", "-", "-", "-");
	fprintf(f, "%7.2f %7.2f %8.1f %5lld\n",
		frame_bytes ? res->copies.bytes_per_transfer / (double)frame_bytes : 0.0,
		res->alloc.frame_sized_per_transfer, res->mem.minor_faults_per_transfer,
		(long long)res->alloc.live_at_end);
}

void zc_table_print(FILE *f, const struct zc_results *r)
{
	fprintf(f, "\n%s: %ux%u RGBA frame (%zu bytes)\n", r->scenario, r->frame.width,
		r->frame.height, r->frame.bytes);
	fprintf(f, "%-18s %-9s %13s %10s %9s %7s %7s %8s %5s\n", "strategy", "verdict",
		"median ns", "GB/s", "x memcpy", "copies", "fallocs", "faults", "leaks");
	for (size_t i = 0; i < r->n; i++)
		print_row(f, &r->v[i], r->frame.bytes);
	fprintf(f, "(copies, fallocs: frames copied and frame-sized allocations per transfer; "
		   "faults: minor page faults per transfer)\n");
	for (size_t i = 0; i < r->n; i++)
		fprintf(f, "  %-16s %s\n", r->v[i].strategy, r->v[i].id.evidence);
}
