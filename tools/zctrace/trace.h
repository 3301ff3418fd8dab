/*
 * trace.h: the inside of libzctrace.so, the copy and allocation tracer loaded with LD_PRELOAD.
 *
 * The interposers are src/instrument/hooks/counting_hooks.c; record.c defines the sink they
 * report to (hooks/hook_sink.h) and keeps every call at or above the threshold in a fixed
 * array (no allocation, no lock: a slot is claimed with one atomic add). At exit, report.c turns the
 * arrays into JSON (schema zctrace/1) and a short summary on stderr; probe.c keeps the marks
 * of the probe API (include/zc_probe.h) and pairs them.
 */
#ifndef ZC_TRACE_H
#define ZC_TRACE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hooks/hook_sink.h"

#define ZCT_SCHEMA "zctrace/1"
#define ZCT_MAX_COPIES 8192
#define ZCT_MAX_ALLOCS 8192
#define ZCT_MAX_MARKS 1024
#define ZCT_MAX_FRAMES 16
#define ZCT_TAG_MAX 48
#define ZCT_DEFAULT_MIN_BYTES (1024u * 1024u)

/* One recorded call: a copy (dst, src) or an allocation (dst only). */
struct zct_event {
	_Atomic bool ready;      /* set last: the reporter skips slots still being written */
	uint8_t fn;              /* enum zc_hook_fn */
	uint8_t nframes;
	int tid;
	uint64_t seq;            /* order among all events and marks of this process */
	const void *dst, *src;
	size_t bytes;
	const void *caller;      /* the return address into the code that called the hook */
	void *frames[ZCT_MAX_FRAMES];
};

/* One zc_probe_mark call. */
struct zct_mark {
	_Atomic bool ready;
	int tid;
	uint64_t seq;
	char tag[ZCT_TAG_MAX];
	const void *p;
	size_t bytes;
	uint64_t fingerprint;    /* zc_frame_checksum of the bytes at mark time */
	_Atomic uint64_t released_seq; /* when the marked bytes' block was first given back
					  after the mark (free, realloc, munmap); 0: never */
	const char *_Atomic released_by; /* "free", "realloc", "munmap" */
	long pages;              /* --pages: pages written since the start, at the mark; -1 */
};

/*
 * One call site: every copy-function call from one return address, of any size, summed. A
 * row copied line by line is 1,080 calls of 7,680 bytes here, one site of a frame's bytes.
 */
#define ZCT_MAX_SITES 4096      /* a power of two: open addressing */
#define ZCT_SITE_BUCKETS 48     /* size histogram: bucket k holds sizes below 2^k */
struct zct_site {
	_Atomic uintptr_t key;   /* the caller's address; 0: free */
	_Atomic uint8_t fn;
	_Atomic uint64_t count, bytes, largest;
	_Atomic uint64_t histogram[ZCT_SITE_BUCKETS];
};

/*
 * A thread's pending counts for the call site it copied from last, added to the site when the
 * thread copies from another one, and by the reporter at exit: a thread that copies in a
 * loop from one place pays plain stores, not atomic adds. Written by its thread only.
 */
#define ZCT_SITE_CACHES 256
struct zct_site_cache {
	_Atomic uintptr_t caller;  /* the site's key; 0: none */
	struct zct_site *site;
	_Atomic uint64_t count, bytes, largest;
	_Atomic uint64_t histogram[ZCT_SITE_BUCKETS];
};

/* The kernel's copies, per call site and kind of descriptor (a site per pair). */
enum zct_fd_kind { ZCT_FD_PIPE, ZCT_FD_SOCKET, ZCT_FD_FILE, ZCT_FD_DEVICE, ZCT_FD_OTHER,
		   ZCT_FD_PROCESS, ZCT_FD_KINDS };
#define ZCT_MAX_KERNEL_SITES 1024 /* a power of two */
struct zct_kernel_site {
	_Atomic uintptr_t key;   /* the caller's address with the kind in its top byte; 0: free */
	const char *_Atomic fn;  /* "read", "sendfile"...: a string of the hooks' */
	_Atomic uint8_t op;      /* enum zc_kernel_op */
	_Atomic uint64_t count, bytes, largest;
};

struct zct_totals {
	_Atomic uint64_t copies, copy_bytes, allocs, alloc_bytes, realloc_moves;
	_Atomic uint64_t ncopies, nallocs, nmarks; /* slots claimed; beyond the array = dropped */
	_Atomic uint64_t dropped_site_calls;       /* copies whose site found no free slot */
	_Atomic uint64_t kernel_bytes[ZCT_FD_KINDS]; /* read, written or moved, per kind */
};

struct zct_state {
	struct zct_event copies[ZCT_MAX_COPIES];
	struct zct_event allocs[ZCT_MAX_ALLOCS];
	struct zct_mark marks[ZCT_MAX_MARKS];
	struct zct_site sites[ZCT_MAX_SITES];
	struct zct_kernel_site kernel_sites[ZCT_MAX_KERNEL_SITES];
	struct zct_site_cache caches[ZCT_SITE_CACHES];
	_Atomic uint64_t ncaches;  /* caches claimed by threads (beyond the array: none) */
	struct zct_totals totals;
	_Atomic uint64_t seq;
	bool backtrace;
	int pid, root_pid;
	int err_fd;              /* a duplicate of stderr taken at start, or -1 */
	char out[4096];          /* where this process writes its record */
	_Atomic bool written;
};

extern struct zct_state zct;

/* The sink's members (record.c, probe.c): see struct zc_hook_sink. */
extern size_t zc__trace_min_bytes; /* calls below this many bytes are not recorded */
void zc__trace_alloc(enum zc_hook_fn fn, const void *p, size_t bytes, const void *caller);
void zc__trace_copy(enum zc_hook_fn fn, void *dst, const void *src, size_t bytes,
		    const void *caller);
void zc__trace_site(enum zc_hook_fn fn, size_t bytes, const void *caller);
void zc__trace_realloc_move(const void *old, const void *p, size_t old_bytes, size_t new_bytes,
			    bool remapped, const void *caller);
void zc__trace_kernel(enum zc_kernel_op op, const char *fn, int fd, size_t bytes,
		      const void *caller);
void zc__trace_release(const char *how, const void *p, size_t bytes);

/* True while this thread runs tracer code: hooks called from it record nothing. */
bool zct_busy(void);
void zct_set_busy(bool busy);

/* Adds every thread's pending call-site counts to the sites (the reporter, at exit). */
void zct_flush_site_caches(void);

/* Writes the record and the stderr summary once (at exit, or in _exit). */
void zct_report(void);

/* --pages (pages.c): start watching, forget in a fork child, count so far (-1: not watched),
 * and the "pages_written" member. */
void zct_pages_start(void);
void zct_pages_forget(void);
long zct_pages_now(void);
struct zct_out;
void zct_write_pages(struct zct_out *o);

/* Pairs the marks and writes the "probes" member; defined in probe.c. */
struct zct_out;
void zct_write_probes(struct zct_out *o);

/*
 * The name of the call site that made an event (callsite.h): the first backtrace frame outside
 * the tracer and outside a program's own interposers, else its return address. buf gets it.
 */
const char *zct_event_caller(const struct zct_event *e, char *buf, size_t len);

/* "pipe", "socket", "file", "device", "other", "process" (process_vm_*: another's memory). */
const char *zct_fd_kind_name(unsigned kind);
/* "read", "write", "move", "handover". */
const char *zct_kernel_op_name(unsigned op);
/* A kernel site's kind, from its key. */
static inline unsigned zct_kernel_site_kind(uintptr_t key)
{
	return (unsigned)(key >> 56) - 1;
}

#endif
