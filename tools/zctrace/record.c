/*
 * record.c: libzctrace.so's recorder, and the sink it gives the interposers (counting_hooks.c,
 * through hooks/hook_sink.h): every allocation and copy at or above the threshold claims a
 * slot of a fixed array with one atomic add and fills it in. Nothing here allocates, so the
 * hooks cannot recurse through it.
 *
 * Configuration comes from the environment (the zctrace wrapper sets it):
 *   ZCTRACE_OUT        where the process that zctrace started writes its record; a child
 *                      (fork, or fork + exec) writes OUT with ".<pid>" before ".json"
 *   ZCTRACE_OUT_DIR    the folder of the children's records (default: beside OUT)
 *   ZCTRACE_RUN        the run's id, written in every record (set by the wrapper, or by the
 *                      first traced process when unset): the wrapper gathers this run's
 *                      records only
 *   ZCTRACE_MIN_BYTES  threshold in bytes (default 1 MiB)
 *   ZCTRACE_BACKTRACE  "1": keep up to 16 return addresses per event
 *   ZCTRACE_PAGES      "1": watch the pages written (pages.c)
 *   ZCTRACE_QUIET      "1": no summary on stderr (the wrapper prints one for the tree)
 *   ZCTRACE_ROOT_PID   the pid whose record is OUT itself (set by the wrapper, or by the
 *                      first traced process when unset)
 *   ZCTRACE_PAGEMAP    "0": do not read the physical frames under probe marks (probe.c)
 */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "out.h"
#include "trace.h"

#define ZC_HOOK_API __attribute__((visibility("default")))

struct zct_state zct;
size_t zc__trace_min_bytes = ZCT_DEFAULT_MIN_BYTES;

/* initial-exec: reading it must never allocate, since the hooks read it */
static _Thread_local bool busy __attribute__((tls_model("initial-exec")));

bool zct_busy(void)
{
	return busy;
}

void zct_set_busy(bool b)
{
	busy = b;
}

/* Claims a slot of arr (cap slots) counted by *claimed; NULL when the array is full. */
static struct zct_event *claim(struct zct_event *arr, size_t cap, _Atomic uint64_t *claimed)
{
	uint64_t i = atomic_fetch_add_explicit(claimed, 1, memory_order_relaxed);
	if (i >= cap)
		return NULL;
	struct zct_event *e = &arr[i];
	atomic_store_explicit(&e->ready, false, memory_order_relaxed);
	return e;
}

uint64_t zct_now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void fill(struct zct_event *e, enum zc_hook_fn fn, const void *dst, const void *src,
		 size_t bytes, const void *caller)
{
	e->fn = (uint8_t)fn;
	e->tid = (int)syscall(SYS_gettid);
	e->ns = zct_now_ns();
	e->seq = atomic_fetch_add_explicit(&zct.seq, 1, memory_order_relaxed);
	e->dst = dst;
	e->src = src;
	e->bytes = bytes;
	e->caller = caller;
	e->nframes = zct.backtrace ? (uint8_t)backtrace(e->frames, ZCT_MAX_FRAMES) : 0;
	atomic_store_explicit(&e->ready, true, memory_order_release);
}

/* An event of one kind (an allocation, a copy) with its totals, and its slots in arr. */
struct kind {
	_Atomic uint64_t *count, *bytes, *claimed;
	struct zct_event *arr;
	size_t cap;
};

/* The event counted in its kind's totals and kept in a slot while one is free. */
static void record(const struct kind *k, enum zc_hook_fn fn, const void *dst, const void *src,
		   size_t bytes, const void *caller)
{
	if (busy)
		return;
	busy = true;
	atomic_fetch_add_explicit(k->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(k->bytes, bytes, memory_order_relaxed);
	struct zct_event *e = claim(k->arr, k->cap, k->claimed);
	if (e)
		fill(e, fn, dst, src, bytes, caller);
	busy = false;
}

void zc__trace_alloc(enum zc_hook_fn fn, const void *p, size_t bytes, const void *caller)
{
	static const struct kind allocs = { &zct.totals.allocs, &zct.totals.alloc_bytes,
					    &zct.totals.nallocs, zct.allocs, ZCT_MAX_ALLOCS };
	if (__builtin_expect(bytes < zc__trace_min_bytes, 1))
		return;
	record(&allocs, fn, p, NULL, bytes, caller);
}

void zc__trace_copy(enum zc_hook_fn fn, void *dst, const void *src, size_t bytes,
		    const void *caller)
{
	static const struct kind copies = { &zct.totals.copies, &zct.totals.copy_bytes,
					    &zct.totals.ncopies, zct.copies, ZCT_MAX_COPIES };
	record(&copies, fn, dst, src, bytes, caller);
}

/* Open addressing, one compare-and-swap per claim. */
long zct_claim_key(_Atomic uintptr_t *keys, size_t stride, size_t cap, uintptr_t key)
{
	uint64_t h = ((uint64_t)key * 0x9e3779b97f4a7c15ull) >> 40;
	for (size_t probe = 0; probe < cap; probe++) {
		size_t i = (h + probe) & (cap - 1);
		_Atomic uintptr_t *k = (_Atomic uintptr_t *)(void *)((char *)keys + i * stride);
		uintptr_t seen = atomic_load_explicit(k, memory_order_acquire);
		if (seen == key ||
		    (seen == 0 && (atomic_compare_exchange_strong(k, &seen, key) || seen == key)))
			return (long)i;
	}
	return -1;
}

static struct zct_site *site_slot(uintptr_t key)
{
	long i = zct_claim_key(&zct.sites[0].key, sizeof(zct.sites[0]), ZCT_MAX_SITES, key);
	return i < 0 ? NULL : &zct.sites[i];
}

/* Adds a copy of bytes, in histogram bucket k, to site s with atomic adds (shared by every
 * thread). */
static void site_add_one(struct zct_site *s, uint64_t bytes, unsigned k)
{
	atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->bytes, bytes, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->histogram[k], 1, memory_order_relaxed);
	uint64_t big = atomic_load_explicit(&s->largest, memory_order_relaxed);
	while (bytes > big && !atomic_compare_exchange_weak(&s->largest, &big, bytes))
		;
}

/*
 * Moves a cache's pending counts to its site and empties it: only the histogram's buckets its
 * copies used are read and cleared (a flush happens whenever a thread changes sites, and most
 * sites copy one size).
 */
static void cache_flush(struct zct_site_cache *c)
{
	uint64_t count = atomic_load_explicit(&c->count, memory_order_relaxed);
	uint64_t used = atomic_load_explicit(&c->used, memory_order_relaxed);
	struct zct_site *s = c->site;
	if (s && count) {
		atomic_fetch_add_explicit(&s->count, count, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->bytes, atomic_load_explicit(&c->bytes,
									  memory_order_relaxed),
					  memory_order_relaxed);
		uint64_t largest = atomic_load_explicit(&c->largest, memory_order_relaxed);
		uint64_t big = atomic_load_explicit(&s->largest, memory_order_relaxed);
		while (largest > big && !atomic_compare_exchange_weak(&s->largest, &big, largest))
			;
	}
	for (uint64_t left = used; left; left &= left - 1) {
		unsigned k = (unsigned)__builtin_ctzll(left);
		uint64_t n = atomic_load_explicit(&c->histogram[k], memory_order_relaxed);
		if (s && n)
			atomic_fetch_add_explicit(&s->histogram[k], n, memory_order_relaxed);
		atomic_store_explicit(&c->histogram[k], 0, memory_order_relaxed);
	}
	atomic_store_explicit(&c->count, 0, memory_order_relaxed);
	atomic_store_explicit(&c->bytes, 0, memory_order_relaxed);
	atomic_store_explicit(&c->largest, 0, memory_order_relaxed);
	atomic_store_explicit(&c->used, 0, memory_order_relaxed);
}

void zct_flush_site_caches(void)
{
	uint64_t n = atomic_load(&zct.ncaches);
	for (uint64_t i = 0; i < n && i < ZCT_SITE_CACHES; i++)
		cache_flush(&zct.caches[i]);
}

/* This thread's cache, claimed on its first copy; NULL once the caches ran out. */
static _Thread_local struct zct_site_cache *my_cache __attribute__((tls_model("initial-exec")));
static _Thread_local bool no_cache __attribute__((tls_model("initial-exec")));

static struct zct_site_cache *thread_cache(void)
{
	if (!my_cache && !no_cache) {
		uint64_t i = atomic_fetch_add_explicit(&zct.ncaches, 1, memory_order_relaxed);
		if (i < ZCT_SITE_CACHES)
			my_cache = &zct.caches[i];
		else
			no_cache = true;
	}
	return my_cache;
}

/* One writer: a relaxed load and store, which is a plain add on x86. */
static inline void bump(_Atomic uint64_t *v, uint64_t by)
{
	atomic_store_explicit(v, atomic_load_explicit(v, memory_order_relaxed) + by,
			      memory_order_relaxed);
}

/* One copy of bytes, in histogram bucket k, added to the thread's cache. */
static inline void cache_add(struct zct_site_cache *c, uint64_t bytes, unsigned k)
{
	bump(&c->count, 1);
	bump(&c->bytes, bytes);
	bump(&c->histogram[k], 1);
	atomic_store_explicit(&c->used, atomic_load_explicit(&c->used, memory_order_relaxed) |
						(uint64_t)1 << k,
			      memory_order_relaxed);
}

/* Every copy-function call, any size: added to its call site, never allocating. */
void zc__trace_site(enum zc_hook_fn fn, size_t bytes, const void *caller)
{
	if (busy || !caller)
		return;
	unsigned k = bytes ? 64 - (unsigned)__builtin_clzll(bytes) : 0; /* bytes < 2^k */
	k = k < ZCT_SITE_BUCKETS ? k : ZCT_SITE_BUCKETS - 1;
	struct zct_site_cache *c = thread_cache();
	if (c && atomic_load_explicit(&c->caller, memory_order_relaxed) == (uintptr_t)caller) {
		cache_add(c, bytes, k);
		if (bytes > atomic_load_explicit(&c->largest, memory_order_relaxed))
			atomic_store_explicit(&c->largest, bytes, memory_order_relaxed);
		return;
	}
	struct zct_site *s = site_slot((uintptr_t)caller);
	if (!s) {
		atomic_fetch_add_explicit(&zct.totals.dropped_site_calls, 1, memory_order_relaxed);
		return;
	}
	atomic_store_explicit(&s->fn, (uint8_t)fn, memory_order_relaxed);
	if (!c) {
		site_add_one(s, bytes, k);
		return;
	}
	cache_flush(c);
	c->site = s;
	atomic_store_explicit(&c->caller, (uintptr_t)caller, memory_order_relaxed);
	cache_add(c, bytes, k);
	atomic_store_explicit(&c->largest, bytes, memory_order_relaxed);
}

/*
 * A realloc that moved the block copied min(old, new) bytes: a copy when that is large. A
 * remapped block moved its pages, not its bytes: nothing was copied.
 */
void zc__trace_realloc_move(const void *old, const void *p, size_t old_bytes, size_t new_bytes,
			    bool remapped, const void *caller)
{
	if (remapped)
		return;
	size_t moved = old_bytes < new_bytes ? old_bytes : new_bytes;
	zc__trace_site(ZC_FN_REALLOC, moved, caller); /* a move copies at any size */
	if (moved < zc__trace_min_bytes || busy)
		return;
	atomic_fetch_add_explicit(&zct.totals.realloc_moves, 1, memory_order_relaxed);
	zc__trace_copy(ZC_FN_REALLOC, (void *)p, old, moved, caller);
}

/* The recorder does not count frees (wants_free_size is false): never called. */
static void trace_free(size_t bytes)
{
	(void)bytes;
}

/* OUT for the root process, OUT with ".<pid>" before ".json" for the others (out.h). */
/* ZCTRACE_OUT and ZCTRACE_OUT_DIR as the tracer started: a program may clear its environment. */
static char out_env[PATH_MAX], out_dir_env[PATH_MAX];

static void keep_env(char *buf, size_t len, const char *name)
{
	const char *v = getenv(name);
	snprintf(buf, len, "%s", v ? v : "");
}

void zct_record_path(int pid, char *buf, size_t len)
{
	const char *out = out_env;
	char digits[16];
	if (!out || !*out) {
		snprintf(buf, len, "zctrace.%d.json", pid);
		return;
	}
	if (pid == zct.root_pid) {
		snprintf(buf, len, "%s", out);
		return;
	}
	snprintf(digits, sizeof(digits), "%d", pid);
	zct_child_record(buf, len, out, out_dir_env[0] ? out_dir_env : NULL, digits);
}

static void choose_out(void)
{
	zct_record_path(zct.pid, zct.out, sizeof(zct.out));
}

/* A forked child starts an empty record of its own. */
static void after_fork_child(void)
{
	zct.pid = getpid();
	atomic_store(&zct.seq, 0);
	struct zct_totals zero = {0};
	zct.totals = zero;
	memset(zct.sites, 0, sizeof(zct.sites)); /* the child's sites are its own */
	zct_pages_forget();
	zct_kernel_forget();
	memset(zct.caches, 0, sizeof(zct.caches)); /* pending counts were the parent's */
	atomic_store(&zct.written, false);
	choose_out();
}

static void read_config(void)
{
	const char *v = getenv("ZCTRACE_MIN_BYTES");
	if (v && *v) {
		char *end;
		unsigned long long n = strtoull(v, &end, 10);
		if (*end || n == 0)
			fprintf(stderr, "zctrace: ignoring ZCTRACE_MIN_BYTES '%s' (not a positive "
					"number)\n", v);
		else
			zc__trace_min_bytes = (size_t)n;
	}
	keep_env(out_env, sizeof(out_env), "ZCTRACE_OUT");
	keep_env(out_dir_env, sizeof(out_dir_env), "ZCTRACE_OUT_DIR");
	v = getenv("ZCTRACE_BACKTRACE");
	zct.backtrace = v && strcmp(v, "1") == 0;
	zct.pid = getpid();
	v = getenv("ZCTRACE_ROOT_PID");
	if (v && *v) {
		zct.root_pid = atoi(v);
	} else {
		char pid[16];
		snprintf(pid, sizeof(pid), "%d", zct.pid);
		zct.root_pid = zct.pid;
		setenv("ZCTRACE_ROOT_PID", pid, 0);
	}
	v = getenv("ZCTRACE_RUN");
	if (v && *v) {
		snprintf(zct.run, sizeof(zct.run), "%s", v);
	} else { /* the first process of a run without the wrapper names it */
		snprintf(zct.run, sizeof(zct.run), "%x-%llx", zct.pid,
			 (unsigned long long)zct_now_ns());
		setenv("ZCTRACE_RUN", zct.run, 0);
	}
}

/* The signals that end a program with a core: the record is written before it dies. */
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};

/*
 * Writes the record (best effort: a crash may leave the tracer's state half-updated), then
 * dies of sig by its default action, as the program would have.
 */
static void on_fatal(int sig)
{
	int err = errno;
	zct_report();
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	sigset_t one;
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	raise(sig);
	errno = err; /* a fault returns to the faulting instruction and dies there */
}

/*
 * The fatal signals left at their default action get on_fatal; an ignored one stays ignored.
 * A handler the program installs later replaces it, and dies by its own choice (through exit,
 * _exit or abort, each of which writes the record).
 */
static void catch_fatal_signals(void)
{
	struct sigaction sa = {.sa_handler = on_fatal, .sa_flags = SA_RESETHAND | SA_NODEFER};
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++) {
		struct sigaction old;
		if (sigaction(fatal_signals[i], NULL, &old) == 0 && !(old.sa_flags & SA_SIGINFO) &&
		    old.sa_handler == SIG_DFL)
			sigaction(fatal_signals[i], &sa, NULL);
	}
}

/*
 * The sink's start: called by the hooks' constructor, before the program's own constructors
 * (a preloaded library is initialised first).
 */
static void trace_init(void)
{
	busy = true;
	read_config();
	choose_out();
	pthread_atfork(NULL, NULL, after_fork_child);
	catch_fatal_signals();
	/* coreutils and others close stderr at exit: keep a descriptor for the summary */
	zct.err_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 100);
	if (zct.backtrace) {
		void *f[2];
		backtrace(f, 2); /* loads libgcc_s now, not inside a hook */
	}
	const char *pages = getenv("ZCTRACE_PAGES");
	if (pages && !strcmp(pages, "1"))
		zct_pages_start();
	busy = false;
}

__attribute__((destructor)) static void trace_fini(void)
{
	zct_report();
}

/* _exit skips the destructors: write the record first. */
typedef void (*exit_fn)(int);

__attribute__((noreturn)) static void exit_via(const char *name, int status)
{
	zct_report();
	union {
		void *obj;
		exit_fn fn;
	} u = {.obj = dlsym(RTLD_NEXT, name)};
	if (u.fn)
		u.fn(status);
	syscall(SYS_exit_group, status);
	__builtin_unreachable();
}

ZC_HOOK_API void _exit(int status)
{
	exit_via("_exit", status);
}

ZC_HOOK_API void _Exit(int status)
{
	exit_via("_Exit", status);
}

/* Every copy-function call goes to its call site; the blocks are not needed there. */
static void trace_copy_any(enum zc_hook_fn fn, void *dst, const void *src, size_t bytes,
			   const void *caller)
{
	(void)dst, (void)src;
	zc__trace_site(fn, bytes, caller);
}

static void trace_closed(int fd)
{
	(void)fd;
}

static void trace_discard(const char *how, void *p, size_t len)
{
	(void)how, (void)p, (void)len;
}

/* The tracer follows kernel copies by what the calls returned (kernel.c): nothing to do before. */
ZC_NO_SANITIZE static void trace_kernel_start(enum zc_kernel_op op, const char *fn, int fd,
					      const struct zc_kernel_mem *mem)
{
	(void)op, (void)fn, (void)fd, (void)mem;
}

/* The interposers' sink: the same contract as src/instrument/counting_sink.c's, filled in here. */
const struct zc_hook_sink zc__hook_sink = {
	.copy_min = &zc__trace_min_bytes,
	.wants_free_size = false,
	.start = trace_init,
	.alloc = zc__trace_alloc,
	.free = trace_free,
	.release = zc__trace_release,
	.realloc_move = zc__trace_realloc_move,
	.copy_any = trace_copy_any,
	.copy = zc__trace_copy,
	.kernel = zc__trace_kernel,
	.kernel_start = trace_kernel_start,
	.mapped_file = zc__trace_mapped_file,
	.closed = trace_closed,
	.discard = trace_discard,
};
