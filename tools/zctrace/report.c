/*
 * report.c: the tracer's record at exit: JSON (schema zctrace/1) written atomically (temporary
 * file, fsync, rename, signals held off), then a few lines on stderr. Runs once per process,
 * from the destructor or from _exit, with the hooks told to stay out of the way.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out.h"
#include "trace.h"

#define MAX_GROUPS 32
#define SUMMARY_LINES 5

static const char anchor; /* an address inside libzctrace.so */

/* True when addr lies in libzctrace.so itself. */
static bool in_tracer(const void *addr)
{
	Dl_info self, info;
	if (!dladdr(&anchor, &self) || !dladdr(addr, &info))
		return false;
	return info.dli_fbase == self.dli_fbase;
}

/* A frame inside a program's own interposer (a function named like one of the hooks). */
static bool in_interposer(const void *addr)
{
	Dl_info info;
	if (!dladdr(addr, &info) || !info.dli_sname)
		return false;
	for (unsigned fn = 0; fn < ZC_FN_COUNT; fn++)
		if (strcmp(info.dli_sname, zct_fn_name(fn)) == 0)
			return true;
	return false;
}

/* "libfoo.so:encode_frame" (the nearest exported symbol), or "libfoo.so+0x1234". */
static const char *describe(const void *addr, char *buf, size_t len)
{
	Dl_info info;
	/* a return address points after the call: look up the call itself */
	const char *at = (const char *)addr - 1;
	if (!addr || !dladdr(at, &info) || !info.dli_fname) {
		snprintf(buf, len, "%p", addr);
		return buf;
	}
	const char *slash = strrchr(info.dli_fname, '/');
	const char *obj = slash ? slash + 1 : info.dli_fname;
	if (!*obj)
		obj = program_invocation_short_name;
	if (info.dli_sname)
		snprintf(buf, len, "%s:%s", obj, info.dli_sname);
	else
		snprintf(buf, len, "%s+0x%lx", obj,
			 (unsigned long)((const char *)at - (const char *)info.dli_fbase));
	return buf;
}

const char *zct_event_caller(const struct zct_event *e, char *buf, size_t len)
{
	for (unsigned i = 0; i < e->nframes; i++) {
		const char *at = (const char *)e->frames[i] - 1;
		if (!in_tracer(at) && !in_interposer(at))
			return describe(e->frames[i], buf, len);
	}
	return describe(e->caller, buf, len);
}

static void write_event(struct zct_out *o, const struct zct_event *e, bool copy)
{
	char who[512];
	zct_out_fmt(o, "{\"seq\": %llu, \"function\": ", (unsigned long long)e->seq);
	zct_out_json_str(o, zct_fn_name(e->fn));
	zct_out_fmt(o, ", \"bytes\": %llu, ", (unsigned long long)e->bytes);
	if (copy) {
		zct_out_str(o, "\"src\": ");
		zct_out_json_ptr(o, e->src);
		zct_out_str(o, ", \"dst\": ");
	} else {
		zct_out_str(o, "\"address\": ");
	}
	zct_out_json_ptr(o, e->dst);
	zct_out_str(o, ", \"caller\": ");
	zct_out_json_str(o, zct_event_caller(e, who, sizeof(who)));
	zct_out_str(o, ", \"caller_address\": ");
	zct_out_json_ptr(o, e->caller);
	zct_out_fmt(o, ", \"thread\": %d", e->tid);
	if (e->nframes) {
		zct_out_str(o, ", \"backtrace\": [");
		bool first = true;
		for (unsigned i = 0; i < e->nframes; i++) {
			if (in_tracer((const char *)e->frames[i] - 1))
				continue;
			zct_out_str(o, first ? "" : ", ");
			zct_out_json_str(o, describe(e->frames[i], who, sizeof(who)));
			first = false;
		}
		zct_out_str(o, "]");
	}
	zct_out_str(o, "}");
}

static uint64_t stored(_Atomic uint64_t *claimed, uint64_t cap)
{
	uint64_t n = atomic_load(claimed);
	return n < cap ? n : cap;
}

static void write_events(struct zct_out *o, const char *name, const struct zct_event *arr,
			 uint64_t n, bool copy)
{
	zct_out_fmt(o, "  \"%s\": [", name);
	bool first = true;
	for (uint64_t i = 0; i < n; i++) {
		if (!atomic_load_explicit(&arr[i].ready, memory_order_acquire))
			continue; /* still being written by another thread at exit */
		zct_out_str(o, first ? "\n    " : ",\n    ");
		write_event(o, &arr[i], copy);
		first = false;
	}
	zct_out_str(o, first ? "],\n" : "\n  ],\n");
}

/* argv from /proc/self/cmdline, as a JSON array. */
static void write_argv(struct zct_out *o)
{
	static char cmd[8192];
	ssize_t n = 0;
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, cmd, sizeof(cmd) - 1);
		close(fd);
	}
	zct_out_str(o, "[");
	for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t)strlen(cmd + i) + 1) {
		cmd[n] = '\0';
		zct_out_str(o, i ? ", " : "");
		zct_out_json_str(o, cmd + i);
	}
	zct_out_str(o, "]");
}

static void write_process(struct zct_out *o)
{
	static char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	zct_out_fmt(o, "  \"process\": {\"pid\": %d, \"ppid\": %d, \"root_pid\": %d, \"exe\": ",
		    zct.pid, (int)getppid(), zct.root_pid);
	zct_out_json_str(o, exe);
	zct_out_str(o, ", \"argv\": ");
	write_argv(o);
	zct_out_fmt(o, ", \"min_bytes\": %llu, \"backtrace\": %s},\n",
		    (unsigned long long)zc__trace_min_bytes, zct.backtrace ? "true" : "false");
}

static void write_summary(struct zct_out *o)
{
	const struct zct_totals *t = &zct.totals;
	uint64_t nc = atomic_load(&t->ncopies), na = atomic_load(&t->nallocs);
	uint64_t nm = atomic_load(&t->nmarks);
	zct_out_fmt(o,
		    "  \"summary\": {\"large_copies\": %llu, \"large_copy_bytes\": %llu, "
		    "\"large_allocations\": %llu, \"large_allocation_bytes\": %llu, "
		    "\"realloc_moves\": %llu, \"dropped_copies\": %llu, "
		    "\"dropped_allocations\": %llu, \"dropped_marks\": %llu}\n",
		    (unsigned long long)atomic_load(&t->copies),
		    (unsigned long long)atomic_load(&t->copy_bytes),
		    (unsigned long long)atomic_load(&t->allocs),
		    (unsigned long long)atomic_load(&t->alloc_bytes),
		    (unsigned long long)atomic_load(&t->realloc_moves),
		    (unsigned long long)(nc > ZCT_MAX_COPIES ? nc - ZCT_MAX_COPIES : 0),
		    (unsigned long long)(na > ZCT_MAX_ALLOCS ? na - ZCT_MAX_ALLOCS : 0),
		    (unsigned long long)(nm > ZCT_MAX_MARKS ? nm - ZCT_MAX_MARKS : 0));
}

static void write_document(struct zct_out *o)
{
	zct_out_str(o, "{\n  \"schema\": \"" ZCT_SCHEMA "\",\n");
	write_process(o);
	write_events(o, "copies", zct.copies, stored(&zct.totals.ncopies, ZCT_MAX_COPIES), true);
	write_events(o, "allocations", zct.allocs, stored(&zct.totals.nallocs, ZCT_MAX_ALLOCS),
		     false);
	zct_write_probes(o);
	write_summary(o);
	zct_out_str(o, "}\n");
}

/* Temporary file beside the target, synced, renamed over it. Returns 0 or an errno. */
static int write_atomic(const char *path)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return errno;
	static struct zct_out o;
	zct_out_init(&o, fd);
	write_document(&o);
	int bad = zct_out_flush(&o) != 0 || fsync(fd) != 0;
	int saved = errno;
	bad |= fchmod(fd, 0644) != 0;
	bad |= close(fd) != 0;
	if (bad || rename(tmp, path) != 0) {
		saved = bad ? saved : errno;
		unlink(tmp);
		return saved ? saved : EIO;
	}
	return 0;
}

/* Copies grouped by function, caller and size, for the stderr lines. */
struct group {
	unsigned fn;
	size_t bytes;
	uint64_t count;
	char caller[160];
};

static size_t group_copies(struct group *g, size_t cap)
{
	size_t n = 0;
	uint64_t total = stored(&zct.totals.ncopies, ZCT_MAX_COPIES);
	for (uint64_t i = 0; i < total; i++) {
		const struct zct_event *e = &zct.copies[i];
		if (!atomic_load(&e->ready))
			continue;
		char who[160];
		zct_event_caller(e, who, sizeof(who));
		size_t k = 0;
		while (k < n && !(g[k].fn == e->fn && g[k].bytes == e->bytes &&
				  strcmp(g[k].caller, who) == 0))
			k++;
		if (k == n) {
			if (n == cap)
				continue;
			g[n] = (struct group){.fn = e->fn, .bytes = e->bytes};
			snprintf(g[n].caller, sizeof(g[n].caller), "%s", who);
			n++;
		}
		g[k].count++;
	}
	return n;
}

static void print_summary(int err)
{
	static struct zct_out o;
	static struct group groups[MAX_GROUPS];
	char a[32], b[32], c[32];
	zct_out_init(&o, zct.err_fd >= 0 ? zct.err_fd : STDERR_FILENO);
	uint64_t copies = atomic_load(&zct.totals.copies);
	uint64_t allocs = atomic_load(&zct.totals.allocs);
	zct_out_fmt(&o, "zctrace: %s [pid %d]: %llu cop%s of %s bytes, %llu allocation%s"
		    " (at least %s bytes each)",
		    program_invocation_short_name, zct.pid, (unsigned long long)copies,
		    copies == 1 ? "y" : "ies",
		    zct_thousands(atomic_load(&zct.totals.copy_bytes), a, sizeof(a)),
		    (unsigned long long)allocs, allocs == 1 ? "" : "s",
		    zct_thousands(zc__trace_min_bytes, b, sizeof(b)));
	if (err)
		zct_out_fmt(&o, "; cannot write '%s': %s\n", zct.out, strerror(err));
	else
		zct_out_fmt(&o, " -> %s\n", zct.out);
	size_t n = group_copies(groups, MAX_GROUPS);
	for (size_t i = 0; i < n && i < SUMMARY_LINES; i++)
		zct_out_fmt(&o, "zctrace:   %llu cop%s of %s bytes: %s from %s\n",
			    (unsigned long long)groups[i].count, groups[i].count == 1 ? "y" : "ies",
			    zct_thousands(groups[i].bytes, c, sizeof(c)), zct_fn_name(groups[i].fn),
			    groups[i].caller);
	if (n > SUMMARY_LINES)
		zct_out_fmt(&o, "zctrace:   ... and %zu more (see the JSON)\n", n - SUMMARY_LINES);
	zct_out_flush(&o);
}

void zct_report(void)
{
	if (atomic_exchange(&zct.written, true))
		return;
	zct_set_busy(true);
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	int err = write_atomic(zct.out);
	sigprocmask(SIG_SETMASK, &old, NULL);
	print_summary(err);
	zct_set_busy(false);
}
