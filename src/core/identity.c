/*
 * identity.c: the identity probe: what it observes (addresses, write-through, checksums,
 * physical pages); verdict.c judges it.
 */
#include "identity.h"
#include "follow.h"
#include "pagemap.h"
#include "verdict.h"

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

int zc_identity_validate(const struct zc_strategy *s, const struct zc_frame_geom *g,
			 struct zc_validation *out, struct zc_error *err)
{
	memset(out, 0, sizeof(*out));
	struct zc_identity *id = &out->id;
	id->same_pages = NAN;
	unsigned char *scratch = malloc(g->bytes);
	if (!scratch)
		return zc_error_set(err, ZC_EXIT_NOMEM, "out of memory for a %zu-byte frame",
				    g->bytes);
	struct zc_counts c0, c1;
	struct zc_threads_mark threads;
	zc_threads_mark(&threads);
	const int64_t runtime0 = zc_threads_net_blocks(&threads);
	zc_counts_snapshot(&c0);
	int rc = -1;
	struct zc_error why = {0};
	void *st = s->setup(g, s->arg, &why);
	if (!st) {
		zc_error_set(err, why.code, "strategy '%s': setup failed: %s", s->name, why.text);
		goto out_free_scratch;
	}
	id->checksum_ok = true;
	for (int i = 0; i < ZC_VALIDATION_FRAMES; i++) {
		struct zc_view v;
		struct zc_counts a, b;
		/* Only the transfer and the release count: checking and probing are not theirs. */
		struct zc_follow_mark started;
		zc_follow_mark(&started);
		zc_counts_snapshot(&a);
		if (s->transfer(st, true, &v, &why) != 0) {
			failed(s, "transfer failed", &why, err);
			goto out_teardown;
		}
		zc_counts_snapshot(&b);
		zc_counts_accumulate(&out->transfers, &b, &a);
		bool ok = false;
		if (consumer_bytes_ok(s, st, &v, scratch, &ok, &why) != 0) {
			s->release(st, &v);
			failed(s, "the consumer's checksum failed", &why, err);
			goto out_teardown;
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
				goto out_teardown;
			}
		}
		zc_counts_snapshot(&a);
		s->release(st, &v);
		(void)zc_follow_settle(&started);
		zc_counts_snapshot(&b);
		zc_counts_accumulate(&out->transfers, &b, &a);
	}
	rc = 0;
out_teardown:
	s->teardown(st);
	zc_counts_snapshot(&c1);
	/*
	 * Not the blocks of the threads that were counting before setup (the caller aside): a
	 * runtime started before the strategy (the scenario's start hook) keeps them for itself.
	 */
	out->runtime_live_at_end = zc_threads_net_blocks(&threads) - runtime0;
	out->live_at_end = (int64_t)(c1.allocs - c0.allocs) - (int64_t)(c1.frees - c0.frees) -
			   out->runtime_live_at_end;
out_free_scratch:
	free(scratch);
	return rc;
}
