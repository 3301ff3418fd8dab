/*
 * evidence.c: the untimed evidence pass (evidence.h).
 *
 * For each watched transfer: arm the watch over every writable mapping, read the fault
 * count, transfer as the timed loop does, count the pages of the frame the producer handed
 * over (its stamps: production, not transfer) and the bytes of that frame (its seq: not one
 * rendered ahead) the others hold, release, read the faults again and take the pages
 * written. Pages of mappings made during the transfer are not watched; their first touches
 * are the faults the watched pages written do not explain (written.c).
 */
#include "evidence.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "follow.h"
#include "frame.h"
#include "vanish.h"
#include "verdict.h"
#include "written.h"


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

/* What one watched transfer wrote: pages, and the bytes of the frame they hold. */
struct tally {
	long pages;  /* outside the producer's frame, in this process */
	long fresh;  /* of those, first touches of memory mapped during the transfer */
	long copies; /* in those, bytes of the frame transferred (a copy's) */
	long frame;  /* of the producer's frame: production, not transfer */
	long consumer, consumer_copies; /* pages and bytes in the consumer's own process */
	bool late_threads; /* a thread the transfer started outlived the wait (settled) */
	bool late_processes; /* a process it started did (follow.h) */
	bool unhooked;       /* a process it started ran without the hooks (follow.h) */
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

/* A page written: the bytes of frame *seq it holds (not one rendered ahead), unless they
 * were counted when its block was freed. */
static size_t holds_frame_bytes(const unsigned char *page, size_t len, uintptr_t at, void *seq)
{
	if (zc_vanish_seen((const void *)at, len))
		return 0;
	return zc_frame_bytes_held(page, len, *(const uint64_t *)seq, false);
}

/*
 * Frame bytes in memory that went during a transfer, by frame: which frame the transfer
 * moves is known only when it returns. Any thread may add (a free elsewhere).
 */
#define GONE_FRAMES 8
struct gone {
	atomic_flag lock;
	unsigned n;
	uint32_t seq[GONE_FRAMES];
	uint64_t bytes[GONE_FRAMES];
	uint64_t unsorted; /* frames past the table's room */
};

static void gone_add(uint32_t seq, size_t bytes, void *arg)
{
	struct gone *g = arg;
	while (atomic_flag_test_and_set(&g->lock))
		;
	unsigned i = 0;
	while (i < g->n && g->seq[i] != seq)
		i++;
	if (i == g->n && g->n < GONE_FRAMES)
		g->seq[g->n++] = seq;
	if (i < g->n)
		g->bytes[i] += bytes;
	else
		g->unsorted += bytes;
	atomic_flag_clear(&g->lock);
}

/* The vanish test: every frame's bytes, told to the account; their sum. */
static size_t gone_test(const unsigned char *p, size_t len, void *arg)
{
	struct gone *g = arg;
	uint64_t before = 0, after = 0;
	while (atomic_flag_test_and_set(&g->lock))
		;
	for (unsigned i = 0; i < g->n; i++)
		before += g->bytes[i];
	before += g->unsorted;
	atomic_flag_clear(&g->lock);
	zc_frame_runs(p, len, gone_add, g);
	while (atomic_flag_test_and_set(&g->lock))
		;
	for (unsigned i = 0; i < g->n; i++)
		after += g->bytes[i];
	after += g->unsorted;
	atomic_flag_clear(&g->lock);
	return (size_t)(after - before);
}

/* The bytes of frame seq that went (the unsorted ones too: they may be its). */
static uint64_t gone_of(const struct gone *g, uint64_t seq)
{
	for (unsigned i = 0; i < g->n; i++)
		if (g->seq[i] == (uint32_t)seq)
			return g->bytes[i] + g->unsorted;
	return g->unsorted;
}

/*
 * The threads of this process (/proc/self/task), at most ZC_EVIDENCE_THREADS ids into tids,
 * read with getdents64 into the stack (no allocation while the watch is armed): their
 * number, or -1 when they cannot be read.
 */
#define ZC_EVIDENCE_THREADS 256
struct tids {
	int n;
	pid_t id[ZC_EVIDENCE_THREADS];
};

static void list_threads(struct tids *t)
{
	t->n = -1;
	int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	char buf[4096];
	long got;
	t->n = 0;
	while ((got = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got;) {
			const char *name = buf + off + 19; /* d_ino, d_off, d_reclen, d_type */
			unsigned short reclen;
			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			if (name[0] != '.' && t->n < ZC_EVIDENCE_THREADS)
				t->id[t->n++] = (pid_t)strtol(name, NULL, 10);
			off += reclen;
		}
	}
	close(fd);
	if (got < 0)
		t->n = -1;
}

/* Whether a thread of now is not among those of before. */
static bool new_thread(const struct tids *before, const struct tids *now)
{
	for (int i = 0; i < now->n; i++) {
		bool old = false;
		for (int j = 0; j < before->n && !old; j++)
			old = before->id[j] == now->id[i];
		if (!old)
			return true;
	}
	return false;
}

/*
 * The whole life of a transfer: after the release, threads the transfer started (a worker
 * finishing late) are waited for, up to SETTLE_MS, so that what they write is counted.
 * Returns false when some still ran at the deadline.
 */
static bool settled(const struct tids *before)
{
	if (before->n < 0)
		return true;
	for (int waited = 0; waited < ZC_FOLLOW_SETTLE_MS; waited++) {
		struct tids now;
		list_threads(&now);
		if (now.n >= 0 && !new_thread(before, &now))
			return true;
		struct timespec ms = {.tv_nsec = 1000000};
		nanosleep(&ms, NULL);
	}
	return false;
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
	struct tids threads = {.n = -1};
	struct zc_follow_mark started;
	if (w) {
		list_threads(&threads);
		zc_follow_mark(&started);
	}
	/*
	 * The whole life of the transfer is watched: the hand-over, the release, threads it
	 * started. Memory freed, unmapped, discarded or wiped meanwhile is read before it goes
	 * (vanish.h); the pages are counted after it all, the producer's frame apart (its range
	 * is kept: the release may have freed it).
	 */
	static struct gone gone; /* static: its writes are the instrument's, never watched */
	if (w) {
		zc_vanish_clear();
		gone = (struct gone){.lock = ATOMIC_FLAG_INIT};
		zc_vanish_watch(gone_test, &gone);
	}
	if (s->transfer(st, true, &v, &failure) != 0) {
		if (w)
			zc_vanish_stop();
		return failed(s, "transfer failed", &failure, err);
	}
	if (w && v.producer)
		zc_vanish_exclude(v.producer, v.bytes);
	bool ok = s->consumer_checks_stamp || zc_frame_stamp_ok(v.data, v.bytes, v.seq);
	const void *producer = v.producer;
	size_t producer_bytes = v.producer ? v.bytes : 0;
	uint64_t seq = v.seq;
	/*
	 * The pages of the hand-over, its frame and the fresh memory it mapped, before the
	 * release frees them: after it their first touches would still be faults, but no
	 * longer pages that can be told to be the frame's.
	 */
	struct zc_written_count before = {0};
	if (w && zc_written_count(w, producer, producer_bytes, NULL, NULL, &before, why) != 0) {
		zc_vanish_stop();
		s->release(st, &v);
		return 1;
	}
	s->release(st, &v);
	/* The faults of the transfer and its release, before the instrument's own work below. */
	long faults = w ? minor_faults() - f0 : 0;
	if (!ok) {
		if (w)
			zc_vanish_stop();
		return zc_error_set(err, ZC_EXIT_RUNTIME,
				    "strategy '%s': the consumer saw a wrong stamp", s->name);
	}
	if (!w)
		return 0;
	t->late_threads = !settled(&threads);
	/* Their copies are the hooks' to count (in the group's slots), not pages of this one. */
	t->late_processes = !zc_follow_settle(&started);
	t->unhooked = zc_follow_unhooked(&started);
	zc_vanish_stop();
	uint64_t vanished = gone_of(&gone, seq);
	if (zc_written_count(w, producer, producer_bytes, holds_frame_bytes, &seq, &c, why) != 0)
		return 1;
	if (consumer_pages(s, st, cs, false, &t->consumer, &t->consumer_copies) != 0)
		return failed(s, "the consumer's count failed", &failure, err);
	long n = zc_written_take(w, why); /* the release's writes too */
	if (n < 0)
		return 1;
	/* Faults the watched pages do not explain are first touches elsewhere (written.c). */
	long fresh = faults - n > before.fresh ? faults - n : before.fresh;
	t->frame = before.excluded;
	t->copies = c.matching_bytes + (long)vanished; /* after the release, and what went */
	t->pages = n + fresh - before.excluded > 0 ? n + fresh - before.excluded : 0;
	t->fresh = fresh - before.excluded_fresh > 0 ? fresh - before.excluded_fresh : 0;
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
		out->late_threads += t.late_threads;
		out->late_processes += t.late_processes;
		out->unhooked_processes += t.unhooked;
	}
	if (rc == 0)
		zc_evidence_unwatched(&w, ZC_EVIDENCE_TRANSFERS, &out->unwatched);
	zc_written_release(&w);
	if (rc == 1)
		snprintf(out->unavailable, sizeof(out->unavailable), "%.199s", why.text);
	if (rc != 0)
		return rc;
	out->method = "uffd-wp";
	out->transfers = ZC_EVIDENCE_TRANSFERS;
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
	for (int i = 0; i < ZC_WARMUP_TRANSFERS && rc == 0; i++)
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
	double bytes = w->frame_bytes_per_transfer;
	return bytes >= zc_verdict_frame_slack(frame_bytes) ? bytes : 0;
}
