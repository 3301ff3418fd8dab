/*
 * uffd.h: the kernel interface behind the pages-written instruments (pages.c, one range;
 * written.c, every writable mapping of the process): a userfaultfd in async write-protect
 * mode, ranges registered and protected on it, and PAGEMAP_SCAN to read back which pages
 * were written since they were last protected. Linux 6.7+; Debian 12's headers predate the
 * constants, so uffd.c defines them from the kernel's uapi.
 *
 * Internal to src/instrument. Everything fails with a one-line reason in a struct zc_error
 * (ZC_EXIT_RUNTIME: the kernel refused) and allocates nothing through malloc or mmap.
 */
#ifndef ZC_UFFD_H
#define ZC_UFFD_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* A userfaultfd with async write-protection (WP_ASYNC, WP_UNPOPULATED); -1 with a reason. */
int zc_uffd_open(struct zc_error *err);

/*
 * Registers [start, end) (page-aligned) for async write-protection and protects it. On a
 * refused registration errno says why (EBUSY: another userfaultfd has the range).
 */
int zc_uffd_watch(int uffd, unsigned long start, unsigned long end, struct zc_error *err);

/* Protects [start, end) again: none of its pages counts as written. */
int zc_uffd_protect(int uffd, unsigned long start, unsigned long end, struct zc_error *err);

/*
 * How a scan treats [start, end): strict fails when any of it is not watched (one watched
 * range that must still be there); otherwise memory that is not watched is skipped (every
 * mapping of a process, some of them unmapped or mapped anew since). rearm protects the
 * written pages again as they are counted, so no write racing the scan is lost.
 */
struct zc_uffd_scan {
	bool strict;
	bool rearm;
};

/*
 * Counts, in [start, end), the watched pages written since they were protected (*written)
 * and the watched pages (*watched), through /proc/self/pagemap opened as @pagemap.
 */
int zc_uffd_scan(int pagemap, unsigned long start, unsigned long end, struct zc_uffd_scan how,
		 size_t *written, size_t *watched, struct zc_error *err);

/* What a page is, for zc_uffd_walk. */
enum {
	ZC_UFFD_WATCHED = 1 << 0,   /* registered for async write-protection */
	ZC_UFFD_WRITTEN = 1 << 1,   /* not protected: written since (always so when not watched) */
	ZC_UFFD_PRESENT = 1 << 2,   /* has a page frame */
	ZC_UFFD_ZERO_PAGE = 1 << 3, /* ...which is the shared zero page a read maps */
};

/* Called for each run of pages [start, end) alike; nonzero stops the walk. */
typedef int (*zc_uffd_region)(unsigned long start, unsigned long end, unsigned kind, void *arg);

/*
 * Reports every run of pages in [start, end) that is mapped, with what the page tables say
 * of it (ZC_UFFD_*), changing nothing. Returns 0, or -1 with a reason.
 */
int zc_uffd_walk(int pagemap, unsigned long start, unsigned long end, zc_uffd_region fn,
		 void *arg, struct zc_error *err);

#endif
