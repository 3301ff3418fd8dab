/*
 * node_runner.c: the node-based boundaries' measure hook (node_runner.h): the node process
 * started with the interposers preloaded, its answer read and turned into a result.
 *
 * Why not the Google Benchmark harness, as python and java: Node gives an external frame back
 * only when its event loop turns (the finalizers wait for it), so a timed loop that never
 * returns to JavaScript would hold every frame it handed over; and Node 20 ships no libnode
 * to embed (scenarios/node/main.c says more).
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "beside.h"
#include "isolate.h"
#include "node_runner.h"

/* The answer's file descriptor in the node process (driver.js writes its JSON there). */
#define ANSWER_FD 3

/* Frames in flight: driver.js's batch of 16, and as many again before the collector runs. */
#define NODE_FRAMES_IN_FLIGHT 32

/* The files beside the program the node process needs. */
struct paths {
	char driver[4096], addon[4096], hooks[4096], module[4096];
};

static int find_paths(const struct zc_node_boundary *b, const struct zc_node_row *row,
		      struct paths *p, struct zc_error *err)
{
	return zc_beside_program(b->driver, p->driver, sizeof(p->driver), err) ||
			       zc_beside_program(row->addon, p->addon, sizeof(p->addon), err) ||
			       zc_beside_program("../lib/libzchooks.so", p->hooks, sizeof(p->hooks),
						 err) ||
			       zc_beside_program(row->module, p->module, sizeof(p->module), err)
		       ? -1
		       : 0;
}

/* The node process's side of the fork: the answer pipe on fd 3, the interposers preloaded. */
static _Noreturn void exec_node(const struct zc_node_boundary *b, int fd, const struct paths *p,
				const char *strategy, const struct zc_options *opt, bool watch)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the scenario program */
	/* dup2's copy is not closed on exec; the pipe's own end, when it is fd 3 already, is. */
	if (fd == ANSWER_FD ? fcntl(fd, F_SETFD, 0) != 0
			    : dup2(fd, ANSWER_FD) < 0 || close(fd) != 0)
		_exit(127);
	char bytes[32], reps[16], min_time[32], transfers[32];
	/* 0 transfers watched (--no-pages, a later process); else the boundary's pass. */
	char watched[16];
	snprintf(watched, sizeof(watched), "%d", watch ? b->watched : 0);
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
	/*
	 * The driver opens no TLS connection, yet node reads and parses the certificates this
	 * names at every start (Debian's bundle: 50-70 ms of a 30 ms start, measured here),
	 * untimed but paid once per row and process, in every gate round.
	 */
	unsetenv("NODE_EXTRA_CA_CERTS");
	char *argv[] = {(char *)b->node, (char *)"--expose-gc", (char *)p->driver,
			(char *)p->addon, (char *)p->module, (char *)strategy, bytes, reps,
			min_time, transfers, watched, NULL};
	execvp(argv[0], argv);
	fprintf(stderr, "%s: cannot run %s: %s\n", b->name, b->node, strerror(errno));
	_exit(127);
}

double zc_node_num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : (double)NAN;
}

/* The addon's list of what its watch left out (node_watch.c's put_unwatched) into @out. */
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
		u->bytes = zc_node_num(m, "bytes");
		u->resident_pages = zc_node_num(m, "resident_pages");
		u->populated_per_transfer = zc_node_num(m, "populated_per_transfer");
		if (u->resident_pages < 0)
			u->resident_pages = NAN;
		if (u->populated_per_transfer < 0)
			u->populated_per_transfer = NAN;
	}
}

/* The identity figures: the addresses either side saw, the probe, the checksum. */
static void fill_identity(const json_t *id, struct zc_result *res)
{
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
}

/* What the interposers counted (c) over n transfers, per transfer. */
static void fill_counts(const json_t *c, double n, double declared_frames,
			const struct zc_options *opt, struct zc_result *res)
{
	res->alloc.count_per_transfer = zc_node_num(c, "allocs") / n;
	res->alloc.bytes_per_transfer = zc_node_num(c, "alloc_bytes") / n;
	res->alloc.frees_per_transfer = zc_node_num(c, "frees") / n;
	res->alloc.frame_sized_per_transfer = zc_node_num(c, "frame_allocs") / n;
	res->alloc.frame_sized_frees_per_transfer = zc_node_num(c, "frame_frees") / n;
	res->alloc.realloc_moves_per_transfer = zc_node_num(c, "realloc_moves") / n;
	res->copies.user_bytes_per_transfer = zc_node_num(c, "user_frame_bytes") / n;
	res->copies.kernel_bytes_per_transfer = zc_node_num(c, "kernel_frame_bytes") / n;
	res->copies.other_bytes_per_transfer = fmax(0,
		(zc_node_num(c, "user_copy_bytes") - zc_node_num(c, "user_frame_bytes") +
		 zc_node_num(c, "kernel_copy_bytes") - zc_node_num(c, "kernel_frame_bytes")) / n);
	res->copies.bytes_per_transfer =
		res->copies.user_bytes_per_transfer + res->copies.kernel_bytes_per_transfer;
	res->copies.hook_bytes_per_transfer = zc_node_num(c, "hook_copy_bytes") / n;
	res->copies.realloc_remaps_per_transfer = zc_node_num(c, "realloc_remaps") / n;
	res->copies.copies_per_transfer = declared_frames;
	res->copies.expected_bytes_per_transfer = declared_frames * (double)opt->frame.bytes;
}

/* The memory figures, as measure.c's read_memory, from the RSS node had before the addon. */
static void fill_memory(const json_t *mem, const json_t *loop, double n,
			const struct zc_options *opt, struct zc_result *res)
{
	const double setup_rss = zc_node_num(mem, "setup_rss_kib");
	res->mem.rss_kib = (int64_t)zc_node_num(mem, "rss_kib");
	res->mem.pss_kib = (int64_t)zc_node_num(mem, "pss_kib");
	res->mem.rss_peak_kib = (int64_t)(zc_node_num(mem, "peak_kib") - setup_rss);
	res->mem.rss_peak_method = "vmhwm_minus_setup_rss"; /* maxRSS is the lifetime VmHWM */
	res->mem.resident_kib = (int64_t)(zc_node_num(mem, "rss_kib") - setup_rss);
	res->mem.resident_frames =
		(double)res->mem.resident_kib * 1024.0 / (double)opt->frame.bytes;
	res->mem.minor_faults_per_transfer = zc_node_num(loop, "minor_faults") / n;
	res->mem.major_faults_per_transfer = zc_node_num(loop, "major_faults") / n;
	res->mem.frame_blocks_mmapped = -1;
}

/* The pages-written pass the addon ran in the node process, or why it did not. */
static void fill_pages(const json_t *pages, const struct zc_options *opt,
		       struct zc_result *res)
{
	const char *why = json_string_value(json_object_get(pages, "unavailable"));
	if (json_is_number(json_object_get(pages, "producer_per_transfer"))) {
		res->pages_written.method = "uffd-wp";
		res->pages_written.transfers = (int64_t)zc_node_num(pages, "transfers");
		res->pages_written.unavailable[0] = '\0';
		res->pages_written.producer_per_transfer =
			zc_node_num(pages, "producer_per_transfer");
		res->pages_written.fresh_per_transfer = zc_node_num(pages, "fresh_per_transfer");
		res->pages_written.frame_per_transfer = zc_node_num(pages, "frame_per_transfer");
		res->pages_written.frame_bytes_per_transfer =
			zc_node_num(pages, "frame_bytes_per_transfer");
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
}

/* Fills res from the node process's answer a; -1 with err when it is not one. */
static int fill(const struct zc_node_boundary *b, const struct zc_node_row *row,
		const struct zc_strategy *s, const struct zc_options *opt, const json_t *a,
		struct zc_result *res, struct zc_error *err)
{
	const json_t *samples = json_object_get(a, "samples");
	const json_t *id = json_object_get(a, "id"), *c = json_object_get(a, "counts");
	const json_t *loop = json_object_get(a, "loop"), *mem = json_object_get(a, "mem");
	const json_t *gc = json_object_get(a, "gc");
	const json_t *own = b->own ? json_object_get(a, b->own) : NULL;
	double n = zc_node_num(loop, "n");
	size_t ns = json_array_size(samples);
	if (!json_is_object(id) || !json_is_object(c) || !json_is_object(mem) ||
	    !json_is_object(gc) || (b->own && !json_is_object(own)) || !(n > 0) || ns == 0 ||
	    ns > 1024 || !json_is_number(json_object_get(mem, "setup_rss_kib")))
		return zc_error_set(err, ZC_EXIT_RUNTIME,
				    "strategy '%s': the node process sent a broken answer", s->name);
	double v[1024];
	for (size_t i = 0; i < ns; i++)
		v[i] = json_number_value(json_array_get(samples, i));
	fill_identity(id, res);
	fill_counts(c, n, row->declared_frames, opt, res);
	res->alloc.live_at_end =
		(int64_t)zc_node_num(json_object_get(a, b->live_object), b->live_key);
	fill_memory(mem, loop, n, opt, res);
	fill_pages(json_object_get(a, "pages"), opt, res);
	json_t *extra = own ? json_pack("{s:O, s:O}", "gc", gc, b->own, own)
			    : json_pack("{s:O}", "gc", gc);
	if (!extra || zc_result_set_samples(res, v, ns, opt->frame.bytes) != 0) {
		json_decref(extra);
		return zc_error_set(err, ZC_EXIT_NOMEM, "out of memory");
	}
	json_decref(res->extra);
	res->extra = extra;
	return 0;
}

/* Reads the answer of a node process that exited with status. */
static int receive(const struct zc_node_boundary *b, const struct zc_node_row *row,
		   const struct zc_strategy *s, const struct zc_options *opt, const char *buf,
		   size_t len, int status, struct zc_result *res, struct zc_error *err)
{
	json_t *a = buf && len ? json_loadb(buf, len, 0, NULL) : NULL;
	int rc;
	if (!a)
		rc = zc_error_set(err, status ? status : ZC_EXIT_RUNTIME,
				  "strategy '%s': the node process sent nothing (exit status %d)",
				  s->name, status);
	else if (!json_is_true(json_object_get(a, "ok")))
		rc = zc_error_set(err, (int)zc_node_num(a, "code") > 0 ? (int)zc_node_num(a, "code")
								       : ZC_EXIT_RUNTIME,
				  "%s", json_string_value(json_object_get(a, "error"))
					      ? json_string_value(json_object_get(a, "error"))
					      : "the node process failed without saying why");
	else
		rc = fill(b, row, s, opt, a, res, err);
	json_decref(a);
	return rc;
}

/*
 * Under an address-space limit (ulimit -v) too small for node and its frames, V8 dies of
 * SIGSEGV at start-up: refused first, as out of memory.
 */
static int check_address_space(const struct zc_node_boundary *b, const struct zc_options *opt,
			       struct zc_error *err)
{
	struct rlimit lim;
	unsigned long long need_mib =
		b->reserve_mib + ((unsigned long long)opt->frame.bytes * NODE_FRAMES_IN_FLIGHT >> 20);
	if (getrlimit(RLIMIT_AS, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY ||
	    lim.rlim_cur >> 20 >= need_mib)
		return 0;
	return zc_error_set(err, ZC_EXIT_NOMEM, "out of memory: the address-space limit (%llu KiB) "
			    "is below the %llu MiB a node process with its frames in flight takes",
			    (unsigned long long)(lim.rlim_cur >> 10), need_mib);
}

/* How the node process ended, when it sent no answer to read: -1 with err, else 1. */
static int check_status(const struct zc_node_boundary *b, const struct zc_strategy *s,
			int status, struct zc_error *err)
{
	if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM))
		return zc_error_set(err, ZC_EXIT_SIGNAL, "strategy '%s': the node process was "
				    "interrupted (signal %d)", s->name, WTERMSIG(status));
	if (WIFSIGNALED(status))
		return zc_error_set(err, ZC_EXIT_RUNTIME,
				    "strategy '%s': the node process died of signal %d (%s)",
				    s->name, WTERMSIG(status), strsignal(WTERMSIG(status)));
	if (WEXITSTATUS(status) == 127)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "cannot run %s", b->node);
	return 1;
}

int zc_node_measure(const struct zc_node_boundary *b, const struct zc_node_row *row,
		    const struct zc_strategy *s, const struct zc_options *opt,
		    struct zc_result *res, struct zc_error *err)
{
	assert(b && row && s && opt && res);
	struct paths p;
	if (check_address_space(b, opt, err) != 0 || find_paths(b, row, &p, err) != 0)
		return -1;
	int fd;
	pid_t pid = zc_isolate_fork(&fd, err);
	if (pid < 0)
		return -1;
	if (pid == 0)
		/* The evidence pass once per strategy, as the core's: a later measuring process
		 * (res holds the first one's result) only adds samples. */
		exec_node(b, fd, &p, s->name, opt, !opt->no_pages && res->time.nprocesses == 0);
	size_t len;
	int status;
	char *buf = zc_isolate_collect(pid, fd, &len, &status);
	int rc = check_status(b, s, status, err);
	if (rc > 0)
		rc = receive(b, row, s, opt, buf, len, WEXITSTATUS(status), res, err);
	free(buf);
	return rc;
}
