/*
 * written.h: pages written anywhere in this process, whatever wrote them: a copy function, a
 * loop the compiler inlined, another thread, the kernel serving a read(). The evidence pass
 * (src/core/evidence.c) arms a watch before a transfer, counts after it, and takes the count.
 *
 * Arming watches every writable mapping the process then has (/proc/self/maps) with
 * userfaultfd async write-protection (uffd.h) and protects all of it. A mapping made after
 * the arming (a fresh frame from mmap, a grown heap) is not watched, but its pages hold data
 * only once written: a count takes those too (present pages that are not the zero page a
 * read maps). A mapping freed again before the count is seen by neither; its first touches
 * are minor faults, which the caller can read (written.c says why that bound holds). The
 * main thread's stack is not watched (the instrument's own calls write it), nor is a mapping
 * the kernel refuses or one over 4 GiB, a reservation rather than data (zc_written.refused;
 * past ZC_WRITTEN_MAX_REFUSED of them the arming fails, saying so).
 *
 * Every first write to a watched page faults (in the kernel, about a microsecond): never arm
 * around timed code. Per process: a fork child inherits nothing. Keep struct zc_written on
 * the stack: it is written while the watch is armed. Nothing here allocates through malloc,
 * and its reads do not reach the kernel-copy hooks: the instrument does not disturb the
 * others.
 */
#ifndef ZC_WRITTEN_H
#define ZC_WRITTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define ZC_WRITTEN_MAX_REFUSED 32

struct zc_written_range {
	unsigned long start, end;
};

/* Fields are the module's. */
struct zc_written {
	int uffd, pagemap;
	pid_t pid;
	char *maps;                      /* /proc/self/maps, in memory never watched */
	size_t maps_cap;
	struct zc_written_range refused[ZC_WRITTEN_MAX_REFUSED]; /* not watched (arming fails
								    past the last) */
	size_t nrefused;
};

/* What a count saw since the arming. */
struct zc_written_count {
	long watched;  /* watched pages written */
	long fresh;    /* pages holding data in memory mapped since the arming */
	long excluded; /* of both, pages in the range the caller excluded */
	long excluded_fresh; /* of those, pages of memory mapped since the arming */
	long matching_bytes; /* of both outside it, the bytes the caller's test found */
};

/*
 * How many bytes (0 to @len) of a written page the caller looks for: its content (@len bytes
 * at @page, perhaps a copy the instrument read) and its address in the process (@at).
 */
typedef size_t (*zc_written_test)(const unsigned char *page, size_t len, uintptr_t at,
				  void *arg);

/*
 * Opens the instrument; nothing is watched yet. Returns 0, or -1 with a one-line reason in
 * err (no userfaultfd async write-protection, no PAGEMAP_SCAN: Linux 6.7+).
 */
int zc_written_init(struct zc_written *w, struct zc_error *err);

/*
 * Watches every writable mapping of the process, those already watched included, and
 * protects them: from here no page counts as written. Returns 0, or -1 with a reason.
 */
int zc_written_arm(struct zc_written *w, struct zc_error *err);

/*
 * Counts the pages written since the arming (watched ones, and those of memory mapped since),
 * leaving the watch as it is: the pages in [exclude, exclude + exclude_len) apart, the
 * others through @test, whose bytes found add up (NULL: none). Returns 0, or -1 with a reason.
 */
int zc_written_count(struct zc_written *w, const void *exclude, size_t exclude_len,
		     zc_written_test test, void *arg, struct zc_written_count *out,
		     struct zc_error *err);

/*
 * The watched pages written since the last arming or taking, protected again as they are
 * counted. Memory unmapped since is skipped. Returns the count, or -1 with a reason.
 */
long zc_written_take(struct zc_written *w, struct zc_error *err);

/* Stops watching (every page unprotected) and frees the buffers. Safe after a failed init. */
void zc_written_release(struct zc_written *w);

#endif
