/*
 * verdict.c: shared or copied, the evidence in words, the row flags and the exit status they
 * give (verdict.h).
 */
#include "verdict.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

/* Unwatched mappings the evidence line names one by one; the others are counted. */
#define COVERAGE_NAMED 3

double zc_verdict_frame_slack(size_t frame_bytes)
{
	return (double)frame_bytes / ZC_FRAME_SLACK_DIVISOR;
}

double zc_verdict_same_pages(const struct zc_pagemap_match *m, bool one_space)
{
	size_t same = m->same + (one_space ? m->same_cow : 0);
	return m->pages ? (double)same / (double)m->pages : 0;
}

/*
 * What the three instruments saw, per transfer: the hooks' bytes (copy functions and realloc
 * in user space, read/write-like calls in the kernel), unless the pages written show more by
 * a hundredth of a frame (a loop, an inlined copy: no function, no system call).
 */
static double observed_bytes(const struct zc_copy_result *c, size_t frame_bytes)
{
	double hooks = c->user_bytes_per_transfer + c->kernel_bytes_per_transfer;
	double pages = c->pages_bytes_per_transfer;
	if (!isnan(pages) && pages - hooks >= zc_verdict_frame_slack(frame_bytes))
		return pages;
	return hooks;
}

/* "U by copy functions and realloc, K by the kernel, P by pages written" */
static void observed_words(const struct zc_copy_result *c, char *out, size_t len)
{
	char pages[64] = "pages written not counted";
	if (!isnan(c->pages_bytes_per_transfer))
		snprintf(pages, sizeof(pages), "%.0f by pages written", c->pages_bytes_per_transfer);
	snprintf(out, len, "%.0f by copy functions and realloc, %.0f by the kernel, %s",
		 c->user_bytes_per_transfer, c->kernel_bytes_per_transfer, pages);
}

/*
 * What the instruments saw against what the strategy declared: "" when they agree to a
 * hundredth of a frame, else one clause for the evidence line. An undeclared copy sets
 * id->undeclared_copy (--strict fails on it).
 */
static void disagreement(struct zc_identity *id, const struct zc_copy_result *c,
			 size_t frame_bytes, char *out, size_t len)
{
	double tolerance = zc_verdict_frame_slack(frame_bytes), observed = c->bytes_per_transfer;
	double declared = c->expected_bytes_per_transfer;
	char words[160];
	observed_words(c, words, sizeof(words));
	out[0] = '\0';
	if (observed - declared >= tolerance) {
		id->undeclared_copy = true;
		snprintf(out, len, "; undeclared copy of %.0f bytes (observed: %s)",
			 observed - declared, words);
	} else if (declared - observed >= tolerance) {
		snprintf(out, len, "; the strategy declares %.0f bytes more than was observed "
			 "(%s)", declared - observed, words);
	}
}

void zc_verdict_identity(struct zc_identity *id, bool expect_zero_copy,
			 struct zc_copy_result *copies, size_t frame_bytes)
{
	copies->bytes_per_transfer = observed_bytes(copies, frame_bytes);
	double observed = copies->bytes_per_transfer;
	/* In one address space a view elsewhere than the producer's bytes is not the same frame. */
	bool address_ok = !id->address_meaningful || id->same_address || !expect_zero_copy;
	/* Across address spaces the same physical pages prove sharing as the probe does. */
	bool shared = id->aliasing_visible ||
		      (!id->address_meaningful && !isnan(id->same_pages) &&
		       id->same_pages >= ZC_SHARED_PAGES);
	/* Below a hundredth of a frame a copy is bookkeeping (a message, a header), not the frame. */
	bool no_frame_copied = observed < zc_verdict_frame_slack(frame_bytes);
	id->zero_copy = shared && id->checksum_ok && no_frame_copied && address_ok;
	id->undeclared_copy = false;
	const char *addr = !id->address_meaningful
				   ? "addresses are per process"
			   : id->same_address      ? "same address"
						   : "address differs";
	const char *seen = id->aliasing_visible ? "write-through seen" : "write-through not seen";
	char copied[96], differs[320], pages[48] = "";
	if (!isnan(id->same_pages))
		snprintf(pages, sizeof(pages), ", %.0f%% same physical pages",
			 id->same_pages * 100);
	snprintf(copied, sizeof(copied), "%.0f bytes copied per transfer (%.2f frames)", observed,
		 frame_bytes ? observed / (double)frame_bytes : 0.0);
	disagreement(id, copies, frame_bytes, differs, sizeof(differs));
	/* Bytes that moved but were not the frame's: said, never judged. */
	char other[96] = "";
	if (copies->other_bytes_per_transfer >= zc_verdict_frame_slack(frame_bytes))
		snprintf(other, sizeof(other), "; %.0f bytes moved that are not the frame's",
			 copies->other_bytes_per_transfer);
	const char *lead = id->zero_copy ? "consumer reads the producer's bytes in place"
			   : expect_zero_copy ? "expected zero-copy, but the consumer has a copy"
					      : "consumer has its own copy";
	snprintf(id->evidence, sizeof(id->evidence), "%s: %s, %s%s, %s%s%s%s", lead, addr, seen,
		 pages, copied, differs, other, id->checksum_ok ? "" : "; CHECKSUM MISMATCH");
}

/* Appends the printf-formatted text to the evidence line, as far as it has room. */
__attribute__((format(printf, 2, 3))) static void say(struct zc_identity *id, const char *fmt,
						       ...)
{
	size_t n = strlen(id->evidence);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(id->evidence + n, sizeof(id->evidence) - n, fmt, ap);
	va_end(ap);
}

/* "132 KiB", "8.0 MiB", "8.0 GiB" */
static void size_words(double bytes, char *buf, size_t len)
{
	if (bytes < 1024.0 * 1024)
		snprintf(buf, len, "%.0f KiB", bytes / 1024);
	else if (bytes < 1024.0 * 1024 * 1024)
		snprintf(buf, len, "%.1f MiB", bytes / 1024 / 1024);
	else
		snprintf(buf, len, "%.1f GiB", bytes / 1024 / 1024 / 1024);
}

/* One gap in the evidence, after "; unverified: " for the first and ", " for the others. */
__attribute__((format(printf, 3, 4))) static void gap(struct zc_identity *id, int *gaps,
						       const char *fmt, ...)
{
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	say(id, "%s%s", (*gaps)++ ? ", " : "; unverified: ", text);
}

/*
 * The mappings of one process's list where a copy could land: a hundredth of a frame or
 * more, or a stack (it grows past its size). @side: "" or "the consumer's ".
 */
static void unwatched_gaps(struct zc_identity *id, int *gaps, const struct zc_unwatched_list *l,
			   const char *side, size_t frame_bytes)
{
	size_t named = 0, more = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct zc_unwatched *u = &l->v[i];
		char size[32];
		if (!u->stack && u->bytes < zc_verdict_frame_slack(frame_bytes))
			continue;
		if (named == COVERAGE_NAMED) {
			more++;
			continue;
		}
		named++;
		size_words(u->bytes, size, sizeof(size));
		gap(id, gaps, "%s%s %s not watched (%s)", side,
		    u->mapping[0] ? u->mapping : "anonymous mapping", size, u->why);
	}
	if (more)
		gap(id, gaps, "%s%zu more mappings not watched", side, more);
	if (l->io_uring > 0)
		gap(id, gaps, "io_uring in use in %sprocess (its kernel copies write no watched "
		    "page)", *side ? side : "the producer's ");
}

void zc_verdict_coverage(struct zc_identity *id, const struct zc_written_result *w,
			 size_t frame_bytes)
{
	int gaps = 0;
	id->unverified = false;
	id->unexplained_work = false;
	if (id->zero_copy) {
		if (w->unavailable[0])
			gap(id, &gaps, "pages written not counted (%s)", w->unavailable);
		else if (w->consumer_apart && isnan(w->consumer_per_transfer))
			gap(id, &gaps, "the consumer's pages written not counted (%s)",
			    w->consumer_unavailable);
		else if (w->consumer_apart && !w->consumer_unwatched.known)
			gap(id, &gaps, "what the consumer's watch left out is unknown");
		unwatched_gaps(id, &gaps, &w->unwatched, "", frame_bytes);
		unwatched_gaps(id, &gaps, &w->consumer_unwatched, "the consumer's ", frame_bytes);
		if (w->late_threads > 0)
			gap(id, &gaps, "%lld watched transfers left a thread running 2 s after the "
			    "release (what it wrote later was not counted)",
			    (long long)w->late_threads);
		if (w->late_processes > 0)
			gap(id, &gaps, "%lld watched transfers left a process they started running "
			    "2 s after the release (what it copied later was not counted)",
			    (long long)w->late_processes);
		if (w->unhooked_processes > 0)
			gap(id, &gaps, "%lld watched transfers started a process that ran without "
			    "the counting hooks (a static or setuid program: its copies were not "
			    "counted)", (long long)w->unhooked_processes);
		id->unverified = gaps > 0;
	}
	double page = (double)sysconf(_SC_PAGESIZE);
	double written = w->producer_per_transfer +
			 (isnan(w->consumer_per_transfer) ? 0 : w->consumer_per_transfer);
	/* frame_bytes_per_transfer is bytes (written out as pages: schema.h). */
	double other = written - (isnan(w->frame_bytes_per_transfer)
					  ? 0
					  : w->frame_bytes_per_transfer / page);
	if (!isnan(written) && frame_bytes &&
	    other * page >= ZC_UNEXPLAINED_FRAMES * (double)frame_bytes) {
		id->unexplained_work = true;
		say(id, "; unexplained work: %.0f pages written per transfer hold no frame bytes "
		    "(%.2f frames)", other, other * page / (double)frame_bytes);
	}
}

void zc_verdict_modes(struct zc_timing *t)
{
	double lo = 0, hi = 0;
	for (size_t i = 0; i < t->nprocesses; i++) {
		double m = t->process_medians[i];
		if (i == 0 || m < lo)
			lo = m;
		if (i == 0 || m > hi)
			hi = m;
	}
	t->bimodal = t->nprocesses > 1 && lo > 0 && hi / lo > ZC_BIMODAL_RATIO;
}

static int cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double zc_verdict_background_cv(const struct zc_results *r)
{
	double *cv = malloc((r->n ? r->n : 1) * sizeof(*cv)), median = 0;
	size_t n = 0;
	if (!cv) /* the rows are then judged on ZC_NOISY_CV alone */
		return 0;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].measured)
			cv[n++] = r->v[i].time.ns.cv;
	if (n) {
		qsort(cv, n, sizeof(cv[0]), cmp_double);
		median = n % 2 ? cv[n / 2] : (cv[n / 2 - 1] + cv[n / 2]) / 2;
	}
	free(cv);
	return median;
}

bool zc_verdict_noisy(double cv, double background)
{
	return cv > ZC_NOISY_CV && cv > ZC_NOISY_BACKGROUND * background;
}

void zc_verdict_row(struct zc_result *res, size_t frame_bytes)
{
	zc_verdict_modes(&res->time);
	zc_verdict_identity(&res->id, res->expect_zero_copy, &res->copies, frame_bytes);
	zc_verdict_coverage(&res->id, &res->pages_written, frame_bytes);
	res->flags = zc_verdict_flags(res);
}

unsigned zc_verdict_flags(const struct zc_result *res)
{
	unsigned f = 0;
	if (!res->measured)
		return ZC_FLAG_NOT_TIMED;
	if (res->expect_zero_copy && !res->id.zero_copy)
		f |= ZC_FLAG_EXPECTED_ZERO_COPY;
	if (res->id.undeclared_copy)
		f |= ZC_FLAG_UNDECLARED_COPY;
	if (!res->id.checksum_ok)
		f |= ZC_FLAG_CHECKSUM;
	if (zc_verdict_noisy(res->time.ns.cv, res->time.background_cv))
		f |= ZC_FLAG_NOISY;
	if (res->time.bimodal)
		f |= ZC_FLAG_BIMODAL;
	if (res->id.unverified)
		f |= ZC_FLAG_UNVERIFIED;
	if (res->id.unexplained_work)
		f |= ZC_FLAG_UNEXPLAINED_WORK;
	return f;
}

static const char *const flag_words[ZC_FLAG_COUNT] = {
#define ZC__FLAG_WORD(name, word) [ZC_FLAG_INDEX_##name] = word,
	ZC_VERDICT_FLAGS(ZC__FLAG_WORD)
#undef ZC__FLAG_WORD
};

const char *zc_verdict_flag_word(enum zc_flag_index index)
{
	assert(index < ZC_FLAG_COUNT);
	return flag_words[index];
}

void zc_verdict_flags_format(unsigned flags, char *buf, size_t len)
{
	size_t n = 0;
	assert(len > 0);
	buf[0] = '\0';
	for (int i = 0; i < ZC_FLAG_COUNT && n < len; i++)
		if (flags & (1u << i))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " " : "", flag_words[i]);
}

int zc_verdict_exit(const struct zc_result *res, bool strict)
{
	if (!res->id.checksum_ok)
		return ZC_EXIT_RUNTIME;
	if (strict && ((res->expect_zero_copy && !res->id.zero_copy) || res->id.undeclared_copy))
		return ZC_EXIT_FAILED;
	/* Left out by choice or build, the pass's gap is the user's: the flag says it. */
	if (strict && res->id.unverified && !res->pages_written.skipped)
		return ZC_EXIT_FAILED;
	return ZC_EXIT_OK;
}

/* RUNTIME (a checksum failed) over FAILED (--strict) over OK. */
static int severity(int rc)
{
	return rc == ZC_EXIT_RUNTIME ? 2 : rc == ZC_EXIT_FAILED ? 1 : 0;
}

int zc_verdict_worse(int a, int b)
{
	return severity(b) > severity(a) ? b : a;
}
