/*
 * kernel.c: the kernel's copies as the recorder keeps them. Every read- or write-like system
 * call is added to its call site and kinds of descriptor: the one the bytes came from (a
 * move's source: sendfile(out, in) is labelled by in) and a move's destination. Reads into
 * the process's memory are also kept as ranges, a thread's consecutive reads into one buffer
 * being one range, so that a probe pair can name the kernel call that wrote its second mark's
 * bytes (probe.c, and the wrapper's pairs.c from the record). Nothing here allocates.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "out.h"
#include "trace.h"

/* Ranges smaller than this are kept while the process runs but not written to the record. */
#define KREAD_RECORD_MIN 4096

static const char *const fd_kind_names[ZCT_FD_KINDS] = {
	[ZCT_FD_PIPE] = "pipe", [ZCT_FD_SOCKET] = "socket", [ZCT_FD_FILE] = "file",
	[ZCT_FD_DEVICE] = "device", [ZCT_FD_OTHER] = "other", [ZCT_FD_PROCESS] = "process",
};

const char *zct_fd_kind_name(unsigned kind)
{
	return kind < ZCT_FD_KINDS ? fd_kind_names[kind] : "?";
}

const char *zct_kernel_op_name(unsigned op)
{
	static const char *const names[] = {[ZC_KERNEL_READ] = "read", [ZC_KERNEL_WRITE] = "write",
					    [ZC_KERNEL_MOVE] = "move",
					    [ZC_KERNEL_HANDOVER] = "handover"};
	return op < sizeof(names) / sizeof(names[0]) ? names[op] : "?";
}

/* What fd is, from fstat (a system call beside a kernel copy: cheap next to the copy). */
static enum zct_fd_kind fd_kind(int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return ZCT_FD_OTHER;
	if (S_ISFIFO(st.st_mode))
		return ZCT_FD_PIPE;
	if (S_ISSOCK(st.st_mode))
		return ZCT_FD_SOCKET;
	if (S_ISREG(st.st_mode))
		return ZCT_FD_FILE;
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		return ZCT_FD_DEVICE;
	return ZCT_FD_OTHER;
}

static struct zct_kernel_site *kernel_slot(uintptr_t key)
{
	long i = zct_claim_key(&zct.kernel_sites[0].key, sizeof(zct.kernel_sites[0]),
			       ZCT_MAX_KERNEL_SITES, key);
	return i < 0 ? NULL : &zct.kernel_sites[i];
}

static void site_add(uintptr_t key, enum zc_kernel_op op, const char *fn, size_t bytes)
{
	struct zct_kernel_site *s = kernel_slot(key);
	if (!s) {
		atomic_fetch_add_explicit(&zct.totals.dropped_site_calls, 1, memory_order_relaxed);
		return;
	}
	atomic_store_explicit(&s->fn, fn, memory_order_relaxed);
	atomic_store_explicit(&s->op, (uint8_t)op, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->bytes, bytes, memory_order_relaxed);
	uint64_t big = atomic_load_explicit(&s->largest, memory_order_relaxed);
	while (bytes > big && !atomic_compare_exchange_weak(&s->largest, &big, bytes))
		;
}

/* The range this thread read into last; NULL after a fork (the child's ranges start empty). */
static _Thread_local struct zct_kread *my_range __attribute__((tls_model("initial-exec")));

/* Whether a read at start extends r: same call, inside or right after it, no mark since. */
static bool extends(const struct zct_kread *r, enum zct_fd_kind kind, const char *fn,
		    const void *caller, uintptr_t start, uint64_t marks)
{
	return r && r->kind == kind && r->fn == fn && r->caller == caller && start >= r->start &&
	       start <= r->end && r->marks == marks;
}

/* The kernel wrote [p, p + n) of this process's memory: added to this thread's range. */
static void read_into(enum zct_fd_kind kind, const char *fn, const void *caller, const void *p,
		      size_t n, uint64_t seq, uint64_t ns)
{
	uintptr_t start = (uintptr_t)p;
	uint64_t marks = atomic_load_explicit(&zct.totals.nmarks, memory_order_relaxed);
	struct zct_kread *r = my_range;
	if (!n)
		return;
	if (!extends(r, kind, fn, caller, start, marks)) {
		uint64_t i = atomic_fetch_add_explicit(&zct.totals.nkreads, 1, memory_order_relaxed);
		if (i >= ZCT_MAX_KREADS) {
			my_range = NULL;
			return;
		}
		r = my_range = &zct.kreads[i];
		*r = (struct zct_kread){.kind = (uint8_t)kind, .tid = (int)syscall(SYS_gettid),
					.fn = fn, .caller = caller, .start = start, .end = start,
					.marks = marks, .first_seq = seq, .first_ns = ns};
	}
	r->end = start + n > r->end ? start + n : r->end;
	r->bytes += n;
	r->calls++;
	r->last_seq = seq;
	r->last_ns = ns;
	atomic_store_explicit(&r->ready, true, memory_order_release);
}

/* The user memory a read filled: its buffer, or its iovecs in order until bytes are placed. */
static void reads(enum zct_fd_kind kind, const char *fn, const void *caller,
		  const struct zc_kernel_mem *mem, size_t bytes)
{
	uint64_t seq = atomic_fetch_add_explicit(&zct.seq, 1, memory_order_relaxed);
	uint64_t ns = zct_now_ns();
	if (mem->buf) {
		read_into(kind, fn, caller, mem->buf, bytes, seq, ns);
		return;
	}
	for (size_t i = 0; mem->iov && i < mem->iovcnt && bytes; i++) {
		size_t n = mem->iov[i].iov_len < bytes ? mem->iov[i].iov_len : bytes;
		read_into(kind, fn, caller, mem->iov[i].iov_base, n, seq, ns);
		bytes -= n;
	}
}

/* A read- or write-like system call moved bytes: added to its site and kinds. */
void zc__trace_kernel(enum zc_kernel_op op, const char *fn, int fd, size_t bytes,
		      const struct zc_kernel_mem *mem, const void *caller)
{
	if (zct_busy())
		return;
	zct_set_busy(true);
	int saved = errno; /* the caller reads the system call's errno after us */
	enum zct_fd_kind kind = mem && mem->process ? ZCT_FD_PROCESS : fd_kind(fd);
	uintptr_t to = 0;
	if (op == ZC_KERNEL_MOVE && mem && mem->to_fd >= 0)
		to = (uintptr_t)fd_kind(mem->to_fd) + 1;
	atomic_fetch_add_explicit(&zct.totals.kernel_bytes[kind], bytes, memory_order_relaxed);
	site_add(((uintptr_t)caller & (((uintptr_t)1 << 48) - 1)) | to << 48 |
			 ((uintptr_t)(kind + 1) << 56),
		 op, fn, bytes);
	if (op == ZC_KERNEL_READ && mem)
		reads(kind, fn, caller, mem, bytes);
	errno = saved;
	zct_set_busy(false);
}

void zct_kernel_forget(void)
{
	memset(zct.kernel_sites, 0, sizeof(zct.kernel_sites));
	atomic_store(&zct.totals.nkreads, 0);
	my_range = NULL;
}

static void write_kread(struct zct_out *o, const struct zct_kread *r)
{
	char who[512];
	zct_out_str(o, "{\"address\": ");
	zct_out_json_ptr(o, (const void *)r->start);
	zct_out_fmt(o, ", \"bytes\": %llu, \"span\": %llu, \"calls\": %llu, \"function\": ",
		    (unsigned long long)r->bytes, (unsigned long long)(r->end - r->start),
		    (unsigned long long)r->calls);
	zct_out_json_str(o, r->fn);
	zct_out_fmt(o, ", \"descriptor\": \"%s\", \"caller\": ", zct_fd_kind_name(r->kind));
	zct_out_json_str(o, zct_caller_name(r->caller, who, sizeof(who)));
	zct_out_fmt(o, ", \"thread\": %d, \"first_seq\": %llu, \"last_seq\": %llu, "
		       "\"first_ns\": %llu, \"last_ns\": %llu}",
		    r->tid, (unsigned long long)r->first_seq, (unsigned long long)r->last_seq,
		    (unsigned long long)r->first_ns, (unsigned long long)r->last_ns);
}

void zct_write_kernel_reads(struct zct_out *o)
{
	uint64_t n = atomic_load(&zct.totals.nkreads);
	bool first = true;
	n = n < ZCT_MAX_KREADS ? n : ZCT_MAX_KREADS;
	zct_out_str(o, "  \"kernel_reads\": [");
	for (uint64_t i = 0; i < n; i++) {
		const struct zct_kread *r = &zct.kreads[i];
		if (!atomic_load_explicit(&r->ready, memory_order_acquire) ||
		    r->end - r->start < KREAD_RECORD_MIN)
			continue;
		zct_out_str(o, first ? "\n    " : ",\n    ");
		write_kread(o, r);
		first = false;
	}
	zct_out_str(o, first ? "],\n" : "\n  ],\n");
}
