/*
 * identity.c: the identity probe: what it observes (addresses, write-through, checksums,
 * physical pages); verdict.c judges it.
 */
#include "identity.h"
#include "follow.h"
#include "pagemap.h"
#include "verdict.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A producer's hook of the probe: its write, or its restore of what write changed. */
typedef int (*producer_hook)(void *state, const struct zc_view *v, size_t offset,
			     unsigned char value, struct zc_error *err);

/*
 * The producer writes value at offset of the frame it handed over: through hook (the probe's
 * write or restore) when the strategy has one, in place otherwise. 0, or -1 with err.
 */
static int producer_put(producer_hook hook, void *st, const struct zc_view *v, size_t off,
			unsigned char value, struct zc_error *err)
{
	if (hook)
		return hook(st, v, off, value, err);
	((volatile unsigned char *)v->producer)[off] = value;
	return 0;
}

static int consumer_read(const struct zc_strategy *s, void *st, const struct zc_view *v,
			 size_t off, unsigned char *value, struct zc_error *err)
{
	if (s->probe && s->probe->read)
		return s->probe->read(st, v, off, value, err);
	*value = ((const volatile unsigned char *)v->data)[off];
	return 0;
}

/*
 * Write-through probe on the frame in v: does a byte the producer writes reach the consumer?
 * 0, or -1 with the strategy's reason in err.
 */
static int probe(const struct zc_strategy *s, void *st, const struct zc_view *v,
		 struct zc_identity *id, struct zc_error *err)
{
	size_t off = v->bytes / 2;
	unsigned char before, after;
	if (consumer_read(s, st, v, off, &before, err) != 0)
		return -1;
	unsigned char sentinel = (unsigned char)(before ^ 0xa5u);
	if (producer_put(s->probe ? s->probe->write : NULL, st, v, off, sentinel, err) != 0 ||
	    consumer_read(s, st, v, off, &after, err) != 0)
		return -1;
	id->aliasing_visible = after == sentinel;
	return producer_put(s->probe ? s->probe->restore : NULL, st, v, off, before, err);
}

static uint64_t expected_checksum(unsigned char *scratch, size_t bytes, uint64_t seq)
{
	zc_frame_render(scratch, bytes, seq);
	return zc_frame_checksum(scratch, bytes);
}

/*
 * Do the consumer's bytes hold what was rendered for v->seq? Checked here when they are in this
 * address space, by the remote consumer's checksum where they live otherwise; a strategy with
 * neither cannot be checked and passes. -1 with err when the remote consumer did not answer.
 */
static int consumer_bytes_ok(const struct zc_strategy *s, void *st, const struct zc_view *v,
			     unsigned char *scratch, bool *ok, struct zc_error *err)
{
	uint64_t sum;
	if (v->data)
		*ok = zc_frame_stamp_ok(v->data, v->bytes, v->seq) &&
		      zc_frame_checksum(v->data, v->bytes) ==
			      expected_checksum(scratch, v->bytes, v->seq);
	else if (!s->remote || !s->remote->checksum)
		*ok = true;
	else if (s->remote->checksum(st, v, &sum, err) != 0)
		return -1;
	else
		*ok = sum == expected_checksum(scratch, v->bytes, v->seq);
	return 0;
}

/*
 * Physical identity of the frame in v: the fraction of the frame's pages the consumer's view
 * maps on the producer's physical pages, in this address space or in the consumer's process.
 */
static void compare_pages(const struct zc_strategy *s, void *st, const struct zc_view *v,
			  struct zc_identity *id)
{
	struct zc_pagemap_match m;
	struct zc_error why = {0};
	pid_t pid = 0;
	uintptr_t addr = (uintptr_t)v->data;
	const size_t len = sizeof(id->same_pages_unavailable);
	if (!v->producer) {
		snprintf(id->same_pages_unavailable, len, "the producer's bytes are not at hand");
		return;
	}
	if (!v->data && (!s->remote || !s->remote->view)) {
		snprintf(id->same_pages_unavailable, len,
			 "the consumer's process does not say where it holds the frame");
		return;
	}
	if (!v->data && s->remote->view(st, &pid, &addr, &why) != 0) {
		snprintf(id->same_pages_unavailable, len,
			 "the consumer's process did not say where it holds the frame: %.90s",
			 why.text);
		return;
	}
	if (zc_pagemap_compare(0, v->producer, pid, (const void *)addr, v->bytes, &m, &why) != 0) {
		snprintf(id->same_pages_unavailable, len, "%.159s", why.text);
		return;
	}
	id->same_pages = zc_verdict_same_pages(&m, v->data != NULL);
}

/* Records in err that what failed for strategy s, with its reason why (maybe none). */
static void failed(const struct zc_strategy *s, const char *what, const struct zc_error *why,
		   struct zc_error *err)
{
	zc_error_set(err, why->code ? why->code : ZC_EXIT_RUNTIME, "strategy '%s': %s%s%s",
		     s->name, what, why->code ? ": " : "", why->code ? why->text : "");
}

/*
 * A span of validation: what was allocated and freed from its start to its end, the blocks of
 * the runtime's own threads (those counting before setup, the caller aside) told apart.
 */
struct span {
	struct zc_counts at;
	struct zc_net_blocks runtime;
};

static void span_start(struct span *sp, const struct zc_threads_mark *threads)
{
	sp->runtime = zc_threads_net_blocks(threads);
	zc_counts_snapshot(&sp->at);
}

/*
 * Ends sp: adds the blocks it left, the runtime's threads' apart, to *left, and those to
 * *runtime; its counts to *sum. runtime and sum may be NULL.
 */
static void span_end(const struct span *sp, const struct zc_threads_mark *threads,
		     struct zc_net_blocks *left, struct zc_net_blocks *runtime,
		     struct zc_counts *sum)
{
	struct zc_counts now;
	zc_counts_snapshot(&now);
	struct zc_net_blocks r = zc_threads_net_blocks(threads);
	r.blocks -= sp->runtime.blocks;
	r.frame_blocks -= sp->runtime.frame_blocks;
	left->blocks += (int64_t)(now.allocs - sp->at.allocs) -
			(int64_t)(now.frees - sp->at.frees) - r.blocks;
	left->frame_blocks += (int64_t)(now.frame_allocs - sp->at.frame_allocs) -
			      (int64_t)(now.frame_frees - sp->at.frame_frees) - r.frame_blocks;
	if (runtime) {
		runtime->blocks += r.blocks;
		runtime->frame_blocks += r.frame_blocks;
	}
	if (sum)
		zc_counts_accumulate(sum, &now, &sp->at);
}

/*
 * The strategy's leak among the blocks left over the window (identity.h): every frame-sized
 * block left, and the small blocks every one of the n transfer+release windows left (each[]):
 * the fewest of any of them, times n, up to the small blocks still left at the end.
 */
static int64_t strategy_leak(const struct zc_net_blocks *left, const struct zc_net_blocks *each,
			     int n)
{
	assert(n >= 0 && n <= ZC_VALIDATION_FRAMES);
	int64_t frame = left->frame_blocks > 0 ? left->frame_blocks : 0;
	int64_t small_left = left->blocks - left->frame_blocks;
	int64_t fewest = n > 0 ? INT64_MAX : 0;
	for (int i = 0; i < n; i++) {
		int64_t small = each[i].blocks - each[i].frame_blocks;
		fewest = small < fewest ? small : fewest;
	}
	if (fewest <= 0 || small_left <= 0)
		return frame;
	int64_t repeated = fewest * n;
	return frame + (repeated < small_left ? repeated : small_left);
}

/*
 * Moves the frames of validation and probes the last: windows[i] gets what transfer i and its
 * release left, *done the transfers completed. 0, or -1 with err.
 */
static int validate_transfers(const struct zc_strategy *s, void *st, unsigned char *scratch,
			      const struct zc_threads_mark *threads, struct zc_validation *out,
			      struct zc_net_blocks *windows, int *done, struct zc_error *err)
{
	struct zc_identity *id = &out->id;
	struct zc_error why = {0};
	id->checksum_ok = true;
	for (int i = 0; i < ZC_VALIDATION_FRAMES; i++) {
		struct zc_view v;
		struct span sp;
		/* Only the transfer and the release count: checking and probing are not theirs. */
		struct zc_follow_mark started;
		zc_follow_mark(&started);
		span_start(&sp, threads);
		if (s->transfer(st, true, &v, &why) != 0) {
			failed(s, "transfer failed", &why, err);
			return -1;
		}
		span_end(&sp, threads, &windows[i], NULL, &out->transfers);
		bool ok = false;
		if (consumer_bytes_ok(s, st, &v, scratch, &ok, &why) != 0) {
			s->release(st, &v);
			failed(s, "the consumer's checksum failed", &why, err);
			return -1;
		}
		id->checksum_ok &= ok;
		if (i == ZC_VALIDATION_FRAMES - 1) {
			/* Addresses compare only within one address space (v.data NULL: another). */
			id->address_meaningful = v.data != NULL;
			id->producer_addr = (uintptr_t)v.producer;
			id->consumer_addr = (uintptr_t)v.data;
			id->same_address = v.producer == v.data;
			compare_pages(s, st, &v, id);
			if (probe(s, st, &v, id, &why) != 0) {
				s->release(st, &v);
				failed(s, "the write-through probe failed", &why, err);
				return -1;
			}
		}
		span_start(&sp, threads);
		s->release(st, &v);
		(void)zc_follow_settle(&started);
		span_end(&sp, threads, &windows[i], NULL, &out->transfers);
		*done = i + 1;
	}
	return 0;
}

int zc_identity_validate(const struct zc_strategy *s, const struct zc_frame_geom *g,
			 struct zc_validation *out, struct zc_error *err)
{
	memset(out, 0, sizeof(*out));
	out->id.same_pages = NAN;
	unsigned char *scratch = malloc(g->bytes);
	if (!scratch)
		return zc_error_set(err, ZC_EXIT_NOMEM, "out of memory for a %zu-byte frame",
				    g->bytes);
	struct zc_threads_mark threads;
	struct zc_net_blocks left = {0}, runtime = {0}, windows[ZC_VALIDATION_FRAMES] = {{0}};
	int done = 0, rc = -1;
	struct span whole;
	struct zc_error why = {0};
	zc_threads_mark(&threads);
	span_start(&whole, &threads);
	void *st = s->setup(g, s->arg, &why);
	if (!st) {
		zc_error_set(err, why.code, "strategy '%s': setup failed: %s", s->name, why.text);
		goto out_free_scratch;
	}
	rc = validate_transfers(s, st, scratch, &threads, out, windows, &done, err);
	s->teardown(st);
	span_end(&whole, &threads, &left, &runtime, NULL);
	out->runtime_live_at_end = runtime.blocks;
	out->live_at_end = strategy_leak(&left, windows, done);
	out->kept_at_end = left.blocks - out->live_at_end;
out_free_scratch:
	free(scratch);
	return rc;
}
