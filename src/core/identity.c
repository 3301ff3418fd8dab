/*
 * identity.c: the identity probe and the verdict.
 */
#include "identity.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The producer writes value at offset of the frame it handed over. */
static int producer_write(const struct zc_strategy *s, void *st, const struct zc_view *v,
			  size_t off, unsigned char value)
{
	if (s->probe_write)
		return s->probe_write(st, v, off, value);
	((volatile unsigned char *)v->producer)[off] = value;
	return 0;
}

static int consumer_read(const struct zc_strategy *s, void *st, const struct zc_view *v,
			 size_t off, unsigned char *value)
{
	if (s->probe_read)
		return s->probe_read(st, v, off, value);
	*value = ((const volatile unsigned char *)v->data)[off];
	return 0;
}

/* Write-through probe on the frame in v: does a byte the producer writes reach the consumer? */
static int probe(const struct zc_strategy *s, void *st, const struct zc_view *v,
		 struct zc_identity *id)
{
	size_t off = v->bytes / 2;
	unsigned char before, after;
	if (consumer_read(s, st, v, off, &before) != 0)
		return -1;
	unsigned char sentinel = (unsigned char)(before ^ 0xa5u);
	if (producer_write(s, st, v, off, sentinel) != 0)
		return -1;
	if (consumer_read(s, st, v, off, &after) != 0)
		return -1;
	id->aliasing_visible = after == sentinel;
	if (s->probe_restore)
		s->probe_restore(st, v, off, before);
	else
		((volatile unsigned char *)v->producer)[off] = before;
	return 0;
}

static uint64_t expected_checksum(unsigned char *scratch, size_t bytes, uint64_t seq)
{
	zc_frame_render(scratch, bytes, seq);
	return zc_frame_checksum(scratch, bytes);
}

/*
 * Do the consumer's bytes hold what was rendered for v->seq? Checked here when they are in this
 * address space, by the strategy's consumer_checksum where they live otherwise; a strategy with
 * neither cannot be checked and passes.
 */
static bool consumer_bytes_ok(const struct zc_strategy *s, void *st, const struct zc_view *v,
			      unsigned char *scratch)
{
	uint64_t sum;
	if (v->data)
		return zc_frame_stamp_ok(v->data, v->bytes, v->seq) &&
		       zc_frame_checksum(v->data, v->bytes) ==
			       expected_checksum(scratch, v->bytes, v->seq);
	if (!s->consumer_checksum)
		return true;
	return s->consumer_checksum(st, v, &sum) == 0 &&
	       sum == expected_checksum(scratch, v->bytes, v->seq);
}

int zc_identity_validate(const struct zc_strategy *s, const struct zc_frame_geom *g,
			 struct zc_validation *out, struct zc_error *err)
{
	memset(out, 0, sizeof(*out));
	struct zc_identity *id = &out->id;
	unsigned char *scratch = malloc(g->bytes);
	if (!scratch)
		return zc_error_set(err, ZC_EXIT_NOMEM, "out of memory for a %zu-byte frame",
				    g->bytes);
	struct zc_counts c0, c1;
	zc_counts_snapshot(&c0);
	int rc = -1;
	void *st = s->setup(g);
	if (!st) {
		zc_error_set(err, zc_exit_for_errno(errno), "strategy '%s': setup failed: %s",
			     s->name, errno == ENOMEM ? "out of memory" : strerror(errno));
		goto out_free_scratch;
	}
	id->checksum_ok = true;
	for (int i = 0; i < ZC_VALIDATION_FRAMES; i++) {
		struct zc_view v;
		struct zc_counts a, b;
		/* Only the transfer and the release count: checking and probing are not theirs. */
		zc_counts_snapshot(&a);
		if (s->transfer(st, true, &v) != 0) {
			zc_error_set(err, zc_exit_for_errno(errno),
				     "strategy '%s': transfer failed%s", s->name,
				     errno == ENOMEM ? ": out of memory" : "");
			goto out_teardown;
		}
		zc_counts_snapshot(&b);
		zc_counts_accumulate(&out->transfers, &b, &a);
		id->checksum_ok &= consumer_bytes_ok(s, st, &v, scratch);
		if (i == ZC_VALIDATION_FRAMES - 1) {
			/* Addresses compare only within one address space (v.data NULL: another). */
			id->address_meaningful = v.data != NULL;
			id->producer_addr = (uintptr_t)v.producer;
			id->consumer_addr = (uintptr_t)v.data;
			id->same_address = v.producer == v.data;
			if (probe(s, st, &v, id) != 0) {
				s->release(st, &v);
				zc_error_set(err, zc_exit_for_errno(errno),
					     "strategy '%s': the write-through probe failed",
					     s->name);
				goto out_teardown;
			}
		}
		zc_counts_snapshot(&a);
		s->release(st, &v);
		zc_counts_snapshot(&b);
		zc_counts_accumulate(&out->transfers, &b, &a);
	}
	rc = 0;
out_teardown:
	s->teardown(st);
	zc_counts_snapshot(&c1);
	out->live_at_end = (int64_t)(c1.allocs - c0.allocs) - (int64_t)(c1.frees - c0.frees);
out_free_scratch:
	free(scratch);
	return rc;
}

/*
 * What the instruments saw against what the strategy declared: "" when they agree to a
 * hundredth of a frame, else one clause for the evidence line. An undeclared copy sets
 * id->undeclared_copy (--strict fails on it).
 */
static void disagreement(struct zc_identity *id, double user, double kernel, double declared,
			 size_t frame_bytes, char *out, size_t len)
{
	double tolerance = (double)frame_bytes / 100, observed = user + kernel;
	out[0] = '\0';
	if (observed - declared >= tolerance) {
		id->undeclared_copy = true;
		snprintf(out, len, "; undeclared copy of %.0f bytes (observed: %.0f by copy "
			 "functions and realloc, %.0f by the kernel)", observed - declared, user,
			 kernel);
	} else if (declared - observed >= tolerance) {
		snprintf(out, len, "; the strategy declares %.0f bytes more than the hooks saw (a "
			 "loop or an inlined copy: no copy function, no system call)",
			 declared - observed);
	}
}

void zc_identity_verdict(struct zc_identity *id, bool expect_zero_copy, double user,
			 double kernel, double declared, size_t frame_bytes)
{
	double observed = user + kernel;
	/* In one address space a view elsewhere than the producer's bytes is not the same frame. */
	bool address_ok = !id->address_meaningful || id->same_address || !expect_zero_copy;
	/* Below a hundredth of a frame a copy is bookkeeping (a message, a header), not the frame. */
	bool no_frame_copied = observed < (double)frame_bytes / 100;
	id->zero_copy = id->aliasing_visible && id->checksum_ok && no_frame_copied && address_ok;
	id->undeclared_copy = false;
	const char *addr = !id->address_meaningful
				   ? "addresses are per process, so the probe is the proof"
			   : id->same_address      ? "same address"
						   : "address differs";
	const char *seen = id->aliasing_visible ? "write-through seen" : "write-through not seen";
	char copied[96], differs[160];
	snprintf(copied, sizeof(copied), "%.0f bytes copied per transfer (%.2f frames)", observed,
		 frame_bytes ? observed / (double)frame_bytes : 0.0);
	disagreement(id, user, kernel, declared, frame_bytes, differs, sizeof(differs));
	const char *lead = id->zero_copy ? "consumer reads the producer's bytes in place"
			   : expect_zero_copy ? "expected zero-copy, but the consumer has a copy"
					      : "consumer has its own copy";
	snprintf(id->evidence, sizeof(id->evidence), "%s: %s, %s, %s%s%s", lead, addr, seen, copied,
		 differs, id->checksum_ok ? "" : "; CHECKSUM MISMATCH");
}
