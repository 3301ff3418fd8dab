/*
 * runner.c: zc_scenario_main, the life of a scenario run:
 *   options -> checks on the output path and memory -> each strategy measured in a process
 *   of its own (isolate.c, measure.c) -> ratios and verdicts -> the table ->
 *   results/<scenario>.json and Google Benchmark's JSON in raw/<scenario>.json.
 */
#include "scenario.h"

#include <assert.h>
#include <errno.h>
#include <libgen.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "allocator.h"
#include "context.h"
#include "error.h"
#include "evidence.h"
#include "gbench.h"
#include "identity.h"
#include "instrument.h"
#include "isolate.h"
#include "machine.h"
#include "json.h"
#include "measure.h"
#include "options.h"
#include "pagemap.h"
#include "placement.h"
#include "preflight.h"
#include "progress.h"
#include "quote.h"
#include "rawjson.h"
#include "reference.h"
#include "stats.h"
#include "table.h"
#include "verdict.h"

#define MAX_PARTS ((ZC_MAX_STRATEGIES + 1) * ZC_MAX_PROCESSES)

/*
 * Google Benchmark writes each strategy's JSON to raw_tmp; the runner moves it to a part file
 * and merges the parts at the end. A signal handler removes them all.
 */
static char raw_tmp[2300];
static char *parts[MAX_PARTS]; /* allocated names */
static size_t nparts;
/* The names of placed rows ("move@same"), allocated here: results point at them. */
static char *row_names[(ZC_MAX_STRATEGIES + 1) * ZC_PLACEMENTS_MAX];
static size_t nrow_names;

static void remove_temporaries(void)
{
	if (raw_tmp[0])
		unlink(raw_tmp);
	for (size_t i = 0; i < nparts; i++)
		unlink(parts[i]);
}

static void on_signal(int sig)
{
	int saved = errno; /* the interrupted code may be about to read it (TSan checks) */
	pid_t child = zc_isolate_child();
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	remove_temporaries();
	signal(sig, SIG_DFL);
	raise(sig);
	errno = saved;
}

static void print_usage(const struct zc_scenario *sc, FILE *f)
{
	zc_options_print_usage(f, sc->name, sc->options);
	fprintf(f, "%s\n\n", sc->summary);
	zc_options_print_help(f, sc->name, sc->options);
	fputs("\nexit status:\n", f);
	zc_exit_print_help(f, NULL, 0);
}

/* One line a strategy: its name (in a column as wide as the longest), verdict expected, API. */
static void print_list(const struct zc_scenario *sc)
{
	int width = 16;
	for (size_t i = 0; i < sc->nstrategies; i++)
		if ((int)strlen(sc->strategies[i]->name) > width)
			width = (int)strlen(sc->strategies[i]->name);
	for (size_t i = 0; i < sc->nstrategies; i++)
		printf("%-*s %-9s %s\n", width, sc->strategies[i]->name,
		       sc->strategies[i]->expect_zero_copy ? "zero-copy" : "copy",
		       sc->strategies[i]->mirrors);
}

/*
 * Ratios to reference_memcpy and to the hand-over reference, and each row judged (verdict.h)
 * against the background spread of all of them (zc_verdict_background_cv).
 * Returns the worst of the rows' exit statuses (zc_verdict_exit).
 */
static int judge(const struct zc_scenario *sc, struct zc_results *results,
		 const struct zc_options *opt)
{
	const struct zc_result *ref = zc_results_find(results, zc_reference_memcpy.name);
	const double background = zc_verdict_background_cv(results);
	int rc = ZC_EXIT_OK;
	for (size_t i = 0; i < results->n; i++) {
		struct zc_result *res = &results->v[i];
		res->time.background_cv = background;
		if (ref && ref->measured && res->measured && ref->time.ns.median > 0)
			res->time.vs_memcpy = res->time.ns.median / ref->time.ns.median;
		if (sc->handover_reference && res->placement.known) {
			char name[128];
			snprintf(name, sizeof(name), "%s@%s", sc->handover_reference->name,
				 res->placement.name);
			const struct zc_result *h = zc_results_find(results, name);
			if (h && h->measured && res->measured && h->time.ns.median > 0)
				res->time.vs_handover = res->time.ns.median / h->time.ns.median;
		}
		res->copies.pages_bytes_per_transfer =
			zc_evidence_copy_bytes(&res->pages_written, opt->frame.bytes);
		zc_verdict_row(res, opt->frame.bytes);
		rc = zc_verdict_worse(rc, zc_verdict_exit(res, opt->strict));
	}
	return rc;
}

/*
 * The raw directory (raw/ beside the results file), raw_tmp and the final raw path; the
 * directory is created only once the command line is known to be good (make_raw_dir).
 */
static int prepare_raw(const char *scenario, const char *out, char *dir, size_t dirlen,
		       char *final, size_t len)
{
	char *copy = strdup(out);
	if (!copy)
		return -1;
	snprintf(dir, dirlen, "%.1900s/raw", dirname(copy));
	free(copy);
	snprintf(final, len, "%s/%s.json", dir, scenario);
	snprintf(raw_tmp, sizeof(raw_tmp), "%s/.%s.json.%ld", dir, scenario, (long)getpid());
	return 0;
}

static int make_raw_dir(const char *dir, struct zc_error *err)
{
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return zc_error_set(err, ZC_EXIT_USAGE, "cannot create '%.300s': %s", dir,
				    strerror(errno));
	return 0;
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

/* Moves the strategy's Google Benchmark JSON aside as the next part. */
static void keep_part(void)
{
	if (!raw_tmp[0] || access(raw_tmp, F_OK) != 0 || nparts == MAX_PARTS)
		return;
	char *name;
	if (asprintf(&name, "%s.%zu", raw_tmp, nparts) < 0)
		return;
	if (rename(raw_tmp, name) == 0)
		parts[nparts++] = name;
	else
		free(name);
}

/*
 * Adds one measuring process's hand-over log (in got) to pooled, and the CPUs it saw to
 * res's placement; frees got's samples. 0, or -1 out of memory.
 */
static int pool_handover(struct zc_handover_result *pooled, struct zc_result *got,
			 struct zc_result *res, long process)
{
	struct zc_handover_result *h = &got->handover;
	int rc = 0;
	if (h->known) {
		pooled->known = true;
		rc = zc_latency_add(&pooled->one_way, h->one_way.samples, h->one_way.nsamples) ||
		     zc_latency_add(&pooled->post, h->post.samples, h->post.nsamples);
		uint64_t p = got->placement.producer_seen, c = got->placement.consumer_seen;
		res->placement.producer_seen = process == 0 ? p : res->placement.producer_seen | p;
		res->placement.consumer_seen = process == 0 ? c : res->placement.consumer_seen | c;
	}
	free(h->one_way.samples);
	free(h->post.samples);
	*h = (struct zc_handover_result){0};
	return rc ? -1 : 0;
}

/*
 * Measures s in opt->processes processes, one after the other. The first one's result is
 * kept whole (its counts are exact and the same in every process); the others add their
 * samples, and every one its hand-over latency. Returns 0, or -1 with err.
 */
static int measure_in_processes(const struct zc_scenario *sc, const struct zc_strategy *s,
				const struct zc_options *opt, struct zc_result *res,
				struct zc_progress *progress, struct zc_error *err)
{
	struct zc_handover_result pooled = {0};
	int rc = 0;
	for (long p = 0; p < opt->processes && rc == 0; p++) {
		zc_progress_process(progress, res->strategy, p + 1, opt->processes);
		struct zc_result more = *res;
		struct zc_result *into = p == 0 ? res : &more;
		more.time.samples = NULL;
		more.extra = NULL;
		assert(sc->measure || !s->measured_by_scenario);
		rc = sc->measure ? sc->measure(s, opt, into, err)
				 : zc_isolate_measure(sc, s, opt, into, err);
		keep_part();
		if (pool_handover(&pooled, into, res, p) != 0)
			rc = zc_error_set(err, ZC_EXIT_NOMEM, "out of memory");
		if (rc == 0 && into->time.nsamples > 0 &&
		    res->time.nprocesses < sizeof(res->time.process_medians) / sizeof(double))
			res->time.process_medians[res->time.nprocesses++] =
				zc_percentile(into->time.samples, into->time.nsamples, 50);
		if (rc == 0 && p > 0 && more.time.nsamples > 0 &&
		    zc_result_add_samples(res, more.time.samples, more.time.nsamples,
					  opt->frame.bytes) != 0)
			rc = zc_error_set(err, ZC_EXIT_NOMEM, "out of memory");
		if (rc != 0)
			rc = -1;
		free(more.time.samples);
		json_decref(more.extra);
	}
	res->handover = pooled; /* freed with the results, measured or not */
	return rc == 0 ? 0 : -1;
}

/* How many rows a run measures: reference_memcpy (unless --no-reference), and each strategy at
 * each placement. */
static size_t selected_rows(const struct zc_scenario *sc, const struct zc_options *opt)
{
	size_t n = 0;
	for (size_t i = 0; i < sc->nstrategies; i++)
		n += opt->selected[i];
	const size_t ref = opt->no_reference ? 0 : 1;
	if (sc->handover_reference)
		return ref + (n + 1) * opt->nplacements;
	return ref + n;
}

/* The row's name: the strategy's, or "NAME@PLACEMENT" (kept in row_names); NULL: no memory. */
static const char *row_name(const struct zc_strategy *s, enum zc_placement p)
{
	if (p == ZC_PLACEMENT_NONE)
		return s->name;
	char *name;
	if (nrow_names == ZC_COUNT(row_names) ||
	    asprintf(&name, "%s@%s", s->name, zc_placement_name(p)) < 0)
		return NULL;
	return row_names[nrow_names++] = name;
}

/* Measures strategy s at placement p as one row. Returns 0, or -1 with err. */
static int measure_row(const struct zc_scenario *sc, const struct zc_strategy *s,
		       enum zc_placement p, const struct zc_options *opt,
		       struct zc_results *results, struct zc_progress *progress,
		       struct zc_error *err)
{
	const char *name = row_name(s, p);
	struct zc_result *res = name ? zc_results_add(results, name, s->mirrors,
						      s->expect_zero_copy) : NULL;
	int rc;
	if (!res) {
		rc = zc_error_set(err, ZC_EXIT_NOMEM, "out of memory");
	} else {
		struct zc_options placed = *opt;
		placed.placement_now = p;
		rc = measure_in_processes(sc, s, &placed, res, progress, err);
	}
	zc_progress_strategy_done(progress, name ? name : s->name, opt->processes, rc == 0);
	return rc;
}

/*
 * Measures reference_memcpy (not with --no-reference) and every selected strategy; for a
 * boundary with a hand-over
 * reference, it and every strategy at each placement, one placement after the other for each
 * strategy, so that its rows sit side by side. Returns 0, or -1 with err.
 */
static int measure_all(const struct zc_scenario *sc, const struct zc_options *opt,
		       struct zc_results *results, struct zc_error *err)
{
	struct zc_progress progress;
	zc_progress_start(&progress, opt->quiet ? NULL : stderr, sc->name,
			  selected_rows(sc, opt) * (size_t)opt->processes);
	int rc = opt->no_reference ? 0
				   : measure_row(sc, &zc_reference_memcpy, ZC_PLACEMENT_NONE, opt,
						 results, &progress, err);
	const struct zc_strategy *href = sc->handover_reference;
	for (size_t i = 0; i <= sc->nstrategies && rc == 0; i++) {
		const struct zc_strategy *s = i == 0 ? href : sc->strategies[i - 1];
		if (!s || (i > 0 && !opt->selected[i - 1]))
			continue;
		if (!href)
			rc = measure_row(sc, s, ZC_PLACEMENT_NONE, opt, results, &progress, err);
		for (size_t k = 0; href && k < opt->nplacements && rc == 0; k++)
			rc = measure_row(sc, s, opt->placements[k], opt, results, &progress, err);
	}
	zc_progress_end(&progress);
	return rc;
}

static int write_results(const struct zc_results *results, const char *out, const char *raw,
			 struct zc_error *err)
{
	json_t *doc = zc_results_to_json(results);
	if (!doc)
		return zc_error_set(err, ZC_EXIT_NOMEM, "out of memory");
	int rc = zc_json_write_atomic(doc, out, err);
	json_decref(doc);
	if (rc != 0 || (raw && zc_raw_merge(parts, nparts, raw, err) != 0))
		return -1;
	return 0;
}

/*
 * Parses the command line, then, unless it asks for --help or --list, checks the output path
 * and the memory the frames need. Returns 0, or -1 with err.
 */
static int parse(const struct zc_scenario *sc, struct zc_options *opt, int argc, char **argv,
		 const char *default_out, struct zc_error *err)
{
	const char *names[ZC_MAX_STRATEGIES];
	for (size_t i = 0; i < sc->nstrategies && i < ZC_MAX_STRATEGIES; i++)
		names[i] = sc->strategies[i]->name;
	if (zc_options_parse(opt, argc, argv, names, sc->nstrategies, sc->options, err) != 0)
		return -1;
	if (!opt->out) /* set after parsing: zc_options_parse clears the options first */
		opt->out = default_out;
	if (sc->configure && sc->configure(opt->selected, sc->nstrategies, err) != 0)
		return -1;
	if (opt->help || opt->list)
		return 0;
	if (!sc->handover_reference && opt->placement)
		return zc_error_set(err, ZC_EXIT_USAGE, "--placement: the %s boundary has no "
				    "consumer thread or process to place (thread and process do)",
				    sc->name);
	if (sc->handover_reference &&
	    zc_placement_parse(opt->placement, opt->placements, &opt->nplacements, err) != 0)
		return -1;
	if (opt->run_id && !zc_run_id_valid(opt->run_id)) {
		char q[96];
		return zc_error_set(err, ZC_EXIT_USAGE, "invalid run id '%s': 1 to %d letters, "
				    "digits, '.', '_', ':' or '-'", zc_quote(opt->run_id, q, sizeof(q)),
				    ZC_RUN_ID_MAX);
	}
	if (zc_preflight_out_path(opt->out, err) != 0 || zc_preflight_memory(&opt->frame, err) != 0)
		return -1;
	return 0;
}

/* Hands the --benchmark_* flags to Google Benchmark. Returns 0, or -1 when it refuses one. */
static int init_benchmark(struct zc_options *opt, struct zc_error *err)
{
	const char *bad;
	if (zc_bench_init(&opt->bench_argc, opt->bench_argv, &bad) == 0)
		return 0;
	char q[96];
	if (*zc_bench_error())
		return zc_error_set(err, ZC_EXIT_USAGE, "invalid option '%s': %s",
				    zc_quote(bad, q, sizeof(q)), zc_bench_error());
	return zc_error_set(err, ZC_EXIT_USAGE, "unknown option '%s' (try --help)",
			    zc_quote(bad, q, sizeof(q)));
}

/*
 * Before anything is measured: --benchmark_filter must select one of the rows (their names
 * are SCENARIO/STRATEGY, SCENARIO/STRATEGY@PLACEMENT for a placed one), else one line says
 * so, instead of Google Benchmark's complaint from every measuring process. 0, or -1.
 */
static int check_filter(const struct zc_scenario *sc, const struct zc_options *opt,
			struct zc_error *err)
{
	char name[160];
	struct zc_bench_settings set = zc_measure_settings(opt);
	snprintf(name, sizeof(name), "%s/%s", sc->name, zc_reference_memcpy.name);
	if (!opt->no_reference && zc_bench_filter_matches(name, &set))
		return 0;
	for (size_t i = 0; i <= sc->nstrategies; i++) {
		const struct zc_strategy *s = i == 0 ? sc->handover_reference : sc->strategies[i - 1];
		if (!s || (i > 0 && !opt->selected[i - 1]))
			continue;
		for (size_t k = 0; k < (sc->handover_reference ? opt->nplacements : 1); k++) {
			snprintf(name, sizeof(name), "%s/%s%s%s", sc->name, s->name,
				 sc->handover_reference ? "@" : "",
				 sc->handover_reference ? zc_placement_name(opt->placements[k]) : "");
			if (zc_bench_filter_matches(name, &set))
				return 0;
		}
	}
	return zc_error_set(err, ZC_EXIT_USAGE, "--benchmark_filter matches no row of %s (rows "
			    "are named %s/STRATEGY: see --list)", sc->name, sc->name);
}

/* True when --benchmark_filter left at least one strategy to time. */
static bool anything_timed(const struct zc_results *results)
{
	for (size_t i = 0; i < results->n; i++)
		if (results->v[i].measured)
			return true;
	return false;
}

/* The results' context: the run is --run-id's, else one made from @started (context.h). */
static json_t *run_context(const struct zc_options *opt, time_t started,
			   const struct zc_machine *machine, const char *pages_unavailable,
			   const struct zc_allocator_info *alloc, const char *gb_build)
{
	char id[ZC_RUN_ID_MAX + 1];
	struct zc_run run = {.id = opt->run_id, .started = started, .quick = opt->quick,
			     .machine = machine, .pages_unavailable = pages_unavailable};
	if (!run.id) {
		zc_run_id_make(started, id, sizeof(id));
		run.id = id;
	}
	return zc_context_json(&run, alloc, gb_build);
}

/*
 * The lines above the table, "" when none: the busy machine's warning (machine.h), and the
 * evidence this machine cannot give and why (@no_pages: why frame numbers cannot be read, NULL
 * when they can). scripts/bench.sh gathers them from every scenario into one of each at the
 * top of results/summary.txt: the words "machine busy: " and "evidence unavailable: " lead.
 */
static void top_notes(const struct zc_machine *m, const char *no_pages, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	if (zc_machine_busy(m)) {
		char busy[256];
		zc_machine_warning(m, busy, sizeof(busy));
		n = (size_t)snprintf(buf, len, "%s", busy);
	}
	if (no_pages && n < len)
		snprintf(buf + n, len - n, "%sevidence unavailable: physical pages not compared "
			 "(%s): run as root to compare them", n ? "\n" : "", no_pages);
}

/* Measures, prints the table and writes the results. Returns 0, or -1 with err. */
static int run(const struct zc_scenario *sc, struct zc_options *opt, struct zc_results *results,
	       int argc, char **argv, struct zc_error *err)
{
	static char default_out[256]; /* opt->out may point here after run() */
	char raw_dir[2100], raw_final[2200], out_flag[2400];
	const time_t started = time(NULL);
	snprintf(default_out, sizeof(default_out), "results/%s.json", sc->name);
	if (parse(sc, opt, argc, argv, default_out, err) != 0)
		return -1;
	if (opt->help || opt->list) {
		if (opt->help)
			print_usage(sc, stdout);
		else
			print_list(sc);
		return 0;
	}
	if (zc_allocator_use(opt->allocator, err) != 0) /* returns here when in effect */
		return -1;
	const bool own_raw = !opt->bench_out_given;
	if (own_raw && (prepare_raw(sc->name, opt->out, raw_dir, sizeof(raw_dir), raw_final,
				    sizeof(raw_final)) != 0 ||
			add_raw_flags(opt, out_flag, sizeof(out_flag)) != 0))
		return zc_error_set(err, ZC_EXIT_NOMEM, "out of memory");
	if (init_benchmark(opt, err) != 0 || check_filter(sc, opt, err) != 0 ||
	    (own_raw && make_raw_dir(raw_dir, err) != 0))
		return -1;
	struct zc_allocator_info alloc = {.name = zc_allocator_current(), .frame_blocks_mmapped = -1};
	if (opt->mmap_threshold > 0) {
		mallopt(M_MMAP_THRESHOLD, (int)opt->mmap_threshold);
		alloc.mmap_threshold = opt->mmap_threshold;
		alloc.mmap_threshold_pinned = true;
	}
	results->scenario = sc->name;
	results->frame = opt->frame;
	zc_instrument_set_frame_bytes(opt->frame.bytes);
	struct zc_machine_sample before, after;
	zc_machine_sample(&before);
	if (measure_all(sc, opt, results, err) != 0)
		return -1;
	zc_machine_sample(&after);
	struct zc_machine machine;
	zc_machine_between(&before, &after, sysconf(_SC_NPROCESSORS_ONLN), &machine);
	zc_machine_test_override(&machine);
	struct zc_error no_pages = {0};
	const bool pages = zc_pagemap_probe(&no_pages) == 0;
	char notes[1024];
	top_notes(&machine, pages ? NULL : no_pages.text, notes, sizeof(notes));
	if (!anything_timed(results))
		return zc_error_set(err, ZC_EXIT_USAGE,
				    "no benchmark matches the --benchmark_filter given");
	int verdict = judge(sc, results, opt);
	const char *gb_build = zc_raw_library_build(parts, nparts);
	results->context = run_context(opt, started, &machine, pages ? NULL : no_pages.text, &alloc,
				       gb_build);
	zc_allocator_describe(json_object_get(results->context, "allocator"));
	zc_table_print(stdout, results, *notes ? notes : NULL, opt->verbose);
	/* Once, beside Google Benchmark's own warning (once per measuring process). */
	if (opt->verbose && gb_build && !strcmp(gb_build, "debug"))
		printf("note: the Google Benchmark library was built as debug (the warning above); "
		       "the timed loop is its header's, compiled with zcbench\n");
	if (sc->report)
		sc->report(results, stdout);
	if (write_results(results, opt->out, own_raw ? raw_final : NULL, err) != 0)
		return -1;
	if (!opt->quiet)
		fprintf(stderr, "%s: wrote %s\n", sc->name, opt->out);
	if (verdict == ZC_EXIT_RUNTIME)
		return zc_error_set(err, verdict,
				    "a strategy delivered frames whose checksum differs");
	if (verdict == ZC_EXIT_FAILED)
		return zc_error_set(err, verdict,
				    "--strict: a strategy expected to be zero-copy copied, or "
				    "copied more than it declares");
	return 0;
}

int zc_scenario_say_error(const struct zc_scenario *sc, const struct zc_error *err)
{
	const unsigned long long limit = zc_machine_address_limit_kib();
	if (err->code == ZC_EXIT_RUNTIME && limit > 0)
		fprintf(stderr, "%s: %s (under an address-space limit of %llu KiB, ulimit -v: "
			"memory may have run out)\n", sc->name, err->text, limit);
	else
		fprintf(stderr, "%s: %s\n", sc->name, err->text);
	return err->code;
}

int zc_scenario_main(const struct zc_scenario *sc, int argc, char **argv)
{
	struct zc_options opt;
	struct zc_results results = {0};
	struct zc_error err = {0};
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	int rc = ZC_EXIT_OK;
	if (run(sc, &opt, &results, argc, argv, &err) != 0) {
		assert(err.code != ZC_EXIT_OK); /* every failure says why */
		if (err.code == ZC_EXIT_OK)
			err.code = ZC_EXIT_RUNTIME;
		rc = zc_scenario_say_error(sc, &err);
	}
	remove_temporaries();
	for (size_t i = 0; i < nparts; i++)
		free(parts[i]);
	zc_results_release(&results);
	for (size_t i = 0; i < nrow_names; i++)
		free(row_names[i]);
	zc_options_release(&opt);
	return rc;
}
