/*
 * node_addon_api: a real Node.js as the consumer, and a real bridge written by others between
 * them: the addon (addon/zcnapi.cc, build/lib/node_addon_api/zcnapi.node) is written with
 * node-addon-api 8, the C++ wrapper over Node-API, as its users write one: Napi::Buffer::New
 * over the producer's frame with a finalizer, Napi::Buffer::Copy, Napi::Buffer::NewOrCopy,
 * Napi::ArrayBuffer::New. The producer is build/lib/libzcproducer.so, loaded by the addon.
 *
 * It measures as the node boundary does, and for the same reasons (Node gives an external
 * frame back only when its event loop turns; Node 20 ships no libnode to embed): each
 * measuring process is `node driver.js` with the counting interposers preloaded
 * (build/lib/libzchooks.so), and this program reads its answer into the same results as every
 * scenario (the scenario's measure hook). This file, driver.js and the addon's instrument
 * half are a copy of scenarios/node/'s, kept here because a boundary includes no file of
 * another's; the addon's strategies, the rows and what the answer says of the frames
 * (gc.finalizers_in_call, gc.double_releases...) are this boundary's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include <jansson.h>

#include <sys/resource.h>

#include "beside.h"
#include "error.h"
#include "evidence.h"
#include "isolate.h"
#include "scenario.h"

#ifndef ZC_NODE_PATH
#define ZC_NODE_PATH "node"
#endif

/* The answer's file descriptor in the node process (driver.js writes its JSON there). */
#define ANSWER_FD 3

/*
 * The address space a node process takes before any frame: Node 20's VmPeak at start-up is
 * 712 MiB here (V8 reserves its heap and code ranges), and it does not start under 700 MiB.
 * Frames in flight: driver.js's batch of 16, and as many again before the collector runs.
 */
#define NODE_RESERVE_MIB 768
#define NODE_FRAMES_IN_FLIGHT 32

/*
 * The strategies: what node-addon-api's documentation says each does is declared_frames (the
 * frames it copies), kept beside what the interposers saw, never used for the verdict; which
 * build of the addon the row loads. Their transfers run in node (the measure hook); the table
 * here only names them.
 */
struct naa_strategy {
	struct zc_strategy s;
	double declared_frames;
	bool no_externals; /* zcnapi_no_externals.node: NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED */
};

static const struct naa_strategy strategies[] = {
	{{.name = "Buffer_Copy",
	  .mirrors = "Napi::Buffer<uint8_t>::Copy(env, data, len): a Buffer of Node's own "
		     "(napi_create_buffer_copy)",
	  .expect_zero_copy = false,
	  .measured_by_scenario = true}, 1, false},
	{{.name = "Buffer_New_external",
	  .mirrors = "Napi::Buffer<uint8_t>::New(env, data, len, finalizer) over the producer's "
		     "frame, given back by the finalizer when V8 collects the Buffer",
	  .expect_zero_copy = true,
	  .measured_by_scenario = true}, 0, false},
	{{.name = "Buffer_NewOrCopy",
	  .mirrors = "Napi::Buffer<uint8_t>::NewOrCopy(env, data, len, finalizer): external "
		     "where the runtime allows it (Node 20 here), else a copy",
	  .expect_zero_copy = true,
	  .measured_by_scenario = true}, 0, false},
	{{.name = "Buffer_NewOrCopy_no_externals",
	  .mirrors = "the same NewOrCopy built with NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED, as for "
		     "Electron's V8 sandbox: Copy, the finalizer run inside the call",
	  .expect_zero_copy = false,
	  .measured_by_scenario = true}, 1, true},
	{{.name = "ArrayBuffer_New_external",
	  .mirrors = "Napi::ArrayBuffer::New(env, data, len, finalizer) over the producer's frame, "
		     "read through a Napi::Uint8Array",
	  .expect_zero_copy = true,
	  .measured_by_scenario = true}, 0, false},
};

static const struct zc_strategy *const strategy_table[] = {
	&strategies[0].s, &strategies[1].s, &strategies[2].s, &strategies[3].s, &strategies[4].s,
};

static const struct naa_strategy *row_of(const struct zc_strategy *s)
{
	for (size_t i = 0; i < ZC_COUNT(strategies); i++)
		if (s == &strategies[i].s)
			return &strategies[i];
	return NULL; /* reference_memcpy */
}

static double declared_frames(const struct zc_strategy *s)
{
	const struct naa_strategy *row = row_of(s);
	return row ? row->declared_frames : 1; /* reference_memcpy: one memcpy of the frame */
}

/* The files beside the program the node process needs. */
struct paths {
	char driver[4096], addon[4096], hooks[4096], producer[4096];
};

/* The addon's build the row loads. */
static const char *addon_of(const struct zc_strategy *s)
{
	const struct naa_strategy *row = row_of(s);
	return row && row->no_externals ? "../lib/node_addon_api/zcnapi_no_externals.node"
					: "../lib/node_addon_api/zcnapi.node";
}

static int find_paths(const struct zc_strategy *s, struct paths *p, struct zc_error *err)
{
	return zc_beside_program("../lib/node_addon_api/driver.js", p->driver, sizeof(p->driver),
				 err) ||
			       zc_beside_program(addon_of(s), p->addon, sizeof(p->addon), err) ||
			       zc_beside_program("../lib/libzchooks.so", p->hooks, sizeof(p->hooks),
						 err) ||
			       zc_beside_program("../lib/libzcproducer.so", p->producer,
						 sizeof(p->producer), err)
		       ? -1
		       : 0;
}

/* The node process's side of the fork: the answer pipe on fd 3, the interposers preloaded. */
static _Noreturn void exec_node(int fd, const struct paths *p, const char *strategy,
				const struct zc_options *opt, bool watch)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the scenario program */
	/* dup2's copy is not closed on exec; the pipe's own end, when it is fd 3 already, is. */
	if (fd == ANSWER_FD ? fcntl(fd, F_SETFD, 0) != 0
			    : dup2(fd, ANSWER_FD) < 0 || close(fd) != 0)
		_exit(127);
	char bytes[32], reps[16], min_time[32], transfers[32];
	/* 0 transfers watched (--no-pages, a later process); else as many as the core's pass. */
	char watched[16];
	snprintf(watched, sizeof(watched), "%d", watch ? ZC_EVIDENCE_TRANSFERS : 0);
	snprintf(bytes, sizeof(bytes), "%zu", opt->frame.bytes);
	snprintf(reps, sizeof(reps), "%d", opt->quick ? 3 : 5);
	snprintf(min_time, sizeof(min_time), "%g", opt->quick ? 0.005 : 0.1);
	snprintf(transfers, sizeof(transfers), "%ld", opt->transfers); /* 0: by time */
	/* --mmap-threshold: glibc reads it from the environment in a process of its own. */
	if (opt->mmap_threshold > 0) {
		char threshold[32];
		snprintf(threshold, sizeof(threshold), "%ld", opt->mmap_threshold);
		setenv("MALLOC_MMAP_THRESHOLD_", threshold, 1);
	}
	/* First, so that an allocator --allocator preloaded is the next malloc they call. */
	const char *pre = getenv("LD_PRELOAD");
	char preload[8192];
	snprintf(preload, sizeof(preload), "%s%s%s", p->hooks, pre && *pre ? ":" : "",
		 pre ? pre : "");
	setenv("LD_PRELOAD", preload, 1);
	/* node measures for itself: its counts are its own, not the group's of this process. */
	unsetenv("ZCBENCH_COUNTS");
	char *argv[] = {(char *)ZC_NODE_PATH, (char *)"--expose-gc", (char *)p->driver,
			(char *)p->addon, (char *)p->producer, (char *)strategy, bytes, reps,
			min_time, transfers, watched, NULL};
	execvp(argv[0], argv);
	fprintf(stderr, "node_addon_api: cannot run %s: %s\n", ZC_NODE_PATH, strerror(errno));
	_exit(127);
}

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : (double)NAN;
}

/* The addon's list of what its watch left out (zcnapi.cc's put_unwatched) into @out. */
static void unwatched(const json_t *pages, struct zc_unwatched_list *out)
{
	const json_t *list = json_object_get(pages, "unwatched"), *m;
	size_t i;
	*out = (struct zc_unwatched_list){.known = json_is_array(list),
					  .io_uring = json_is_true(json_object_get(pages, "io_uring"))};
	json_array_foreach(list, i, m) {
		if (out->n == ZC_UNWATCHED_MAX)
			break;
		struct zc_unwatched *u = &out->v[out->n++];
		const char *name = json_string_value(json_object_get(m, "mapping"));
		const char *why = json_string_value(json_object_get(m, "why"));
		snprintf(u->mapping, sizeof(u->mapping), "%s", name ? name : "");
		snprintf(u->why, sizeof(u->why), "%s", why ? why : "");
		u->stack = !strcmp(u->mapping, "[stack]");
		u->bytes = num(m, "bytes");
		u->resident_pages = num(m, "resident_pages");
		u->populated_per_transfer = num(m, "populated_per_transfer");
		if (u->resident_pages < 0)
			u->resident_pages = NAN;
		if (u->populated_per_transfer < 0)
			u->populated_per_transfer = NAN;
	}
}

/* Fills res from the node process's answer; -1 with err when it is not one. */
static int fill(const struct zc_strategy *s, const struct zc_options *opt, const json_t *a,
		struct zc_result *res, struct zc_error *err)
{
	const json_t *samples = json_object_get(a, "samples");
	const json_t *id = json_object_get(a, "id"), *c = json_object_get(a, "counts");
	const json_t *loop = json_object_get(a, "loop"), *mem = json_object_get(a, "mem");
	const json_t *gc = json_object_get(a, "gc");
	double n = num(loop, "n");
	size_t ns = json_array_size(samples);
	if (!json_is_object(id) || !json_is_object(c) || !json_is_object(mem) ||
	    !json_is_object(gc) || !(n > 0) || ns == 0 || ns > 1024 ||
	    !json_is_number(json_object_get(mem, "setup_rss_kib")))
		return zc_error_set(err, ZC_EXIT_RUNTIME,
				    "strategy '%s': the node process sent a broken answer", s->name);
	double v[1024];
	for (size_t i = 0; i < ns; i++)
		v[i] = json_number_value(json_array_get(samples, i));
	const char *pa = json_string_value(json_object_get(id, "producer"));
	const char *ca = json_string_value(json_object_get(id, "consumer"));
	res->id.producer_addr = pa ? (uintptr_t)strtoull(pa, NULL, 10) : 0;
	res->id.consumer_addr = ca ? (uintptr_t)strtoull(ca, NULL, 10) : 0;
	res->id.address_meaningful = true;
	res->id.same_address = res->id.producer_addr == res->id.consumer_addr;
	res->id.aliasing_visible = json_is_true(json_object_get(id, "aliasing_visible"));
	res->id.checksum_ok = json_is_true(json_object_get(id, "checksum_ok"));
	snprintf(res->id.same_pages_unavailable, sizeof(res->id.same_pages_unavailable),
		 "not compared: producer and consumer are one node process");
	res->alloc.count_per_transfer = num(c, "allocs") / n;
	res->alloc.bytes_per_transfer = num(c, "alloc_bytes") / n;
	res->alloc.frees_per_transfer = num(c, "frees") / n;
	res->alloc.frame_sized_per_transfer = num(c, "frame_allocs") / n;
	res->alloc.frame_sized_frees_per_transfer = num(c, "frame_frees") / n;
	res->alloc.realloc_moves_per_transfer = num(c, "realloc_moves") / n;
	res->alloc.live_at_end = (int64_t)num(gc, "frames_out_at_end");
	res->copies.user_bytes_per_transfer = num(c, "user_frame_bytes") / n;
	res->copies.kernel_bytes_per_transfer = num(c, "kernel_frame_bytes") / n;
	res->copies.other_bytes_per_transfer = fmax(0,
		(num(c, "user_copy_bytes") - num(c, "user_frame_bytes") +
		 num(c, "kernel_copy_bytes") - num(c, "kernel_frame_bytes")) / n);
	res->copies.bytes_per_transfer =
		res->copies.user_bytes_per_transfer + res->copies.kernel_bytes_per_transfer;
	res->copies.hook_bytes_per_transfer = num(c, "hook_copy_bytes") / n;
	res->copies.realloc_remaps_per_transfer = num(c, "realloc_remaps") / n;
	res->copies.copies_per_transfer = declared_frames(s);
	res->copies.expected_bytes_per_transfer = declared_frames(s) * (double)opt->frame.bytes;
	/* As measure.c's read_memory, from the RSS node had before the addon opened. */
	const double setup_rss = num(mem, "setup_rss_kib");
	res->mem.rss_kib = (int64_t)num(mem, "rss_kib");
	res->mem.pss_kib = (int64_t)num(mem, "pss_kib");
	res->mem.rss_peak_kib = (int64_t)(num(mem, "peak_kib") - setup_rss);
	res->mem.rss_peak_method = "vmhwm_minus_setup_rss"; /* maxRSS is the lifetime VmHWM */
	res->mem.resident_kib = (int64_t)(num(mem, "rss_kib") - setup_rss);
	res->mem.resident_frames =
		(double)res->mem.resident_kib * 1024.0 / (double)opt->frame.bytes;
	res->mem.minor_faults_per_transfer = num(loop, "minor_faults") / n;
	res->mem.major_faults_per_transfer = num(loop, "major_faults") / n;
	res->mem.frame_blocks_mmapped = -1;
	const json_t *pages = json_object_get(a, "pages");
	const char *why = json_string_value(json_object_get(pages, "unavailable"));
	if (json_is_number(json_object_get(pages, "producer_per_transfer"))) {
		res->pages_written.method = "uffd-wp";
		res->pages_written.transfers = (int64_t)num(pages, "transfers");
		res->pages_written.unavailable[0] = '\0';
		res->pages_written.producer_per_transfer = num(pages, "producer_per_transfer");
		res->pages_written.fresh_per_transfer = num(pages, "fresh_per_transfer");
		res->pages_written.frame_per_transfer = num(pages, "frame_per_transfer");
		res->pages_written.frame_bytes_per_transfer = num(pages, "frame_bytes_per_transfer");
		unwatched(pages, &res->pages_written.unwatched);
	} else {
		snprintf(res->pages_written.unavailable, sizeof(res->pages_written.unavailable),
			 "%s", why ? why : "not counted");
	}
	res->pages_written.skipped = opt->no_pages;
	snprintf(res->pages_written.consumer_unavailable,
		 sizeof(res->pages_written.consumer_unavailable), "%s",
		 opt->no_pages ? res->pages_written.unavailable
			       : "one address space: the consumer's writes are in producer_per_transfer");
	json_t *extra = json_pack("{s:O}", "gc", gc);
	if (!extra || zc_result_set_samples(res, v, ns, opt->frame.bytes) != 0) {
		json_decref(extra);
		return zc_error_set(err, ZC_EXIT_NOMEM, "out of memory");
	}
	json_decref(res->extra);
	res->extra = extra;
	return 0;
}

/* Reads the answer of a node process that exited with status. */
static int receive(const struct zc_strategy *s, const struct zc_options *opt, const char *buf,
		   size_t len, int status, struct zc_result *res, struct zc_error *err)
{
	json_t *a = buf && len ? json_loadb(buf, len, 0, NULL) : NULL;
	int rc;
	if (!a)
		rc = zc_error_set(err, status ? status : ZC_EXIT_RUNTIME,
				  "strategy '%s': the node process sent nothing (exit status %d)",
				  s->name, status);
	else if (!json_is_true(json_object_get(a, "ok")))
		rc = zc_error_set(err, (int)num(a, "code") > 0 ? (int)num(a, "code")
							     : ZC_EXIT_RUNTIME,
				  "%s", json_string_value(json_object_get(a, "error"))
					      ? json_string_value(json_object_get(a, "error"))
					      : "the node process failed without saying why");
	else
		rc = fill(s, opt, a, res, err);
	json_decref(a);
	return rc;
}

/*
 * Under an address-space limit (ulimit -v) too small for node and its frames, V8 dies of
 * SIGSEGV at start-up: refused first, as out of memory.
 */
static int check_address_space(const struct zc_options *opt, struct zc_error *err)
{
	struct rlimit lim;
	unsigned long long need_mib =
		NODE_RESERVE_MIB + ((unsigned long long)opt->frame.bytes * NODE_FRAMES_IN_FLIGHT >> 20);
	if (getrlimit(RLIMIT_AS, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY ||
	    lim.rlim_cur >> 20 >= need_mib)
		return 0;
	return zc_error_set(err, ZC_EXIT_NOMEM, "out of memory: the address-space limit (%llu KiB) "
			    "is below the %llu MiB a node process with its frames in flight takes",
			    (unsigned long long)(lim.rlim_cur >> 10), need_mib);
}

/* The measure hook: one node process measures strategy s. */
static int measure(const struct zc_strategy *s, const struct zc_options *opt,
		   struct zc_result *res, struct zc_error *err)
{
	struct paths p;
	if (check_address_space(opt, err) != 0 || find_paths(s, &p, err) != 0)
		return -1;
	int fd;
	pid_t pid = zc_isolate_fork(&fd, err);
	if (pid < 0)
		return -1;
	if (pid == 0)
		/* The evidence pass once per strategy, as the core's: a later measuring process
		 * (res holds the first one's result) only adds samples. */
		exec_node(fd, &p, s->name, opt, !opt->no_pages && res->time.nprocesses == 0);
	size_t len;
	int status;
	char *buf = zc_isolate_collect(pid, fd, &len, &status);
	int rc;
	if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM))
		rc = zc_error_set(err, ZC_EXIT_SIGNAL, "strategy '%s': the node process was "
				  "interrupted (signal %d)", s->name, WTERMSIG(status));
	else if (WIFSIGNALED(status))
		rc = zc_error_set(err, ZC_EXIT_RUNTIME,
				  "strategy '%s': the node process died of signal %d (%s)", s->name,
				  WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status) == 127)
		rc = zc_error_set(err, ZC_EXIT_RUNTIME, "cannot run %s", ZC_NODE_PATH);
	else
		rc = receive(s, opt, buf, len, WEXITSTATUS(status), res, err);
	free(buf);
	return rc;
}

/*
 * After the table: what became of each row's frames in the last measuring process, as the
 * addon saw it: which branch NewOrCopy took, who gave the frames back, and whether each
 * came back exactly once.
 */
static void report(const struct zc_results *r, FILE *f)
{
	for (size_t i = 0; i < r->n; i++) {
		const json_t *gc = json_object_get(r->v[i].extra, "gc");
		double taken = num(gc, "taken"), back = num(gc, "given_back");
		double twice = num(gc, "double_releases"), fin = num(gc, "finalizers_run");
		double in_call = num(gc, "finalizers_in_call"), views = num(gc, "views");
		if (!(taken > 0))
			continue;
		fprintf(f, "%s: %.0f frames handed over, %.0f objects over the frame's bytes, %.0f "
			"over bytes of their own; %.0f given back (%.0f by a finalizer, %.0f of them "
			"inside the call), %s\n",
			r->v[i].strategy, taken, views, taken - views, back, fin, in_call,
			back == taken && twice == 0 ? "each once"
			: twice > 0		    ? "some twice"
						    : "not all");
	}
}

int main(int argc, char **argv)
{
	struct zc_scenario sc = {
		.name = "node_addon_api",
		.summary = "Hands frames from a producer library to JavaScript in Node.js through "
			   "an addon written with node-addon-api: Buffer::Copy, or Buffer::New, "
			   "NewOrCopy and ArrayBuffer::New over the frame.",
		.strategies = strategy_table,
		.nstrategies = ZC_COUNT(strategy_table),
		.measure = measure,
		.report = report,
	};
	return zc_scenario_main(&sc, argc, argv);
}
