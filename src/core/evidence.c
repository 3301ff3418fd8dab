/*
 * evidence.c: the untimed evidence pass (evidence.h).
 *
 * For each watched transfer: arm the watch over every writable mapping, read the fault
 * count, transfer as the timed loop does, count the pages of the frame the producer handed
 * over (its stamps: production, not transfer), release, read the faults again and take the
 * pages written. Pages of mappings made during the transfer are not watched; their first
 * touches are the faults the watched pages written do not explain (written.c).
 */
#include "evidence.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "verdict.h"
#include "written.h"

#define WARMUP_TRANSFERS 2

/* Builds without the pass: sanitizers write shadow memory on every access; a timing build. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || defined(ZC_TEST_NO_EVIDENCE)
#define EVIDENCE_OFF 1
#endif

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

#ifndef EVIDENCE_OFF
static long minor_faults(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* What one watched transfer wrote, in pages. */
struct tally {
	long pages;  /* outside the producer's frame, in this process */
	long fresh;  /* of those, first touches of memory mapped during the transfer */
	long copies; /* of those, pages that hold the frame's bytes */
	long frame;  /* of the producer's frame: production, not transfer */
	long consumer, consumer_copies; /* the same in the consumer's own process */
};

/* The consumer's process, when it has one: 0; 1 when it cannot be watched; -1 on failure. */
struct consumer_side {
	bool watched;
	char why[200];
};

static int consumer_pages(const struct zc_strategy *s, void *st, struct consumer_side *cs,
			  bool arm, long *pages, long *copies)
{
	if (!cs->watched)
		return 0;
	struct zc_error why = {0};
	int rc = s->remote->pages(st, arm, pages, copies, &why);
	if (rc == 1) {
		cs->watched = false; /* counted on this side only, from now on */
		snprintf(cs->why, sizeof(cs->why), "%.199s", why.text);
	}
	return rc < 0 ? -1 : 0;
}

/* The strategy failed at what: its reason's code (why) says whether it ran out of memory. */
static int failed(const struct zc_strategy *s, const char *what, const struct zc_error *why,
		  struct zc_error *err)
{
	const int code = why->code ? why->code : ZC_EXIT_RUNTIME;
	return zc_error_set(err, code, "strategy '%s': %s in the evidence pass%s", s->name, what,
			    code == ZC_EXIT_NOMEM ? ": out of memory" : "");
}

static bool holds_frame_bytes(const unsigned char *page, size_t len, void *arg)
{
	(void)arg;
	return zc_frame_bytes_like(page, len);
}

/*
 * One rendered transfer, watched by w when not NULL: its pages into *t. Rendered, so that a
 * copy of the frame carries the frame's content wherever it lands. Returns 0; -1 with err
 * when the strategy failed; 1 with the instrument's reason in why.
 */
static int transfer(const struct zc_strategy *s, void *st, struct zc_written *w,
		    struct consumer_side *cs, struct tally *t, struct zc_error *err,
		    struct zc_error *why)
{
	struct zc_view v;
	struct zc_written_count c = {0};
	long unused;
	if (w && zc_written_arm(w, why) != 0)
		return 1;
	struct zc_error failure = {0};
	if (w && consumer_pages(s, st, cs, true, &unused, &unused) != 0)
		return failed(s, "the consumer's watch failed", &failure, err);
	long f0 = minor_faults();
	if (s->transfer(st, true, &v, &failure) != 0)
		return failed(s, "transfer failed", &failure, err);
	/* Before the release, which may free the copy or the producer's frame. */
	if (w && zc_written_count(w, v.producer, v.producer ? v.bytes : 0, holds_frame_bytes,
				  NULL, &c, why) != 0) {
		s->release(st, &v);
		return 1;
	}
	bool ok = s->consumer_checks_stamp || zc_frame_stamp_ok(v.data, v.bytes, v.seq);
	s->release(st, &v);
	if (!ok)
		return zc_error_set(err, ZC_EXIT_RUNTIME,
				    "strategy '%s': the consumer saw a wrong stamp", s->name);
	if (!w)
		return 0;
	long faults = minor_faults() - f0;
	if (consumer_pages(s, st, cs, false, &t->consumer, &t->consumer_copies) != 0)
		return failed(s, "the consumer's count failed", &failure, err);
	long n = zc_written_take(w, why); /* the release's writes too */
	if (n < 0)
		return 1;
	/* Faults the watched pages do not explain are first touches elsewhere (written.c). */
	long fresh = faults - n > c.fresh ? faults - n : c.fresh;
	t->frame = c.excluded;
	t->copies = c.matching;
	t->pages = n + fresh - c.excluded > 0 ? n + fresh - c.excluded : 0;
	t->fresh = fresh - c.excluded_fresh > 0 ? fresh - c.excluded_fresh : 0;
	return 0;
}

/*
 * The watched transfers: their mean pages written into out. Returns 0; -1 with err when the
 * strategy failed, or 1 with the instrument's reason in out->unavailable.
 */
static int watch_transfers(const struct zc_strategy *s, void *st, struct zc_written_result *out,
			   struct zc_error *err)
{
	struct zc_written w; /* not written while armed: its state is the instrument's own */
	struct zc_error why = {0};
	if (zc_written_init(&w, &why) != 0) {
		snprintf(out->unavailable, sizeof(out->unavailable), "%.199s", why.text);
		return 1;
	}
	struct tally sum = {0};
	struct consumer_side cs = {.watched = s->remote != NULL};
	int rc = 0;
	for (int i = 0; i < ZC_EVIDENCE_TRANSFERS && rc == 0; i++) {
		struct tally t = {0};
		rc = transfer(s, st, &w, &cs, &t, err, &why);
		sum.pages += t.pages;
		sum.fresh += t.fresh;
		sum.frame += t.frame;
		sum.copies += t.copies;
		sum.consumer += t.consumer;
		sum.consumer_copies += t.consumer_copies;
	}
	if (rc == 0)
		zc_evidence_unwatched(&w, ZC_EVIDENCE_TRANSFERS, &out->unwatched);
	zc_written_release(&w);
	if (rc == 1)
		snprintf(out->unavailable, sizeof(out->unavailable), "%.199s", why.text);
	if (rc != 0)
		return rc;
	out->method = "uffd-wp";
	out->producer_per_transfer = (double)sum.pages / ZC_EVIDENCE_TRANSFERS;
	out->fresh_per_transfer = (double)sum.fresh / ZC_EVIDENCE_TRANSFERS;
	out->frame_per_transfer = (double)sum.frame / ZC_EVIDENCE_TRANSFERS;
	if (s->remote && cs.watched) {
		out->consumer_per_transfer = (double)sum.consumer / ZC_EVIDENCE_TRANSFERS;
		out->consumer_unavailable[0] = '\0';
		struct zc_error failure = {0};
		if (s->remote->unwatched &&
		    s->remote->unwatched(st, &out->consumer_unwatched, &failure) != 0)
			return failed(s, "the consumer's unwatched mappings are unknown", &failure,
				      err);
	} else if (s->remote) {
		snprintf(out->consumer_unavailable, sizeof(out->consumer_unavailable), "%s", cs.why);
		sum.consumer_copies = 0;
	}
	out->frame_bytes_per_transfer =
		(double)(sum.copies + sum.consumer_copies) / ZC_EVIDENCE_TRANSFERS;
	return 0;
}

#endif /* EVIDENCE_OFF */

void zc_evidence_unwatched(const struct zc_written *w, int transfers,
			   struct zc_unwatched_list *out)
{
	*out = (struct zc_unwatched_list){.known = true, .io_uring = zc_written_saw_io_uring(w)};
	for (size_t i = 0; i < zc_written_unwatched_count(w) && out->n < ZC_UNWATCHED_MAX; i++) {
		const struct zc_written_unwatched *u = zc_written_unwatched_at(w, i);
		struct zc_unwatched *r = &out->v[out->n++];
		snprintf(r->mapping, sizeof(r->mapping), "%s",
			 u->name[0] ? u->name : "[anonymous]");
		zc_written_why_text(u, r->why, sizeof(r->why));
		r->stack = !strcmp(u->name, "[stack]");
		r->bytes = (double)(u->end - u->start);
		r->resident_pages = NAN;
		r->populated_per_transfer = NAN;
		if (u->resident >= 0)
			r->resident_pages = (double)u->resident;
		if (u->first_resident >= 0 && transfers > 0)
			r->populated_per_transfer = (double)u->populated / transfers;
	}
}

void zc_evidence_skip(struct zc_written_result *out, const char *why)
{
	*out = (struct zc_written_result){.producer_per_transfer = NAN,
					  .consumer_per_transfer = NAN,
					  .fresh_per_transfer = NAN,
					  .frame_per_transfer = NAN,
					  .frame_bytes_per_transfer = NAN,
					  .skipped = true,
					  .unwatched.io_uring = -1,
					  .consumer_unwatched.io_uring = -1};
	snprintf(out->unavailable, sizeof(out->unavailable), "%s", why);
	snprintf(out->consumer_unavailable, sizeof(out->consumer_unavailable), "%s", why);
}

int zc_evidence_pass(const struct zc_strategy *s, const struct zc_frame_geom *g,
		     struct zc_written_result *out, struct zc_error *err)
{
	zc_evidence_skip(out, "");
	out->skipped = false;
	out->consumer_apart = s->remote != NULL;
	double t0 = now_ms();
	if (s->remote)
		snprintf(out->consumer_unavailable, sizeof(out->consumer_unavailable),
			 "not counted: the producer's pages were not");
	else
		snprintf(out->consumer_unavailable, sizeof(out->consumer_unavailable),
			 "one address space: the consumer's writes are in producer_per_transfer");
#ifdef EVIDENCE_OFF
	(void)g;
	(void)err;
	/* ZC_TEST_NO_EVIDENCE: a measuring build only, to time the runs without the pass. */
	snprintf(out->unavailable, sizeof(out->unavailable), "%s",
#ifdef ZC_TEST_NO_EVIDENCE
		 "built without the evidence pass (-DZC_TEST_NO_EVIDENCE)"
#else
		 "sanitizer build: the sanitizer writes shadow memory on every access"
#endif
		 );
	out->skipped = true; /* by the build: not a gap the run could have closed */
	out->pass_ms = now_ms() - t0;
	return 0;
#else
	struct zc_error why = {0};
	void *st = s->setup(g, s->arg, &why);
	if (!st)
		return failed(s, "setup failed", &why, err);
	int rc = 0;
	for (int i = 0; i < WARMUP_TRANSFERS && rc == 0; i++)
		rc = transfer(s, st, NULL, NULL, NULL, err, NULL);
	if (rc == 0)
		rc = watch_transfers(s, st, out, err);
	s->teardown(st);
	out->pass_ms = now_ms() - t0;
	return rc < 0 ? -1 : 0;
#endif
}

double zc_evidence_copy_bytes(const struct zc_written_result *w, size_t frame_bytes)
{
	if (isnan(w->frame_bytes_per_transfer))
		return NAN;
	double bytes = w->frame_bytes_per_transfer * (double)sysconf(_SC_PAGESIZE);
	return bytes >= zc_verdict_frame_slack(frame_bytes) ? bytes : 0;
}
