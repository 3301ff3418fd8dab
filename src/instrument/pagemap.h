/*
 * pagemap.h: physical identity. Do two address ranges, in this process or in two, map the
 * same physical page frames? Same frames is the strongest proof of sharing across address
 * spaces, where addresses differ even when the bytes are one.
 *
 * Frame numbers come from /proc/PID/pagemap (bits 0-54 when bit 63, present, is set). The
 * kernel hides them (reads them as 0) without CAP_SYS_ADMIN: the functions then fail with
 * the reason, never answer 0. Reading another process's pagemap needs the right to ptrace it.
 * Not every shared frame is evidence of sharing; /proc/kpageflags tells them apart:
 *   - the zero page (what a read of never-written anonymous memory maps): never counted;
 *   - anonymous frames (a fork child's inherited memory) and KSM-merged ones are shared
 *     copy-on-write: the first write splits them, so they count as same_cow, not same.
 * A private mapping of a file or memfd maps the file's frames until it writes a page: those
 * count as same, the written ones not.
 *
 * Frames are read from the page tables: a page the process never touched has none. Compare
 * after both sides touched the bytes (a consumer that read the frame has mapped it). The
 * reads go through the kernel's file read path: they add to /proc/PID/io rchar.
 *
 * A failure records its reason in a struct zc_error: ZC_EXIT_RUNTIME when the kernel refuses,
 * ZC_EXIT_USAGE for arguments that do not fit the contract.
 */
#ifndef ZC_PAGEMAP_H
#define ZC_PAGEMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* The outcome of comparing range a with range b, page i with page i. */
struct zc_pagemap_match {
	size_t pages;    /* pages overlapping range a (and b, when both start at the same offset) */
	size_t present;  /* pages with a frame on both sides */
	size_t same;     /* of those, pages on the same shared frame (memfd, shm, file) */
	size_t same_cow; /* pages on the same frame only until written (anonymous, KSM) */
	double fraction; /* same / pages: 1.0 shared, 0.0 copied (or never touched) */
};

/*
 * Whether frame numbers can be read here. Returns 0, or -1 with a one-line reason in err
 * ("pagemap: page frame numbers read as 0 (needs CAP_SYS_ADMIN)").
 */
int zc_pagemap_probe(struct zc_error *err);

/*
 * The frame of each page overlapping [addr, addr + len) in process pid (0: this process)
 * into pfns[0..n), 0 for a page that is not present; n must be the number of those pages.
 * Returns the number of pages present, or -1 with a reason.
 */
long zc_pagemap_frames(pid_t pid, const void *addr, size_t len, uint64_t *pfns, size_t n,
		       struct zc_error *err);

/*
 * A range's physical identity in a few numbers, to compare later with another process's
 * (which may be gone by then): the same hash over the same number of pages, all present and
 * none unproven, is the same frames.
 */
struct zc_pagemap_digest {
	size_t pages;    /* pages overlapping the range */
	size_t present;  /* pages with a frame */
	size_t unproven; /* of those, on a frame that proves nothing shared: the zero page, KSM */
	uint64_t hash;   /* FNV-1a over each page's frame number (0: not present), in order, and
			    the range's offset within its first page */
};

/*
 * The digest of [addr, addr + len) in process pid (0: this process) into out. Returns 0, or
 * -1 with a reason (frame numbers hidden, no such process).
 */
int zc_pagemap_digest(pid_t pid, const void *addr, size_t len, struct zc_pagemap_digest *out,
		      struct zc_error *err);

/*
 * Compares [a, a + len) in process pid_a with [b, b + len) in process pid_b (0: this
 * process), page by page, into out. Ranges that start at different offsets within their
 * pages cannot share frames byte for byte: same is then 0. Returns 0, or -1 with a reason
 * (frame numbers hidden, no such process, no permission).
 */
int zc_pagemap_compare(pid_t pid_a, const void *a, pid_t pid_b, const void *b, size_t len,
		       struct zc_pagemap_match *out, struct zc_error *err);

#endif
