/*
 * runner.c: zc_scenario_main, the life of a scenario run:
 *   options -> checks on the output path -> validation and identity of every strategy ->
 *   Google Benchmark runs (strategy state set up lazily, one strategy alive at a time) ->
 *   verdicts, the table, results/<scenario>.json and the raw Google Benchmark JSON.
 */
#include "scenario.h"

#include <errno.h>
#include <libgen.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context.h"
#include "gbench.h"
#include "identity.h"
#include "instrument.h"
#include "json.h"
#include "memstat.h"
#include "options.h"
#include "quote.h"
#include "reference.h"
#include "table.h"

#define WARMUP_TRANSFERS 2

struct runner;

/* One strategy's benchmark: its state while it is the active one, and what its runs found. */
struct slot {
	struct runner *r;
	const struct zc_strategy *s;
	struct zc_result *res;
	void *state;
	double *samples;
	size_t nsamples, cap;
	struct zc_counts loop;      /* counts over the last repetition's timed loop */
	int64_t loop_iterations;
	int64_t loop_minor_faults, loop_major_faults;
	int64_t rss_at_setup_kib;
	bool peak_reset;
	bool failed;
	int errnum;                 /* errno when it failed: ENOMEM exits 4 */
	char error[256];
};

struct runner {
	const struct zc_scenario *sc;
	struct zc_options opt;
	struct zc_results results;
	struct slot *slots;
	size_t nslots;
	struct slot *active;
};

/* The raw Google Benchmark file in progress, removed if a signal ends the run. */
static char raw_tmp[4096];

static void on_signal(int sig)
{
	int saved = errno; /* the interrupted code may be about to read it (TSan checks) */
	if (raw_tmp[0])
		unlink(raw_tmp);
	signal(sig, SIG_DFL);
	raise(sig);
	errno = saved;
}

static void print_usage(const struct zc_scenario *sc, FILE *f)
{
	fprintf(f,
		"usage: %s [--frame WxH] [--strategy a,b] [--quick] [--out FILE] [--strict]\n"
		"       [--quiet] [--mmap-threshold BYTES] [--list] [--help] [--benchmark_*...]\n"
		"%s\n\n"
		"  --frame WxH        RGBA frame size (default 1920x1080)\n"
		"  --strategy a,b     run only these strategies (see --list)\n"
		"  --quick            short runs, for CI\n"
		"  --out FILE         results file (default results/%s.json); Google Benchmark's\n"
		"                     own JSON goes to raw/%s.json beside it\n"
		"  --strict           exit 1 when a strategy expected to be zero-copy copied\n"
		"  --quiet            no Google Benchmark progress, only the verdict table\n"
		"  --mmap-threshold N pin glibc's mmap threshold with mallopt (default: dynamic)\n"
		"  --benchmark_*      passed to Google Benchmark (e.g. --benchmark_repetitions=20)\n"
		"exit: 0 ok, 1 --strict verdict failed, 2 bad input, 3 a strategy failed,\n"
		"      4 out of memory, 130 interrupted\n",
		sc->name, sc->summary, sc->name, sc->name);
}

static void print_list(const struct zc_scenario *sc)
{
	for (size_t i = 0; i < sc->nstrategies; i++)
		printf("%-16s %-9s %s\n", sc->strategies[i]->name,
		       sc->strategies[i]->expect_zero_copy ? "zero-copy" : "copy",
		       sc->strategies[i]->mirrors);
}

/* The output directory must exist and be writable before anything runs. */
static int check_out_path(const char *out, char *err, size_t errlen)
{
	char *copy = strdup(out);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const char *dir = dirname(copy);
	struct stat sb;
	int rc = 0;
	if (stat(out, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "cannot write '%s': it is a directory", out);
		rc = -1;
	} else if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "cannot write '%s': directory '%s' does not exist", out, dir);
		rc = -1;
	} else if (access(dir, W_OK) != 0) {
		snprintf(err, errlen, "cannot write '%s': directory '%s' is not writable", out, dir);
		rc = -1;
	}
	free(copy);
	return rc;
}

/* MemAvailable in bytes, or 0 when unknown. */
static unsigned long long mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	unsigned long long kib = 0;
	char line[128];
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib * 1024;
}

/* A strategy holds at most a handful of frames at once (pool ring, producer frame, copies). */
#define FRAMES_IN_FLIGHT 8

static int check_memory(const struct zc_frame_geom *g, char *err, size_t errlen)
{
	unsigned long long avail = mem_available();
	unsigned long long need = (unsigned long long)g->bytes * FRAMES_IN_FLIGHT;
	if (avail && need / FRAMES_IN_FLIGHT == g->bytes && need > avail) {
		snprintf(err, errlen,
			 "frame '%ux%u' needs about %llu MiB (%d frames of %zu bytes), more than the "
			 "%llu MiB available",
			 g->width, g->height, need >> 20, FRAMES_IN_FLIGHT, g->bytes, avail >> 20);
		return -1;
	}
	return 0;
}

/* Reads what the active strategy holds in memory, annotates, and tears it down. */
static void deactivate(struct runner *r)
{
	struct slot *sl = r->active;
	if (!sl)
		return;
	struct zc_memstat m;
	zc_memstat_read(&m);
	sl->res->mem.rss_kib = m.rss_kib;
	sl->res->mem.pss_kib = m.pss_kib;
	sl->res->mem.rss_peak_kib = sl->peak_reset ? m.rss_peak_kib
						   : m.rss_peak_kib - sl->rss_at_setup_kib;
	if (r->sc->annotate)
		r->sc->annotate(sl->s, sl->state, sl->res);
	sl->s->teardown(sl->state);
	sl->state = NULL;
	r->active = NULL;
}

static int activate(struct slot *sl)
{
	struct runner *r = sl->r;
	if (r->active == sl)
		return 0;
	deactivate(r);
	struct zc_memstat m;
	zc_memstat_read(&m);
	sl->rss_at_setup_kib = m.rss_kib;
	sl->peak_reset = zc_memstat_reset_peak() == 0;
	sl->state = sl->s->setup(&r->opt.frame);
	if (!sl->state) {
		sl->errnum = errno;
		snprintf(sl->error, sizeof(sl->error), "strategy '%s': setup failed: %s", sl->s->name,
			 errno == ENOMEM ? "out of memory" : strerror(errno));
		sl->failed = true;
		return -1;
	}
	r->active = sl;
	return 0;
}

/* One transfer as the benchmark times it: hand over, check the stamp, release. */
static inline int one_transfer(const struct zc_strategy *s, void *st)
{
	struct zc_view v;
	if (s->transfer(st, false, &v) != 0)
		return -1;
	bool ok = s->probe_read || zc_frame_stamp_ok(v.data, v.bytes, v.seq);
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

static void bench_transfer(zc_bench_state *st, void *arg)
{
	struct slot *sl = arg;
	const struct zc_strategy *s = sl->s;
	if (activate(sl) != 0) {
		zc_bench_skip_with_error(st, sl->error);
		return;
	}
	for (int i = 0; i < WARMUP_TRANSFERS; i++) {
		if (one_transfer(s, sl->state) != 0) {
			sl->errnum = errno;
			snprintf(sl->error, sizeof(sl->error), "strategy '%s': warm-up transfer failed%s",
				 s->name, errno == ENOMEM ? ": out of memory" : "");
			sl->failed = true;
			zc_bench_skip_with_error(st, sl->error);
			return;
		}
	}
	struct zc_counts before, after;
	int64_t min0, maj0, min1, maj1;
	faults(&min0, &maj0);
	zc_counts_snapshot(&before);
	int rc = 0;
	while (zc_bench_keep_running(st)) {
		if ((rc = one_transfer(s, sl->state)) != 0)
			break;
	}
	zc_counts_snapshot(&after);
	faults(&min1, &maj1);
	if (rc != 0) {
		sl->errnum = rc == -1 ? errno : 0;
		snprintf(sl->error, sizeof(sl->error), "strategy '%s': %s", s->name,
			 rc == -1 ? sl->errnum == ENOMEM ? "transfer failed: out of memory"
							 : "transfer failed"
				  : "the consumer saw a wrong stamp");
		sl->failed = true;
		zc_bench_skip_with_error(st, sl->error);
		return;
	}
	zc_counts_diff(&sl->loop, &after, &before);
	sl->loop_iterations = zc_bench_iterations(st);
	sl->loop_minor_faults = min1 - min0;
	sl->loop_major_faults = maj1 - maj0;
	double it = (double)sl->loop_iterations;
	size_t bytes = sl->r->opt.frame.bytes;
	zc_bench_set_bytes_processed(st, sl->loop_iterations * (int64_t)bytes);
	zc_bench_set_counter(st, "copies", (double)sl->loop.copy_bytes / (double)bytes / it, 0);
	zc_bench_set_counter(st, "fallocs", (double)sl->loop.frame_allocs / it, 0);
	zc_bench_set_counter(st, "faults", (double)sl->loop_minor_faults / it, 0);
}

static struct slot *slot_by_name(struct runner *r, const char *name)
{
	size_t plen = strlen(r->sc->name);
	if (strncmp(name, r->sc->name, plen) != 0 || name[plen] != '/')
		return NULL;
	/* Google Benchmark appends its settings: "inproc/copy/min_time:0.1/real_time". */
	const char *strategy = name + plen + 1;
	size_t len = strcspn(strategy, "/");
	for (size_t i = 0; i < r->nslots; i++)
		if (strlen(r->slots[i].s->name) == len &&
		    strncmp(strategy, r->slots[i].s->name, len) == 0)
			return &r->slots[i];
	return NULL;
}

/* Collects one figure per repetition from Google Benchmark's reports. */
static void on_run(const struct zc_bench_run *run, void *arg)
{
	struct runner *r = arg;
	struct slot *sl = slot_by_name(r, run->name);
	if (!sl || run->aggregate || run->error || run->iterations == 0)
		return;
	if (sl->nsamples == sl->cap) {
		size_t cap = sl->cap ? 2 * sl->cap : 16;
		double *v = realloc(sl->samples, cap * sizeof(*v));
		if (!v)
			return;
		sl->samples = v;
		sl->cap = cap;
	}
	sl->samples[sl->nsamples++] = run->real_ns;
}

static bool has_flag(const struct zc_options *o, const char *prefix)
{
	for (int i = 1; i < o->bench_argc; i++)
		if (strncmp(o->bench_argv[i], prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

static void fill_per_transfer(struct slot *sl)
{
	struct zc_result *res = sl->res;
	double it = sl->loop_iterations > 0 ? (double)sl->loop_iterations : 1.0;
	const struct zc_counts *c = &sl->loop;
	res->alloc.count_per_transfer = (double)c->allocs / it;
	res->alloc.bytes_per_transfer = (double)c->alloc_bytes / it;
	res->alloc.frees_per_transfer = (double)c->frees / it;
	res->alloc.frame_sized_per_transfer = (double)c->frame_allocs / it;
	res->alloc.frame_sized_frees_per_transfer = (double)c->frame_frees / it;
	res->alloc.realloc_moves_per_transfer = (double)c->realloc_moves / it;
	res->copies.bytes_per_transfer = (double)c->copy_bytes / it;
	res->copies.copies_per_transfer = (double)c->copies / it;
	res->copies.memcpy_bytes_per_transfer = (double)c->memcpy_bytes / it;
	res->copies.hook_bytes_per_transfer = (double)c->hook_copy_bytes / it;
	res->mem.minor_faults_per_transfer = (double)sl->loop_minor_faults / it;
	res->mem.major_faults_per_transfer = (double)sl->loop_major_faults / it;
}

/* Per-transfer counts from the validation transfers, for a strategy that was not timed. */
static void fill_from_validation(struct zc_result *res, const struct zc_validation *val)
{
	double n = ZC_VALIDATION_FRAMES;
	const struct zc_counts *c = &val->transfers;
	res->alloc.count_per_transfer = (double)c->allocs / n;
	res->alloc.bytes_per_transfer = (double)c->alloc_bytes / n;
	res->alloc.frees_per_transfer = (double)c->frees / n;
	res->alloc.frame_sized_per_transfer = (double)c->frame_allocs / n;
	res->alloc.frame_sized_frees_per_transfer = (double)c->frame_frees / n;
	res->alloc.realloc_moves_per_transfer = (double)c->realloc_moves / n;
	res->copies.bytes_per_transfer = (double)c->copy_bytes / n;
	res->copies.copies_per_transfer = (double)c->copies / n;
	res->copies.memcpy_bytes_per_transfer = (double)c->memcpy_bytes / n;
	res->copies.hook_bytes_per_transfer = (double)c->hook_copy_bytes / n;
}

/* Validates every selected strategy and creates its slot. Returns an exit code. */
static int validate_all(struct runner *r, char *err, size_t errlen)
{
	const struct zc_scenario *sc = r->sc;
	r->slots = calloc(sc->nstrategies + 1, sizeof(*r->slots));
	if (!r->slots) {
		snprintf(err, errlen, "out of memory");
		return ZC_EXIT_NOMEM;
	}
	for (size_t i = 0; i <= sc->nstrategies; i++) {
		const struct zc_strategy *s = i == 0 ? &zc_reference_memcpy : sc->strategies[i - 1];
		if (i > 0 && !r->opt.selected[i - 1])
			continue;
		struct slot *sl = &r->slots[r->nslots++];
		sl->r = r;
		sl->s = s;
		sl->res = zc_results_add(&r->results, s->name, s->mirrors, s->expect_zero_copy);
		struct zc_validation val;
		if (!sl->res || zc_identity_validate(s, &r->opt.frame, &val, err, errlen) != 0)
			return errno == ENOMEM || !sl->res ? ZC_EXIT_NOMEM : ZC_EXIT_RUNTIME;
		sl->res->id = val.id;
		sl->res->alloc.live_at_end = val.live_at_end;
		fill_from_validation(sl->res, &val);
	}
	return ZC_EXIT_OK;
}

/* Registers one benchmark per slot and runs them. Returns an exit code. */
static int run_benchmarks(struct runner *r, char *err, size_t errlen)
{
	const bool reps_given = has_flag(&r->opt, "--benchmark_repetitions");
	const bool time_given = has_flag(&r->opt, "--benchmark_min_time");
	char name[128];
	for (size_t i = 0; i < r->nslots; i++) {
		snprintf(name, sizeof(name), "%s/%s", r->sc->name, r->slots[i].s->name);
		zc_bench *b = zc_bench_register(name, bench_transfer, &r->slots[i]);
		zc_bench_use_real_time(b);
		if (!reps_given)
			zc_bench_set_repetitions(b, r->opt.quick ? 9 : 15);
		if (!time_given)
			zc_bench_set_min_time(b, r->opt.quick ? 0.005 : 0.1);
	}
	size_t ran = zc_bench_run_all(on_run, r, r->opt.quiet);
	deactivate(r);
	if (ran == SIZE_MAX) {
		snprintf(err, errlen, "google benchmark failed: %s", zc_bench_error());
		return errno == ENOMEM ? ZC_EXIT_NOMEM : ZC_EXIT_RUNTIME;
	}
	if (ran == 0) {
		snprintf(err, errlen, "no benchmark matches the --benchmark_filter given");
		return ZC_EXIT_USAGE;
	}
	for (size_t i = 0; i < r->nslots; i++) {
		struct slot *sl = &r->slots[i];
		if (sl->failed) {
			snprintf(err, errlen, "%s", sl->error);
			return sl->errnum == ENOMEM ? ZC_EXIT_NOMEM : ZC_EXIT_RUNTIME;
		}
		if (sl->nsamples == 0)
			continue; /* filtered out with --benchmark_filter */
		fill_per_transfer(sl);
		if (zc_result_set_samples(sl->res, sl->samples, sl->nsamples, r->opt.frame.bytes) != 0) {
			snprintf(err, errlen, "out of memory");
			return ZC_EXIT_NOMEM;
		}
	}
	return ZC_EXIT_OK;
}

/* Ratios to reference_memcpy and the verdicts. Returns ZC_EXIT_VERDICT under --strict. */
static int judge(struct runner *r)
{
	const struct zc_result *ref = zc_results_find(&r->results, zc_reference_memcpy.name);
	int rc = ZC_EXIT_OK;
	for (size_t i = 0; i < r->results.n; i++) {
		struct zc_result *res = &r->results.v[i];
		if (ref && ref->measured && res->measured && ref->time.ns.median > 0)
			res->time.vs_memcpy = res->time.ns.median / ref->time.ns.median;
		zc_identity_verdict(&res->id, res->expect_zero_copy, res->copies.bytes_per_transfer,
				    r->opt.frame.bytes);
		if (!res->id.checksum_ok)
			rc = ZC_EXIT_RUNTIME;
		else if (r->opt.strict && res->expect_zero_copy && !res->id.zero_copy && rc == 0)
			rc = ZC_EXIT_VERDICT;
	}
	return rc;
}

/* Where Google Benchmark's JSON goes: raw/<scenario>.json beside the results file. */
static int prepare_raw(struct runner *r, const char *out, char *final, size_t len)
{
	char *copy = strdup(out);
	if (!copy)
		return -1;
	char raw_dir[2048];
	snprintf(raw_dir, sizeof(raw_dir), "%.2000s/raw", dirname(copy));
	free(copy);
	snprintf(final, len, "%s/%s.json", raw_dir, r->sc->name);
	snprintf(raw_tmp, sizeof(raw_tmp), "%s/.%s.json.%ld", raw_dir, r->sc->name, (long)getpid());
	return 0;
}

/* Creates the directory of raw_final, once the command line is known to be good. */
static int make_raw_dir(const char *raw_final, char *err, size_t errlen)
{
	char *copy = strdup(raw_final);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return ZC_EXIT_NOMEM;
	}
	const char *dir = dirname(copy);
	int rc = ZC_EXIT_OK;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create '%.300s': %s", dir, strerror(errno));
		rc = ZC_EXIT_USAGE;
	}
	free(copy);
	return rc;
}

/* Adds the flags that make Google Benchmark write its JSON to raw_tmp. */
static int add_raw_flags(struct zc_options *o, char *out_flag, size_t len)
{
	char **argv = realloc(o->bench_argv, (size_t)(o->bench_argc + 3) * sizeof(char *));
	if (!argv)
		return -1;
	o->bench_argv = argv;
	snprintf(out_flag, len, "--benchmark_out=%s", raw_tmp);
	argv[o->bench_argc++] = out_flag;
	argv[o->bench_argc++] = (char *)"--benchmark_out_format=json";
	argv[o->bench_argc] = NULL;
	return 0;
}

static int write_results(struct runner *r, const char *out, const char *raw_final, char *err,
			 size_t errlen)
{
	json_t *doc = zc_results_to_json(&r->results);
	if (!doc) {
		snprintf(err, errlen, "out of memory");
		return ZC_EXIT_NOMEM;
	}
	int rc = zc_json_write_atomic(doc, out, err, errlen);
	json_decref(doc);
	if (rc != 0)
		return ZC_EXIT_USAGE;
	if (raw_tmp[0] && access(raw_tmp, F_OK) == 0 &&
	    zc_rename_atomic(raw_tmp, raw_final, err, errlen) != 0)
		return ZC_EXIT_USAGE;
	raw_tmp[0] = '\0';
	return ZC_EXIT_OK;
}

/* Parses the command line; returns -1 to go on, or the exit code to stop with. */
static int setup_run(struct runner *r, int argc, char **argv, const char *default_out, char *err,
		     size_t errlen)
{
	const struct zc_scenario *sc = r->sc;
	const char *names[ZC_MAX_STRATEGIES];
	for (size_t i = 0; i < sc->nstrategies && i < ZC_MAX_STRATEGIES; i++)
		names[i] = sc->strategies[i]->name;
	if (zc_options_parse(&r->opt, argc, argv, names, sc->nstrategies, err, errlen) != 0)
		return ZC_EXIT_USAGE;
	if (!r->opt.out) /* set after parsing: zc_options_parse clears the options first */
		r->opt.out = default_out;
	if (r->opt.help) {
		print_usage(sc, stdout);
		return ZC_EXIT_OK;
	}
	if (r->opt.list) {
		print_list(sc);
		return ZC_EXIT_OK;
	}
	if (check_out_path(r->opt.out, err, errlen) != 0 ||
	    check_memory(&r->opt.frame, err, errlen) != 0)
		return ZC_EXIT_USAGE;
	return -1;
}

static int run(struct runner *r, int argc, char **argv, char *err, size_t errlen)
{
	static char default_out[256]; /* outlives run(): r->opt.out may point to it */
	char raw_final[4096], out_flag[4200];
	snprintf(default_out, sizeof(default_out), "results/%s.json", r->sc->name);
	int rc = setup_run(r, argc, argv, default_out, err, errlen);
	if (rc >= 0)
		return rc;
	const bool user_out = has_flag(&r->opt, "--benchmark_out=");
	if (prepare_raw(r, r->opt.out, raw_final, sizeof(raw_final)) != 0) {
		snprintf(err, errlen, "out of memory");
		return ZC_EXIT_NOMEM;
	}
	if (!user_out && add_raw_flags(&r->opt, out_flag, sizeof(out_flag)) != 0)
		return ZC_EXIT_NOMEM;
	if (user_out)
		raw_tmp[0] = '\0';
	const char *bad;
	if (zc_bench_init(&r->opt.bench_argc, r->opt.bench_argv, &bad) != 0) {
		char q[96];
		if (*zc_bench_error())
			snprintf(err, errlen, "invalid option '%s': %s", zc_quote(bad, q, sizeof(q)),
				 zc_bench_error());
		else
			snprintf(err, errlen, "unknown option '%s' (try --help)",
				 zc_quote(bad, q, sizeof(q)));
		return ZC_EXIT_USAGE;
	}
	if ((rc = make_raw_dir(raw_final, err, errlen)) != ZC_EXIT_OK)
		return rc;
	struct zc_allocator_info alloc = {.name = "glibc", .frame_blocks_mmapped = -1};
	if (r->opt.mmap_threshold > 0) {
		mallopt(M_MMAP_THRESHOLD, (int)r->opt.mmap_threshold);
		alloc.mmap_threshold = r->opt.mmap_threshold;
		alloc.mmap_threshold_pinned = true;
	}
	r->results.scenario = r->sc->name;
	r->results.frame = r->opt.frame;
	zc_instrument_set_frame_bytes(r->opt.frame.bytes);
	if ((rc = validate_all(r, err, errlen)) != ZC_EXIT_OK)
		return rc;
	if ((rc = run_benchmarks(r, err, errlen)) != ZC_EXIT_OK)
		return rc;
	int verdict = judge(r);
	r->results.context = zc_context_json(r->opt.quick, &alloc);
	zc_table_print(stdout, &r->results);
	if ((rc = write_results(r, r->opt.out, raw_final, err, errlen)) != ZC_EXIT_OK)
		return rc;
	printf("wrote %s\n", r->opt.out);
	if (verdict == ZC_EXIT_RUNTIME)
		snprintf(err, errlen, "a strategy delivered frames whose checksum differs");
	else if (verdict == ZC_EXIT_VERDICT)
		snprintf(err, errlen, "--strict: a strategy expected to be zero-copy copied");
	return verdict;
}

int zc_scenario_main(const struct zc_scenario *sc, int argc, char **argv)
{
	struct runner r = {.sc = sc};
	char err[512] = "";
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	int rc = run(&r, argc, argv, err, sizeof(err));
	if (rc != ZC_EXIT_OK && err[0])
		fprintf(stderr, "%s: %s\n", sc->name, err);
	if (raw_tmp[0])
		unlink(raw_tmp);
	for (size_t i = 0; i < r.nslots; i++)
		free(r.slots[i].samples);
	free(r.slots);
	zc_results_release(&r.results);
	zc_options_release(&r.opt);
	return rc;
}
