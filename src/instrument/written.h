/*
 * written.h: pages written anywhere in this process, whatever wrote them: a copy function, a
 * loop the compiler inlined, another thread, the kernel serving a read(). The evidence pass
 * (src/core/evidence.c) arms a watch before a transfer, counts after it, and takes the count.
 *
 * Arming watches every writable mapping the process then has (/proc/self/maps) with
 * userfaultfd async write-protection (uffd.h) and protects all of it: the main thread's stack
 * (the instrument's own calls write a page or two of it: no frame bytes), and of a reserve
 * over 4 GiB (a runtime's heap) the parts that hold data, its other pages holding data only
 * once written, as those of a fresh mapping below. A mapping made after
 * the arming (a fresh frame from mmap, a grown heap) is not watched, but its pages hold data
 * only once written: a count takes those too (present pages that are not the zero page a
 * read maps). A mapping freed again before the count is seen by neither; its first touches
 * are minor faults, which the caller can read (written.c says why that bound holds).
 *
 * What the watch cannot cover is never silent: each writable mapping left unwatched is listed
 * with why (zc_written_unwatched_at), and an io_uring instance seen in the process is noted
 * (zc_written_saw_io_uring): the kernel's copies for it write no page this instrument sees.
 *
 * Every first write to a watched page faults (in the kernel, about a microsecond): never arm
 * around timed code. Per process: a fork child inherits nothing. The instrument keeps what it
 * changes while armed in memory of its own, never watched, so struct zc_written may live
 * anywhere. Nothing here allocates through malloc, and its reads do not reach the
 * kernel-copy hooks: the instrument does not disturb the others.
 */
#ifndef ZC_WRITTEN_H
#define ZC_WRITTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* Past this many unwatched mappings the arming fails, saying so. */
#define ZC_WRITTEN_MAX_UNWATCHED 32

/* Why a writable mapping is not watched. */
enum zc_written_why {
	ZC_WRITTEN_BUSY,      /* registered with another userfaultfd (EBUSY) */
	ZC_WRITTEN_REFUSED,   /* the kernel refused it otherwise (error) */
	ZC_WRITTEN_SCATTERED, /* a reserve over 4 GiB whose data lies in too many places to
				 watch them without markers over its empty stretches */
};

/* A writable mapping the watch does not cover. */
struct zc_written_unwatched {
	unsigned long start, end;
	enum zc_written_why why;
	int error;      /* the errno of the kernel's refusal; 0 when none was asked */
	char name[64];  /* as /proc/self/maps names it ("[heap]", a path); "" anonymous */
	long resident;  /* pages holding data (present, not the zero page) at the last count or
			   arming; -1 unknown */
	long populated; /* pages that came to hold data since it was first seen unwatched (a
			   lower bound of its pages written: a page written again is not seen) */
	long first_resident; /* resident when first seen unwatched; -1 unknown */
};

struct zc__written_state;

/* Fields are the module's. */
struct zc_written {
	int uffd, pagemap;
	pid_t pid;
	struct zc__written_state *state; /* in memory never watched */
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
 * protects them: from here no page counts as written. Those it cannot watch are listed
 * (zc_written_unwatched_at). Returns 0, or -1 with a reason.
 */
int zc_written_arm(struct zc_written *w, struct zc_error *err);

/*
 * Counts the pages written since the arming (watched ones, and those of memory mapped since),
 * leaving the watch as it is: the pages in [exclude, exclude + exclude_len) apart, the
 * others through @test, whose bytes found add up (NULL: none). Updates the unwatched
 * mappings' resident pages. Returns 0, or -1 with a reason.
 */
int zc_written_count(struct zc_written *w, const void *exclude, size_t exclude_len,
		     zc_written_test test, void *arg, struct zc_written_count *out,
		     struct zc_error *err);

/*
 * One writable mapping's pages written since the arming (watched ones written, or holding data
 * when mapped since), as a count walks it: @name is its path column of /proc/self/maps,
 * @name_len bytes, not NUL-terminated (0 when anonymous). Nonzero stops the count.
 */
typedef int (*zc_written_each_fn)(unsigned long start, unsigned long end, const char *name,
				  size_t name_len, long pages, void *arg);

/*
 * zc_written_count, telling @each (not NULL) every mapping's share on the way: one walk of the
 * process for all of them, where a count per mapping walks them all each time. A mapping left
 * unwatched has no share (0). Returns 0, or -1 with a reason.
 */
int zc_written_count_each(struct zc_written *w, const void *exclude, size_t exclude_len,
			  zc_written_each_fn each, void *each_arg, struct zc_written_count *out,
			  struct zc_error *err);

/*
 * The watched pages written since the last arming or taking, protected again as they are
 * counted. Memory unmapped since is skipped. Returns the count, or -1 with a reason.
 */
long zc_written_take(struct zc_written *w, struct zc_error *err);

/* The writable mappings the last arming left unwatched: how many, and the @i-th (< count). */
size_t zc_written_unwatched_count(const struct zc_written *w);
const struct zc_written_unwatched *zc_written_unwatched_at(const struct zc_written *w, size_t i);

/* Why @u is not watched, in words: "stack", "registered elsewhere (EBUSY)"... into buf. */
void zc_written_why_text(const struct zc_written_unwatched *u, char *buf, size_t len);

/* Whether an io_uring instance was open in the process at an arming or count since init. */
bool zc_written_saw_io_uring(const struct zc_written *w);

/* Stops watching (every page unprotected) and frees the buffers. Safe after a failed init. */
void zc_written_release(struct zc_written *w);

#endif
