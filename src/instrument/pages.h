/*
 * pages.h: which pages of a range were written, asked of the kernel's page tables, so the
 * answer holds whatever code wrote them: memcpy, a loop, a read() the kernel served, another
 * thread. A watch covers every page that overlaps [addr, addr + len).
 *
 * Two methods, the first that works wins:
 *   uffd-wp     userfaultfd write-protection in async mode (UFFD_FEATURE_WP_ASYNC and
 *               UFFD_FEATURE_WP_UNPOPULATED, Linux 6.7+) read back with the PAGEMAP_SCAN ioctl
 *               (PAGE_IS_WRITTEN). Per range; a query walks page tables, reads no file.
 *   soft-dirty  "4" into /proc/self/clear_refs, bit 55 of /proc/self/pagemap
 *               (CONFIG_MEM_SOFT_DIRTY). Used only when a probe shows the bit follows a write;
 *               a reset clears the bits of the whole process, every watch at once.
 * Neither needs the code under test to cooperate, but both make the first write to each armed
 * page fault (about one minor fault per page written, handled in the kernel): time transfers
 * in a run that does not watch, and count pages in one that does.
 *
 * A page populated after the watch was armed (first touch of fresh mmap memory) counts when it
 * is written, not when it is only read. Memory unmapped and mapped again in the range is no
 * longer watched: a query then fails with a reason. Watches are per process: a fork child
 * does not inherit them, and its queries of an inherited zc_pages fail.
 *
 * A failure records its reason in a struct zc_error: ZC_EXIT_RUNTIME when the kernel refuses,
 * ZC_EXIT_USAGE for an empty range or a watch used from another process.
 */
#ifndef ZC_PAGES_H
#define ZC_PAGES_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

enum zc_pages_method {
	ZC_PAGES_AUTO,        /* uffd-wp, else soft-dirty */
	ZC_PAGES_UFFD_WP,
	ZC_PAGES_SOFT_DIRTY,
};

/* A watched range. Fields are the module's; read them through the functions below. */
struct zc_pages {
	enum zc_pages_method method; /* the one in use: ZC_PAGES_UFFD_WP or ZC_PAGES_SOFT_DIRTY */
	int uffd;                    /* the userfaultfd (uffd-wp), else -1 */
	int pagemap;                 /* /proc/self/pagemap */
	pid_t pid;                   /* the process watched */
	unsigned long start, end;    /* page-aligned bounds of the watched pages */
	size_t npages;
};

/*
 * Whether method works in this process. Returns 0, or -1 with a one-line reason in err
 * ("userfaultfd: Operation not permitted", "soft-dirty: ..."). ZC_PAGES_AUTO: whether any
 * does; the reason then names why each failed. The soft-dirty probe resets the process's
 * soft-dirty bits.
 */
int zc_pages_probe(enum zc_pages_method method, struct zc_error *err);

/*
 * Watches the pages overlapping [addr, addr + len) (len > 0, mapped, writable) and arms
 * them: none counts as written yet. Returns 0, or -1 with a one-line reason in err (no method
 * works, or the range cannot be watched, e.g. already watched by another zc_pages). Allocates
 * no memory through malloc or mmap.
 */
int zc_pages_init(struct zc_pages *p, void *addr, size_t len, enum zc_pages_method method,
		  struct zc_error *err);

/* Stops watching; the memory and its contents stay as they are. Safe on a failed init. */
void zc_pages_release(struct zc_pages *p);

/* The number of pages watched: those overlapping the range given to zc_pages_init. */
size_t zc_pages_count(const struct zc_pages *p);

/* "uffd-wp" or "soft-dirty". */
const char *zc_pages_method_name(const struct zc_pages *p);

/*
 * Pages written since init or the last reset (0..zc_pages_count), leaving them as they are.
 * Returns -1 with a reason in err when the kernel refuses (the range was unmapped).
 */
long zc_pages_written(struct zc_pages *p, struct zc_error *err);

/* Re-arms every watched page. Returns 0, or -1 with a reason. */
int zc_pages_reset(struct zc_pages *p, struct zc_error *err);

/*
 * zc_pages_written and zc_pages_reset in one step. With uffd-wp the kernel re-protects each
 * page as it counts it, so a write racing the query is never lost; with soft-dirty a write
 * between the read and the reset is.
 */
long zc_pages_take(struct zc_pages *p, struct zc_error *err);

#endif
