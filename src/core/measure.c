/*
 * measure.c: one strategy, measured: validate it (identity, checksums, leaks), time its
 * transfers with Google Benchmark, count what the last repetition's timed loop did, read the
 * memory it held, then tear it down. Runs in a process of its own (isolate.c), so that no
 * strategy inherits another one's allocator state.
 */
#include "measure.h"

#include <assert.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "allocator.h"
#include "evidence.h"
#include "follow.h"
#include "gbench.h"
#include "grow.h"
#include "identity.h"
#include "instrument.h"
#include "memstat.h"
#include "placement.h"


struct bench {
	const struct zc_strategy *s;
	const struct zc_options *opt;
	void *state;
	double *samples;
	size_t nsamples, cap;
	struct zc_counts loop;      /* counts over the last repetition's timed loop */
	struct zc_counts consumer;  /* the same in the consumer's process, when it has one */
	bool has_consumer;
	int64_t iterations;
	int64_t minor_faults, major_faults;
	int64_t consumer_minor_faults; /* the consumer process's, over the same loop */
	bool has_consumer_faults;
	bool failed;
	struct zc_error why;        /* the strategy's reason when it failed: ZC_EXIT_NOMEM exits 4 */
	char error[256];
	bool slowed;                /* test builds only: each timed transfer made slower */
};

#ifdef ZC_TEST_SLOWDOWN_PCT
/*
 * A test-only build knob (make gate-power): the strategies named in ZC_TEST_SLOWDOWN_STRATEGY
 * (bare words on the command line, -DZC_TEST_SLOWDOWN_STRATEGY=copy_into,byte_array, so that
 * no quote has to survive make and the shell) spin for ZC_TEST_SLOWDOWN_PCT percent of their
 * own transfer time (each timed transfer's own) inside every timed transfer, so
 * that the gate's power to see a slowdown of that size can be measured. No copy and no
 * allocation: only the time changes.
 */
#define SLOWDOWN_NAMES_(...) #__VA_ARGS__
#define SLOWDOWN_NAMES(x) SLOWDOWN_NAMES_(x)

/* Whether @name is one of the comma-separated names of the knob. */
static bool slowed(const char *name)
{
	const char *list = SLOWDOWN_NAMES(ZC_TEST_SLOWDOWN_STRATEGY);
	size_t len = strlen(name);
	for (const char *p = list; (p = strstr(p, name)) != NULL; p += len)
		if ((p == list || p[-1] == ',') && (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Only the slowed strategy reads the clock: the others' transfers stay as they are. A slowed
 * transfer then spins for ZC_TEST_SLOWDOWN_PCT percent of its own time, so that every
 * transfer, and the median whatever the spread, is that much slower. Sized on a warm-up
 * transfer instead, the knob missed: the fastest one under-slowed a row of two speeds (java
 * byte_array read +10% to +19% where +25% was asked), the median of the warm-up transfers,
 * slowed by their first touches, over-slowed a copy (copy_into read +34% to +85%).
 */
static int64_t slowdown_start(const struct bench *b)
{
	return b->slowed ? now_ns() : 0;
}

static void slowdown_spin(const struct bench *b, int64_t t0)
{
	if (!b->slowed)
		return;
	const int64_t now = now_ns();
	const int64_t until = now + (now - t0) * ZC_TEST_SLOWDOWN_PCT / 100;
	while (now_ns() < until)
		;
}
#else
static inline bool slowed(const char *name) { (void)name; return false; }
static inline int64_t slowdown_start(const struct bench *b) { (void)b; return 0; }
static inline void slowdown_spin(const struct bench *b, int64_t t0) { (void)b; (void)t0; }
#endif

/*
 * One transfer as the benchmark times it: hand over, check the stamp, release. 0; -1 with
 * err when the transfer failed; -2 when the consumer saw a wrong stamp.
 */
static inline int one_transfer(const struct zc_strategy *s, void *st, struct zc_error *err)
{
	struct zc_view v;
	if (s->transfer(st, false, &v, err) != 0)
		return -1;
	bool ok = s->consumer_checks_stamp || zc_frame_stamp_ok(v.data, v.bytes, v.seq);
	zc_do_not_optimize(v.data);
	s->release(st, &v);
	return ok ? 0 : -2;
}

static void faults(int64_t *minor, int64_t *major)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	*minor = ru.ru_minflt;
	*major = ru.ru_majflt;
}

/*
 * The consumer process's memory and faults now, read in that process, into *m. 1 when it
 * answered with its fault count; 0 when it does not count them; -1 with b->why when it did
 * not answer. Precondition: the strategy has a remote consumer.
 */
static int consumer_memory(struct bench *b, struct zc_memstat *m)
{
	assert(b->s->remote);
	if (b->s->remote->memory(b->state, m, &b->why) != 0)
		return -1;
	return m->minor_faults >= 0;
}

/*
 * Records why the runs failed: what, then the strategy's reason when it gave one (b->why,
 * whose code also tells an out-of-memory failure apart). st NULL: after the runs.
 */
static void fail(struct bench *b, zc_bench_state *st, const char *what)
{
	snprintf(b->error, sizeof(b->error), "strategy '%s': %s%s%.160s", b->s->name, what,
		 b->why.code ? ": " : "", b->why.code ? b->why.text : "");
	b->failed = true;
	if (st)
		zc_bench_skip_with_error(st, b->error);
}

/*
 * The remote consumer's counts and memory around the timed loop: before it (after false)
 * into *c0 and *m0, after it into b's consumer figures. Its memory is read outside its
 * counts, so that the request is not counted as a copy. 0, or -1 with b->why when it did
 * not answer.
 */
static int consumer_figures(struct bench *b, bool after, struct zc_counts *c0,
			    struct zc_memstat *m0)
{
	struct zc_counts c1;
	struct zc_memstat m1;
	const struct zc_remote_consumer *r = b->s->remote;
	if (!after)
		return consumer_memory(b, m0) < 0 || r->counts(b->state, c0, &b->why) != 0 ? -1 : 0;
	if (r->counts(b->state, &c1, &b->why) != 0)
		return -1;
	int faults = consumer_memory(b, &m1);
	if (faults < 0)
		return -1;
	b->has_consumer = true;
	zc_counts_diff(&b->consumer, &c1, c0);
	b->has_consumer_faults = faults == 1 && m0->minor_faults >= 0;
	if (b->has_consumer_faults)
		b->consumer_minor_faults = m1.minor_faults - m0->minor_faults;
	return 0;
}

/* The benchmark body: Google Benchmark calls it once per repetition (and to calibrate). */
static void bench_transfer(zc_bench_state *st, void *arg)
{
	struct bench *b = arg;
	const struct zc_strategy *s = b->s;
	struct zc_follow_mark warming;
	zc_follow_mark(&warming);
	for (int i = 0; i < ZC_WARMUP_TRANSFERS ||
			(s->settled && i < ZC_WARMUP_MAX && !s->settled(b->state));
	     i++) {
		if (one_transfer(s, b->state, &b->why) != 0) {
			fail(b, st, "warm-up transfer failed");
			return;
		}
	}
	/* What processes the warm-up started do is not the timed loop's (follow.h). */
	(void)zc_follow_settle(&warming);
	struct zc_counts before, after, cbefore;
	struct zc_memstat mbefore;
	int64_t min0, maj0, min1, maj1;
	/* The consumer's memory outside its counts: its request is not counted as a copy. */
	if (s->remote && consumer_figures(b, false, &cbefore, &mbefore) != 0) {
		fail(b, st, "the consumer's counts failed");
		return;
	}
	faults(&min0, &maj0);
	struct zc_follow_mark started;
	zc_follow_mark(&started);
	zc_counts_snapshot(&before);
	int rc = 0;
	while (zc_bench_keep_running(st)) {
		const int64_t t0 = slowdown_start(b);
		if ((rc = one_transfer(s, b->state, &b->why)) != 0)
			break;
		slowdown_spin(b, t0);
	}
	/*
	 * Processes the transfers started count once they are done (follow.h); one still running
	 * at the deadline is the evidence pass's to report (late_processes).
	 */
	(void)zc_follow_settle(&started);
	zc_counts_snapshot(&after);
	faults(&min1, &maj1);
	if (rc != 0) {
		fail(b, st, rc == -1 ? "transfer failed" : "the consumer saw a wrong stamp");
		return;
	}
	if (s->remote && consumer_figures(b, true, &cbefore, &mbefore) != 0) {
		fail(b, st, "the consumer's counts failed");
		return;
	}
	zc_counts_diff(&b->loop, &after, &before);
	b->iterations = zc_bench_iterations(st);
	b->minor_faults = min1 - min0;
	b->major_faults = maj1 - maj0;
	/*
	 * Frames delivered per second, as bytes. The counts stay out of Google Benchmark's
	 * counters: a counter that is 0 in every repetition gets a cv of 0/0, which its JSON
	 * writes as NaN, and JSON readers reject the whole file.
	 */
	zc_bench_set_bytes_processed(st, b->iterations * (int64_t)b->opt->frame.bytes);
}

/* Collects one figure per repetition from Google Benchmark's reports. */
static void on_run(const struct zc_bench_run *run, void *arg)
{
	struct bench *b = arg;
	if (run->aggregate || run->error || run->iterations == 0)
		return;
	if (zc_grow(&b->samples, &b->cap, b->nsamples, sizeof(*b->samples), 16) != 0)
		return;
	b->samples[b->nsamples++] = run->real_ns;
}

/* The strategy's own figures, in an object created here and merged into res->extra. */
static void add_extras(struct bench *b, struct zc_result *res)
{
	json_t *extra = json_object();
	if (!extra)
		return;
	b->s->extras(b->state, res, extra);
	if (json_object_size(extra) == 0)
		json_decref(extra);
	else if (!res->extra)
		res->extra = extra;
	else {
		json_object_update(res->extra, extra);
		json_decref(extra);
	}
}

/*
 * Per-transfer figures from counts over n transfers, in this process (c) and in the
 * consumer's when it is another one (consumer, or NULL). Copies are what the instruments
 * observed on both sides; what the strategy declared is kept apart.
 */
static void per_transfer(struct zc_result *res, const struct zc_counts *c,
			 const struct zc_counts *consumer, double n)
{
	double user = (double)zc_counts_user_frame_bytes(c);
	double kernel = (double)zc_counts_kernel_frame_bytes(c);
	double other = (double)zc_counts_other_bytes(c);
	if (consumer) {
		user += (double)zc_counts_user_frame_bytes(consumer);
		kernel += (double)zc_counts_kernel_frame_bytes(consumer);
		other += (double)zc_counts_other_bytes(consumer);
	}
	res->alloc.count_per_transfer = (double)c->allocs / n;
	res->alloc.bytes_per_transfer = (double)c->alloc_bytes / n;
	res->alloc.frees_per_transfer = (double)c->frees / n;
	res->alloc.frame_sized_per_transfer = (double)c->frame_allocs / n;
	res->alloc.frame_sized_frees_per_transfer = (double)c->frame_frees / n;
	res->alloc.realloc_moves_per_transfer = (double)c->realloc_moves / n;
	res->copies.user_bytes_per_transfer = user / n;
	res->copies.kernel_bytes_per_transfer = kernel / n;
	res->copies.other_bytes_per_transfer = other / n;
	res->copies.bytes_per_transfer = (user + kernel) / n;
	res->copies.expected_bytes_per_transfer = (double)c->copy_bytes / n;
	res->copies.realloc_remaps_per_transfer = (double)c->realloc_remaps / n;
	res->copies.copies_per_transfer = (double)c->copies / n;
	res->copies.memcpy_bytes_per_transfer = (double)c->memcpy_bytes / n;
	res->copies.hook_bytes_per_transfer = (double)c->hook_copy_bytes / n;
}

/*
 * Whether glibc serves a frame-sized block with its own mmap at this point (after the runs
 * moved its dynamic threshold, or not): mallinfo2's count of mmapped blocks goes up by one
 * while such a block is held. -1 under another allocator or a sanitizer's.
 */
static int frame_blocks_mmapped(size_t bytes)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	(void)bytes;
	return -1; /* a sanitizer's allocator serves malloc, not glibc's */
#else
	if (strcmp(zc_allocator_current(), "glibc") != 0)
		return -1;
	size_t before = mallinfo2().hblks;
	void *p = malloc(bytes);
	if (!p)
		return -1;
	zc_do_not_optimize(p);
	int mmapped = mallinfo2().hblks > before;
	free(p);
	return mmapped;
#endif
}

/*
 * Memory held at the end of the runs, with the strategy still set up. The peak is VmHWM when
 * it was reset before setup; when the kernel refused the reset, VmHWM is the process's
 * lifetime peak, and the RSS at setup is taken off it: the method says which.
 */
static void read_memory(struct zc_result *res, int64_t rss_at_setup, bool peak_reset,
			size_t frame_bytes)
{
	struct zc_memstat m;
	zc_memstat_read(&m);
	res->mem.rss_kib = m.rss_kib;
	res->mem.pss_kib = m.pss_kib;
	res->mem.resident_kib = m.rss_kib - rss_at_setup;
	res->mem.resident_frames = (double)res->mem.resident_kib * 1024.0 / (double)frame_bytes;
	res->mem.rss_peak_kib = peak_reset ? m.rss_peak_kib : m.rss_peak_kib - rss_at_setup;
	res->mem.rss_peak_method = peak_reset ? "vmhwm_reset" : "vmhwm_minus_setup_rss";
}

/*
 * The consumer's process after the runs (when it is another process), read before the extras
 * (cow's write leaves it a private page), and its minor faults per transfer of the last
 * timed loop. Left unknown when the runs failed or the consumer does not count its faults;
 * the runs fail when it did not answer.
 */
static void read_consumer_memory(struct bench *b, struct zc_result *res)
{
	struct zc_memstat m;
	if (b->failed || !b->s->remote)
		return;
	int known = consumer_memory(b, &m);
	if (known < 0)
		fail(b, NULL, "the consumer's memory could not be read");
	if (known != 1)
		return;
	if (b->iterations > 0 && !b->has_consumer_faults)
		return;
	res->mem.consumer.known = true;
	res->mem.consumer.rss_kib = m.rss_kib;
	res->mem.consumer.pss_kib = m.pss_kib;
	if (b->iterations > 0)
		res->mem.consumer.minor_faults_per_transfer =
			(double)b->consumer_minor_faults / (double)b->iterations;
}

/* A copy of n doubles into *out (NULL when n is 0); 0, or -1 out of memory. */
static int copy_doubles(const double *v, size_t n, double **out)
{
	*out = NULL;
	if (n == 0)
		return 0;
	if (!(*out = malloc(n * sizeof(**out))))
		return -1;
	memcpy(*out, v, n * sizeof(**out));
	return 0;
}

/*
 * This process's hand-over log, raw: its samples go to the runner, which pools them over
 * every measuring process (runner.c), and the CPUs each side ran on.
 */
static void read_handover(const struct bench *b, struct zc_result *res)
{
	struct zc_handover_log log = {0};
	struct zc_handover_result *h = &res->handover;
	b->s->handover->read(b->state, &log);
	if (log.n == 0)
		return;
	if (copy_doubles(log.one_way_ns, log.n, &h->one_way.samples) != 0 ||
	    copy_doubles(log.post_ns, log.n, &h->post.samples) != 0) {
		free(h->one_way.samples);
		*h = (struct zc_handover_result){0};
		return;
	}
	h->known = true;
	h->one_way.nsamples = h->post.nsamples = log.n;
	res->placement.producer_seen = log.producer_cpus;
	res->placement.consumer_seen = log.consumer_cpus;
}

/*
 * A full run's repetition lasts at least 50 ms: five of them in each of four processes time a
 * row for about 1 s (with 100 ms and five processes, 2.6 s: the first make bench, 104 rows,
 * took 8 min 42 s of measuring). The processes, not the repetitions' length, carry most of a
 * row's spread (options.h).
 */
struct zc_bench_settings zc_measure_settings(const struct zc_options *opt)
{
	return (struct zc_bench_settings){
		.repetitions = opt->repetitions_given ? 0 : opt->quick ? 3 : 5,
		.iterations = opt->transfers,
		.min_time = opt->transfers > 0 || opt->min_time_given ? 0 : opt->quick ? 0.005 : 0.05,
		.real_time = true,
	};
}

/* Sets the strategy up, runs its benchmark, reads memory and tears it down. */
static int time_strategy(const struct zc_scenario *sc, struct bench *b, struct zc_result *res)
{
	struct zc_memstat m;
	zc_memstat_read(&m);
	bool peak_reset = zc_memstat_reset_peak() == 0;
	b->state = b->s->setup(&b->opt->frame, b->s->arg, &b->why);
	if (!b->state) {
		snprintf(b->error, sizeof(b->error), "strategy '%s': setup failed: %.200s", b->s->name,
			 b->why.text);
		return b->why.code == ZC_EXIT_NOMEM ? ZC_EXIT_NOMEM : ZC_EXIT_RUNTIME;
	}
	char name[128];
	snprintf(name, sizeof(name), "%s/%s", sc->name, res->strategy); /* "thread/move@same" */
	struct zc_bench_settings set = zc_measure_settings(b->opt);
	if (!zc_bench_filter_matches(name, &set)) /* left out by --benchmark_filter: not timed */
		goto out_teardown;
	zc_bench *gb = zc_bench_register(name, bench_transfer, b);
	zc_bench_apply(gb, &set);
	if (zc_bench_run_all(on_run, b, !b->opt->verbose) == SIZE_MAX) {
		zc_error_errno(&b->why, errno);
		b->failed = true;
		snprintf(b->error, sizeof(b->error), "strategy '%s': google benchmark failed: %s",
			 b->s->name, zc_bench_error());
	}
	read_memory(res, m.rss_kib, peak_reset, b->opt->frame.bytes);
	read_consumer_memory(b, res);
	res->mem.frame_blocks_mmapped = frame_blocks_mmapped(b->opt->frame.bytes);
	if (b->s->extras && !b->failed)
		add_extras(b, res);
	if (b->s->handover && !b->failed)
		read_handover(b, res);
out_teardown:
	b->s->teardown(b->state);
	if (!b->failed)
		return ZC_EXIT_OK;
	return b->why.code == ZC_EXIT_NOMEM ? ZC_EXIT_NOMEM : ZC_EXIT_RUNTIME;
}

/*
 * Pins this measuring process's side of a placed row (placement.h), before the strategy
 * starts its consumer, and records what it asked for. 0, or -1 with err.
 */
static int enter_placement(const struct zc_strategy *s, enum zc_placement p,
			   struct zc_result *res, struct zc_error *err)
{
	struct zc_placement_result *pl = &res->placement;
	int producer, consumer;
	res->handover = (struct zc_handover_result){0}; /* this process's own, filled later */
	if (p == ZC_PLACEMENT_NONE)
		return 0;
	if (zc_placement_enter(p, &producer, &consumer) != 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "strategy '%s': cannot pin to a CPU for "
				    "placement '%s': %s", s->name, zc_placement_name(p),
				    strerror(errno));
	pl->known = true;
	pl->name = zc_placement_name(p);
	pl->producer_cpu = producer;
	pl->consumer_cpu = consumer;
	zc_placement_cpu_idle(pl->cpu_idle, sizeof(pl->cpu_idle));
	return 0;
}

int zc_measure_strategy(const struct zc_scenario *sc, const struct zc_strategy *s,
			const struct zc_options *opt, struct zc_result *res, struct zc_error *err)
{
	struct zc_validation val;
	if (enter_placement(s, opt->placement_now, res, err) != 0)
		return -1;
	if (zc_identity_validate(s, &opt->frame, &val, err) != 0)
		return -1;
	res->id = val.id;
	res->alloc.live_at_end = val.live_at_end;
	res->alloc.kept_at_end = val.kept_at_end;
	res->alloc.runtime_live_at_end = val.runtime_live_at_end;
	per_transfer(res, &val.transfers, NULL, ZC_VALIDATION_FRAMES);
	/* Once per strategy: a later measuring process (its res holds the first one's median)
	 * only adds samples, and the pass costs a few rendered frames. */
	if (res->time.nprocesses == 0 && opt->no_pages)
		zc_evidence_skip(&res->pages_written, "not watched: --no-pages");
	else if (res->time.nprocesses == 0 &&
		 zc_evidence_pass(s, &opt->frame, &res->pages_written, err) != 0)
		return -1;

	struct bench b = {.s = s, .opt = opt, .slowed = slowed(s->name)};
	int rc = time_strategy(sc, &b, res);
	if (rc == ZC_EXIT_OK && b.nsamples > 0) { /* none when --benchmark_filter left it out */
		per_transfer(res, &b.loop, b.has_consumer ? &b.consumer : NULL, (double)b.iterations);
		res->mem.minor_faults_per_transfer = (double)b.minor_faults / (double)b.iterations;
		res->mem.major_faults_per_transfer = (double)b.major_faults / (double)b.iterations;
		if (zc_result_set_samples(res, b.samples, b.nsamples, opt->frame.bytes) != 0)
			rc = ZC_EXIT_NOMEM;
	}
	free(b.samples);
	if (rc != ZC_EXIT_OK)
		return zc_error_set(err, rc, "%s", b.error[0] ? b.error : "out of memory");
	return 0;
}
