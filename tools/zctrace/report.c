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

#include "callsite.h"
#include "coverage.h"
#include "out.h"
#include "trace.h"

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
		if (strcmp(info.dli_sname, zc__hook_fn_name(fn)) == 0)
			return true;
	return false;
}

/* A call site's name in the record (callsite.h): the wrapper names it after the exit. */
static const char *describe(const void *addr, char *buf, size_t len)
{
	return zct_callsite_name(addr, buf, len);
}

/* The return address an event is attributed to: with --backtrace, the first frame outside
 * the tracer and outside a program's own interposers. */
static const void *event_site(const struct zct_event *e)
{
	for (unsigned i = 0; i < e->nframes; i++) {
		const char *at = (const char *)e->frames[i] - 1;
		if (!in_tracer(at) && !in_interposer(at))
			return e->frames[i];
	}
	return e->caller;
}

const char *zct_event_caller(const struct zct_event *e, char *buf, size_t len)
{
	return describe(event_site(e), buf, len);
}

const char *zct_caller_name(const void *addr, char *buf, size_t len)
{
	return describe(addr, buf, len);
}

static void write_event(struct zct_out *o, const struct zct_event *e, bool copy)
{
	char who[512];
	zct_out_fmt(o, "{\"seq\": %llu, \"function\": ", (unsigned long long)e->seq);
	zct_out_json_str(o, zc__hook_fn_name(e->fn));
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
	zct_write_callsite(o, event_site(e));
	zct_out_str(o, ", \"caller_address\": ");
	zct_out_json_ptr(o, e->caller);
	zct_out_fmt(o, ", \"thread\": %d, \"time_ns\": %llu", e->tid, (unsigned long long)e->ns);
	if (e->nframes) {
		zct_out_str(o, ", \"backtrace\": [");
		bool first = true;
		for (unsigned i = 0; i < e->nframes; i++) {
			if (in_tracer((const char *)e->frames[i] - 1))
				continue;
			zct_out_str(o, first ? "" : ", ");
			zct_out_json_str(o, zct_callsite_exported_name(e->frames[i], who,
									sizeof(who)));
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
	zct_out_fmt(o, "  \"process\": {\"pid\": %d, \"ppid\": %d, \"root_pid\": %d, \"run\": ",
		    zct.pid, (int)getppid(), zct.root_pid);
	zct_out_json_str(o, zct.run);
	zct_out_str(o, ", \"exe\": ");
	zct_out_json_str(o, exe);
	zct_out_str(o, ", \"argv\": ");
	write_argv(o);
	zct_out_fmt(o, ", \"min_bytes\": %llu, \"backtrace\": %s},\n",
		    (unsigned long long)zc__trace_min_bytes, zct.backtrace ? "true" : "false");
}

/* The call sites in use, largest total first. */
static size_t sorted_sites(const struct zct_site **out)
{
	size_t n = 0;
	for (size_t i = 0; i < ZCT_MAX_SITES; i++)
		if (atomic_load(&zct.sites[i].key) && atomic_load(&zct.sites[i].count))
			out[n++] = &zct.sites[i];
	for (size_t i = 1; i < n; i++) /* insertion sort: no allocation at exit */
		for (size_t j = i; j > 0 && atomic_load(&out[j]->bytes) > atomic_load(&out[j - 1]->bytes);
		     j--) {
			const struct zct_site *t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

/*
 * The size of a large block allocated in the run that total is a whole multiple of (the
 * largest such), or 0: a site that copied a frame in pieces adds up to the frame's block.
 */
static size_t allocated_multiple(uint64_t total)
{
	size_t best = 0;
	uint64_t n = stored(&zct.totals.nallocs, ZCT_MAX_ALLOCS);
	for (uint64_t i = 0; i < n; i++) {
		size_t b = zct.allocs[i].bytes;
		if (atomic_load(&zct.allocs[i].ready) && b > best && total >= b && total % b == 0)
			best = b;
	}
	return best;
}

static const struct zct_site *sites_by_bytes[ZCT_MAX_SITES];

/* The call sites the summary lists, which its headline counts (compose_lines). */
static struct {
	uint64_t sites, calls, bytes;
} listed;

static void write_site(struct zct_out *o, const struct zct_site *s)
{
	char who[512];
	const void *caller = (const void *)atomic_load(&s->key);
	uint64_t bytes = atomic_load(&s->bytes);
	zct_out_str(o, "{\"function\": ");
	zct_out_json_str(o, zc__hook_fn_name(atomic_load(&s->fn)));
	zct_out_str(o, ", \"caller\": ");
	zct_out_json_str(o, describe(caller, who, sizeof(who)));
	zct_write_callsite(o, caller);
	zct_out_str(o, ", \"caller_address\": ");
	zct_out_json_ptr(o, caller);
	zct_out_fmt(o, ", \"count\": %llu, \"bytes\": %llu, \"largest\": %llu, \"histogram\": [",
		    (unsigned long long)atomic_load(&s->count), (unsigned long long)bytes,
		    (unsigned long long)atomic_load(&s->largest));
	bool first = true;
	for (unsigned k = 0; k < ZCT_SITE_BUCKETS; k++) {
		uint64_t c = atomic_load(&s->histogram[k]);
		if (!c)
			continue;
		zct_out_fmt(o, "%s{\"below\": %llu, \"count\": %llu}", first ? "" : ", ",
			    (unsigned long long)1 << k, (unsigned long long)c);
		first = false;
	}
	size_t block = allocated_multiple(bytes);
	if (block)
		zct_out_fmt(o, "], \"multiple_of_allocation\": {\"bytes\": %llu, \"times\": %llu}}",
			    (unsigned long long)block, (unsigned long long)(bytes / block));
	else
		zct_out_str(o, "], \"multiple_of_allocation\": null}");
}

/* Every call site of the copy functions, any size, by total bytes. */
static void write_sites(struct zct_out *o)
{
	size_t n = sorted_sites(sites_by_bytes);
	zct_out_str(o, "  \"call_sites\": [");
	for (size_t i = 0; i < n; i++) {
		zct_out_str(o, i ? ",\n    " : "\n    ");
		write_site(o, sites_by_bytes[i]);
	}
	zct_out_str(o, n ? "\n  ],\n" : "],\n");
}

/* The kernel sites in use, most bytes first. */
static const struct zct_kernel_site *kernel_by_bytes[ZCT_MAX_KERNEL_SITES];

static size_t sorted_kernel_sites(void)
{
	size_t n = 0;
	for (size_t i = 0; i < ZCT_MAX_KERNEL_SITES; i++)
		if (atomic_load(&zct.kernel_sites[i].key) && atomic_load(&zct.kernel_sites[i].count))
			kernel_by_bytes[n++] = &zct.kernel_sites[i];
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && atomic_load(&kernel_by_bytes[j]->bytes) >
						atomic_load(&kernel_by_bytes[j - 1]->bytes);
		     j--) {
			const struct zct_kernel_site *t = kernel_by_bytes[j];
			kernel_by_bytes[j] = kernel_by_bytes[j - 1];
			kernel_by_bytes[j - 1] = t;
		}
	return n;
}

static const void *kernel_caller(const struct zct_kernel_site *k)
{
	return (const void *)(atomic_load(&k->key) & (((uintptr_t)1 << 48) - 1));
}

/* The kernel's copies, apart from the user-space ones: call site, descriptor kind, bytes. */
static void write_kernel_sites(struct zct_out *o)
{
	char who[512];
	size_t n = sorted_kernel_sites();
	zct_out_str(o, "  \"kernel_copies\": [");
	for (size_t i = 0; i < n; i++) {
		const struct zct_kernel_site *k = kernel_by_bytes[i];
		zct_out_str(o, i ? ",\n    {\"function\": " : "\n    {\"function\": ");
		zct_out_json_str(o, atomic_load(&k->fn));
		uintptr_t key = atomic_load(&k->key);
		zct_out_fmt(o, ", \"direction\": \"%s\", \"descriptor\": \"%s\", \"to\": ",
			    zct_kernel_op_name(atomic_load(&k->op)),
			    zct_fd_kind_name(zct_kernel_site_kind(key)));
		if (zct_kernel_site_to_kind(key) < ZCT_FD_KINDS)
			zct_out_fmt(o, "\"%s\"", zct_fd_kind_name(zct_kernel_site_to_kind(key)));
		else
			zct_out_str(o, "null");
		zct_out_str(o, ", \"caller\": ");
		zct_out_json_str(o, describe(kernel_caller(k), who, sizeof(who)));
		zct_write_callsite(o, kernel_caller(k));
		zct_out_fmt(o, ", \"count\": %llu, \"bytes\": %llu, \"largest\": %llu}",
			    (unsigned long long)atomic_load(&k->count),
			    (unsigned long long)atomic_load(&k->bytes),
			    (unsigned long long)atomic_load(&k->largest));
	}
	zct_out_str(o, n ? "\n  ],\n" : "],\n");
}

/*
 * The bytes the kernel read and wrote for the process (/proc/self/io's rchar and wchar) that
 * no hook attributed: system calls made inside libc (stdio's fread and fwrite), raw
 * syscall(), the tracer's own reads. sendfile and splice count twice there, once here: an
 * estimate, never below 0.
 */
static struct {
	uint64_t rchar, wchar, unattributed;
	bool known;
} io;

static uint64_t io_field(const char *text, const char *name)
{
	const char *at = strstr(text, name);
	return at ? strtoull(at + strlen(name), NULL, 10) : 0;
}

static void read_io(void)
{
	char text[512];
	ssize_t n = -1;
	int fd = open("/proc/self/io", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
	}
	io.known = n > 0;
	if (!io.known)
		return;
	text[n] = '\0';
	io.rchar = io_field(text, "rchar: ");
	io.wchar = io_field(text, "wchar: ");
	uint64_t hooked = 0;
	for (unsigned k = 0; k < ZCT_FD_KINDS; k++)
		if (k != ZCT_FD_PROCESS) /* process_vm_readv is not in rchar */
			hooked += atomic_load(&zct.totals.kernel_bytes[k]);
	io.unattributed = io.rchar + io.wchar > hooked ? io.rchar + io.wchar - hooked : 0;
}

static void write_summary(struct zct_out *o)
{
	const struct zct_totals *t = &zct.totals;
	uint64_t nc = atomic_load(&t->ncopies), na = atomic_load(&t->nallocs);
	uint64_t nm = atomic_load(&t->nmarks), nk = atomic_load(&t->nkreads);
	zct_out_fmt(o,
		    "  \"summary\": {\"large_copies\": %llu, \"large_copy_bytes\": %llu, "
		    "\"large_allocations\": %llu, \"large_allocation_bytes\": %llu, "
		    "\"realloc_moves\": %llu, \"dropped_copies\": %llu, "
		    "\"dropped_allocations\": %llu, \"dropped_marks\": %llu, "
		    "\"dropped_site_calls\": %llu, \"dropped_kernel_reads\": %llu, "
		    "\"site_copies\": {\"sites\": %llu, \"calls\": %llu, \"bytes\": %llu}, "
		    "\"kernel_bytes\": {",
		    (unsigned long long)atomic_load(&t->copies),
		    (unsigned long long)atomic_load(&t->copy_bytes),
		    (unsigned long long)atomic_load(&t->allocs),
		    (unsigned long long)atomic_load(&t->alloc_bytes),
		    (unsigned long long)atomic_load(&t->realloc_moves),
		    (unsigned long long)(nc > ZCT_MAX_COPIES ? nc - ZCT_MAX_COPIES : 0),
		    (unsigned long long)(na > ZCT_MAX_ALLOCS ? na - ZCT_MAX_ALLOCS : 0),
		    (unsigned long long)(nm > ZCT_MAX_MARKS ? nm - ZCT_MAX_MARKS : 0),
		    (unsigned long long)atomic_load(&t->dropped_site_calls),
		    (unsigned long long)(nk > ZCT_MAX_KREADS ? nk - ZCT_MAX_KREADS : 0),
		    (unsigned long long)listed.sites, (unsigned long long)listed.calls,
		    (unsigned long long)listed.bytes);
	for (unsigned k = 0; k < ZCT_FD_KINDS; k++)
		zct_out_fmt(o, "%s\"%s\": %llu", k ? ", " : "", zct_fd_kind_name(k),
			    (unsigned long long)atomic_load(&zct.totals.kernel_bytes[k]));
	zct_out_str(o, "}");
	if (io.known)
		zct_out_fmt(o, ", \"io\": {\"rchar\": %llu, \"wchar\": %llu, "
			       "\"unattributed_kernel_bytes\": %llu}",
			    (unsigned long long)io.rchar, (unsigned long long)io.wchar,
			    (unsigned long long)io.unattributed);
	zct_out_str(o, "}\n");
}

static void write_summary_lines(struct zct_out *o);

static void write_document(struct zct_out *o)
{
	zct_out_str(o, "{\n  \"schema\": \"" ZCT_SCHEMA "\",\n");
	write_process(o);
	write_events(o, "copies", zct.copies, stored(&zct.totals.ncopies, ZCT_MAX_COPIES), true);
	write_events(o, "allocations", zct.allocs, stored(&zct.totals.nallocs, ZCT_MAX_ALLOCS),
		     false);
	write_sites(o);
	write_kernel_sites(o);
	zct_write_kernel_reads(o);
	zct_write_mapped_files(o);
	write_summary_lines(o);
	zct_write_pages(o);
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

/* The kernel's copies that add up to the threshold, apart from the user-space ones. */
static void kernel_lines(struct zct_out *o)
{
	char who[160], b[32];
	size_t n = sorted_kernel_sites(), shown = 0;
	for (size_t i = 0; i < n && shown < SUMMARY_LINES; i++) {
		const struct zct_kernel_site *k = kernel_by_bytes[i];
		uint64_t bytes = atomic_load(&k->bytes), count = atomic_load(&k->count);
		if (bytes < zc__trace_min_bytes)
			break;
		unsigned op = atomic_load(&k->op);
		uintptr_t key = atomic_load(&k->key);
		char to[32] = "";
		if (zct_kernel_site_to_kind(key) < ZCT_FD_KINDS)
			snprintf(to, sizeof(to), " to a %s",
				 zct_fd_kind_name(zct_kernel_site_to_kind(key)));
		zct_out_fmt(o, "kernel: %s bytes %s a %s%s in %llu call%s: %s from %s\n",
			    zct_thousands(bytes, b, sizeof(b)),
			    op == ZC_KERNEL_READ ? "read from" : op == ZC_KERNEL_WRITE ? "written to"
			    : op == ZC_KERNEL_MOVE ? "moved from" : "handed over to",
			    zct_fd_kind_name(zct_kernel_site_kind(key)), to,
			    (unsigned long long)count, count == 1 ? "" : "s", atomic_load(&k->fn),
			    describe(kernel_caller(k), who, sizeof(who)));
		shown++;
	}
}

/*
 * The summary's lines under its first: the call sites and the kernel's copies that add up to
 * the threshold. Composed once before the record is written, which keeps them
 * ("summary_lines") for the wrapper's summary of a process tree; the headline counts the
 * call sites they list (listed, "summary.site_copies"), those past the shown lines included.
 */
static struct zct_out lines;

static void compose_lines(void)
{
	zct_out_init(&lines, -1); /* memory only: a few lines */
	struct zct_out *o = &lines;
	char c[32];
	/* the call sites whose copies add up to the threshold, however small each one */
	size_t n = sorted_sites(sites_by_bytes), shown = 0;
	uint64_t more_bytes = 0;
	listed.sites = listed.calls = listed.bytes = 0;
	for (size_t i = 0; i < n; i++) {
		const struct zct_site *s = sites_by_bytes[i];
		uint64_t count = atomic_load(&s->count), bytes = atomic_load(&s->bytes);
		char who[160], d[32];
		if (bytes < zc__trace_min_bytes)
			break;
		listed.sites++;
		listed.calls += count;
		listed.bytes += bytes;
		if (listed.sites > SUMMARY_LINES) {
			more_bytes += bytes;
			continue;
		}
		shown++;
		size_t block = allocated_multiple(bytes);
		zct_out_fmt(o, "%s cop%s of %s bytes", zct_thousands(count, d, sizeof(d)),
			    count == 1 ? "y" : "ies", zct_thousands(bytes, c, sizeof(c)));
		if (count > 1)
			zct_out_fmt(o, " in all (largest %s)",
				    zct_thousands(atomic_load(&s->largest), d, sizeof(d)));
		zct_out_fmt(o, ": %s from %s", zc__hook_fn_name(atomic_load(&s->fn)),
			    describe((const void *)atomic_load(&s->key), who, sizeof(who)));
		if (block && count > 1)
			zct_out_fmt(o, ", %llu x a block of %s bytes allocated in the run",
				    (unsigned long long)(bytes / block),
				    zct_thousands(block, d, sizeof(d)));
		zct_out_str(o, "\n");
	}
	if (listed.sites > shown)
		zct_out_fmt(o, "... and %llu more call sites, %s bytes (see the JSON)\n",
			    (unsigned long long)(listed.sites - shown),
			    zct_thousands(more_bytes, c, sizeof(c)));
	kernel_lines(o);
	if (io.known && io.unattributed >= zc__trace_min_bytes)
		zct_out_fmt(o, "kernel: %s bytes read or written that no hook attributed (stdio's "
			       "fread/fwrite, syscall(): /proc/%d/io)\n",
			    zct_thousands(io.unattributed, c, sizeof(c)), zct.pid);
	zct_mapped_files_lines(o);
	long pages = zct_pages_at_exit();
	if (pages >= 0)
		zct_out_fmt(o, "pages: %s written and still mapped at exit (between probe marks: "
			       "\"pages_written_between\")\n", zct_thousands((uint64_t)pages, c, sizeof(c)));
}

/* The composed lines as a JSON array of strings. */
static void write_summary_lines(struct zct_out *o)
{
	char line[1100];
	zct_out_str(o, "  \"summary_lines\": [");
	size_t start = 0, k = 0;
	for (size_t i = 0; i < lines.len; i++) {
		if (lines.buf[i] != '\n')
			continue;
		size_t n = i - start < sizeof(line) - 1 ? i - start : sizeof(line) - 1;
		memcpy(line, lines.buf + start, n);
		line[n] = '\0';
		zct_out_str(o, k++ ? ", " : "");
		zct_out_json_str(o, line);
		start = i + 1;
	}
	zct_out_str(o, "],\n");
}

static void print_summary(int err)
{
	static struct zct_out o;
	char a[32], b[32];
	zct_out_init(&o, zct.err_fd >= 0 ? zct.err_fd : STDERR_FILENO);
	uint64_t allocs = atomic_load(&zct.totals.allocs);
	zct_out_fmt(&o, "zctrace: %s [pid %d]: " ZCT_HEADLINE, program_invocation_short_name,
		    zct.pid, zct_thousands(listed.bytes, a, sizeof(a)),
		    (unsigned long long)listed.sites, listed.sites == 1 ? "" : "s",
		    (unsigned long long)allocs, allocs == 1 ? "" : "s",
		    zct_thousands(zc__trace_min_bytes, b, sizeof(b)));
	if (err)
		zct_out_fmt(&o, "; cannot write '%s': %s\n", zct.out, strerror(err));
	else
		zct_out_fmt(&o, " -> %s\n", zct.out);
	for (size_t i = 0, start = 0; i < lines.len; i++)
		if (lines.buf[i] == '\n') {
			zct_out_fmt(&o, "zctrace:   %.*s\n", (int)(i - start), lines.buf + start);
			start = i + 1;
		}
	zct_out_str(&o, "zctrace:   " ZCT_NOT_SEEN "\n");
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
	zct_flush_site_caches();
	zct_pages_snapshot();
	read_io();
	compose_lines();
	int err = write_atomic(zct.out);
	sigprocmask(SIG_SETMASK, &old, NULL);
	/* under the wrapper, which prints one summary for the whole process tree */
	const char *quiet = getenv("ZCTRACE_QUIET");
	if (err || !quiet || strcmp(quiet, "1") != 0)
		print_summary(err);
	zct_set_busy(false);
}
