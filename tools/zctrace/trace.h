/*
 * trace.h: the inside of libzctrace.so, the copy and allocation tracer loaded with LD_PRELOAD.
 *
 * The interposers are src/instrument/hooks/counting_hooks.c; record.c defines the sink they
 * report to (hooks/hook_sink.h) and keeps every call at or above the threshold in a fixed
 * array (no allocation, no lock: a slot is claimed with one atomic add); kernel.c keeps the
 * kernel's copies. At exit, report.c turns the arrays into JSON (schema zctrace/1) and a short
 * summary on stderr; probe.c keeps the marks of the probe API (include/zc_probe.h) and pairs
 * them.
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
	uint64_t ns;             /* CLOCK_MONOTONIC: order across the processes of a run */
	const void *dst, *src;
	size_t bytes;
	const void *caller;      /* the return address into the code that called the hook */
	void *frames[ZCT_MAX_FRAMES];
};

/*
 * The physical pages under a marked range when it was marked (/proc/self/pagemap, as root):
 * two marks in two processes on the same frames share the bytes (src/instrument/pagemap.h).
 */
struct zct_frames {
	bool known;              /* false: pagemap unreadable here (zct_frames_unavailable says why) */
	size_t pages, present;   /* pages overlapping the range; those with a frame */
	size_t unproven;         /* on frames that prove nothing: the zero page, KSM */
	uint64_t hash;           /* of the frame numbers, in order */
};

/*
 * --pages: bytes of an earlier mark (or this one) that the search by content (content.c)
 * found at a mark in the pages written since the watch began, in one mapping.
 */
#define ZCT_MAPPING_MAX 64
#define ZCT_MAX_FOUND 8
struct zct_found {
	uint32_t of;             /* the index of the mark whose bytes they are */
	uint64_t bytes;
	char mapping[ZCT_MAPPING_MAX]; /* as /proc/self/maps names it; "[anonymous]" */
};
enum zct_content { ZCT_CONTENT_NONE, ZCT_CONTENT_WHOLE, ZCT_CONTENT_PART, ZCT_CONTENT_FAILED };

/* One zc_probe_mark call. */
struct zct_mark {
	_Atomic bool ready;
	int tid;
	uint64_t seq;
	uint64_t ns;             /* CLOCK_MONOTONIC: pairs marks across processes */
	char tag[ZCT_TAG_MAX];
	const void *p;
	size_t bytes;
	uint64_t fingerprint;    /* zc_frame_checksum of the bytes at mark time */
	_Atomic uint64_t released_seq; /* when the marked bytes' block was first given back
					  after the mark (free, realloc, munmap); 0: never */
	const char *_Atomic released_by; /* "free", "realloc", "munmap" */
	long pages;              /* --pages: pages written since the start, at the mark; -1 */
	struct zct_frames frames;
	uint8_t content;         /* enum zct_content: how this mark's search went */
	uint8_t nfound;
	struct zct_found found[ZCT_MAX_FOUND];
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
	_Atomic uint64_t used;     /* bit k: histogram[k] may be non-zero */
	_Atomic uint64_t histogram[ZCT_SITE_BUCKETS];
};

/*
 * The kernel's copies, per call site and kinds of descriptor (a site per triple): the
 * descriptor the bytes came from or went to, and a move's destination (sendfile's out).
 */
enum zct_fd_kind { ZCT_FD_PIPE, ZCT_FD_SOCKET, ZCT_FD_FILE, ZCT_FD_DEVICE, ZCT_FD_OTHER,
		   ZCT_FD_PROCESS, ZCT_FD_KINDS };
#define ZCT_MAX_KERNEL_SITES 1024 /* a power of two */
struct zct_kernel_site {
	_Atomic uintptr_t key;   /* the caller's address, the kind + 1 in its top byte and a
				    move's destination kind + 1 in the next (0: none); 0: free */
	const char *_Atomic fn;  /* "read", "sendfile"...: a string of the hooks' */
	_Atomic uint8_t op;      /* enum zc_kernel_op */
	_Atomic uint64_t count, bytes, largest;
};

/*
 * The kernel's reads into this process's memory, as ranges: a thread's consecutive reads into
 * one buffer (a frame read from a pipe 64 KiB at a time) are one range, never across a probe
 * mark (a buffer read again after it was marked starts a new range). A probe pair looks here
 * for the kernel call that wrote its second mark's bytes. Written by its thread only.
 */
#define ZCT_MAX_KREADS 4096
struct zct_kread {
	_Atomic bool ready;
	uint8_t kind;            /* enum zct_fd_kind of the descriptor read from */
	int tid;
	const char *fn;          /* "read", "recvmsg"...: a string of the hooks' */
	const void *caller;
	uintptr_t start, end;    /* the bytes written: [start, end) */
	uint64_t marks;          /* the process's marks when the range began */
	uint64_t bytes, calls;
	uint64_t first_seq, last_seq, first_ns, last_ns;
};

struct zct_totals {
	_Atomic uint64_t copies, copy_bytes, allocs, alloc_bytes, realloc_moves;
	_Atomic uint64_t ncopies, nallocs, nmarks; /* slots claimed; beyond the array = dropped */
	_Atomic uint64_t dropped_site_calls;       /* copies whose site found no free slot */
	_Atomic uint64_t nkreads;                  /* kernel read ranges claimed */
	_Atomic uint64_t kernel_bytes[ZCT_FD_KINDS]; /* read, written or moved, per kind */
};

struct zct_state {
	struct zct_event copies[ZCT_MAX_COPIES];
	struct zct_event allocs[ZCT_MAX_ALLOCS];
	struct zct_mark marks[ZCT_MAX_MARKS];
	struct zct_site sites[ZCT_MAX_SITES];
	struct zct_kernel_site kernel_sites[ZCT_MAX_KERNEL_SITES];
	struct zct_kread kreads[ZCT_MAX_KREADS];
	struct zct_site_cache caches[ZCT_SITE_CACHES];
	_Atomic uint64_t ncaches;  /* caches claimed by threads (beyond the array: none) */
	struct zct_totals totals;
	_Atomic uint64_t seq;
	bool backtrace;
	int pid, root_pid;
	int err_fd;              /* a duplicate of stderr taken at start, or -1 */
	char out[4096];          /* where this process writes its record */
	char run[40];            /* the run's id (ZCTRACE_RUN): every record of a run holds it */
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
		      const struct zc_kernel_mem *mem, const void *caller);
void zc__trace_release(const char *how, const void *p, size_t bytes);
/* mapped.c: files the program mapped with mmap, listed (input read in place, not copied). */
void zc__trace_mapped_file(int fd, const void *p, size_t len, int prot, const void *caller);
struct zct_out;
void zct_write_mapped_files(struct zct_out *o);
void zct_mapped_files_lines(struct zct_out *o);

/* CLOCK_MONOTONIC in nanoseconds: one clock for every process of a run. */
uint64_t zct_now_ns(void);

/*
 * The index of key in a table of cap slots (a power of two) whose keys are stride bytes
 * apart from keys[0], claimed when new; -1 when the table is full (record.c).
 */
long zct_claim_key(_Atomic uintptr_t *keys, size_t stride, size_t cap, uintptr_t key);

/* Forgets the kernel's sites and reads (a fork child's record starts empty). */
void zct_kernel_forget(void);

/* True while this thread runs tracer code: hooks called from it record nothing. */
bool zct_busy(void);
void zct_set_busy(bool busy);

/* Adds every thread's pending call-site counts to the sites (the reporter, at exit). */
void zct_flush_site_caches(void);

/* Writes the record and the stderr summary once (at exit, or in _exit). */
void zct_report(void);

/* Where process pid of this run writes its record: OUT for the root, else out.h's name. */
void zct_record_path(int pid, char *buf, size_t len);

/*
 * --pages (pages.c): start watching, forget in a fork child, count so far (-1: not watched);
 * at exit, one snapshot (the total and each mapping's share) that the summary's line and the
 * "pages_written" member both print; the snapshot's total (-1: not watched).
 */
void zct_pages_start(void);
void zct_pages_forget(void);
long zct_pages_now(void);
void zct_pages_snapshot(void);
long zct_pages_at_exit(void);
struct zct_out;
void zct_write_pages(struct zct_out *o);
/* Passes every page written since the start (content.c's table apart) to test; 0 or -1. */
int zct_pages_scan(size_t (*test)(const unsigned char *, size_t, uintptr_t, void *), void *arg);
/* /proc/self/maps into buf (NUL-terminated, without malloc); its length. */
size_t zct_read_maps(char *buf, size_t len);

/*
 * Copies found by content (content.c): the table mapped before the watch is armed (0, or -1),
 * its range (left out of every count), the search at mark m (the index-th mark), and what
 * became of it in words.
 */
int zct_content_init(void);
void zct_content_range(const void **p, size_t *len);
struct zct_mark;
void zct_content_mark(uint32_t index, struct zct_mark *m);
const char *zct_content_state(const struct zct_mark *m);

/* The kernel's reads into memory as ranges: the "kernel_reads" member (kernel.c). */
void zct_write_kernel_reads(struct zct_out *o);

/*
 * The physical frames under [p, p + n) into f, as root; f->known false otherwise, and
 * zct_frames_unavailable() says why (probe.c).
 */
void zct_frames_of(const void *p, size_t n, struct zct_frames *f);
const char *zct_frames_unavailable(void);

/* Pairs the marks and writes the "probes" member; defined in probe.c. */
struct zct_out;
void zct_write_probes(struct zct_out *o);

/*
 * The name of the call site that made an event (callsite.h): the first backtrace frame outside
 * the tracer and outside a program's own interposers, else its return address. buf gets it.
 */
const char *zct_event_caller(const struct zct_event *e, char *buf, size_t len);
/* The same for a bare return address (a kernel site's, a read range's). */
const char *zct_caller_name(const void *addr, char *buf, size_t len);

/* "pipe", "socket", "file", "device", "other", "process" (process_vm_*: another's memory). */
const char *zct_fd_kind_name(unsigned kind);
/* "read", "write", "move", "handover". */
const char *zct_kernel_op_name(unsigned op);
/* A kernel site's kind, from its key. */
static inline unsigned zct_kernel_site_kind(uintptr_t key)
{
	return (unsigned)(key >> 56) - 1;
}
/* A kernel site's destination kind (a move's), from its key; ZCT_FD_KINDS: none. */
static inline unsigned zct_kernel_site_to_kind(uintptr_t key)
{
	unsigned k = (unsigned)(key >> 48) & 0xff;
	return k ? k - 1 : ZCT_FD_KINDS;
}

#endif
