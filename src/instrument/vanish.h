/*
 * vanish.h: memory that goes before anyone looked is read first. In the evidence pass
 * (src/core/evidence.c), a copy of the frame made into memory that is then freed, unmapped,
 * discarded (madvise) or wiped (a memset of at least ZC_VANISH_MIN_BYTES) would leave no
 * page holding the frame's bytes when the pages written are counted: while a watch is on,
 * the hooks (counting_sink.c) hand such memory here before it goes, and the caller's test
 * counts the frame bytes it still holds.
 *
 * A freed block usually stays mapped (the allocator keeps it): its pages are still counted
 * afterwards, so the ranges read at a free are remembered and zc_vanish_seen tells the
 * pages count to skip them. What cannot be read: memory a system call made inside libc or
 * a raw syscall() discards, and a wipe by a loop or an inlined memset.
 *
 * Nothing here allocates; the watch is process-wide (every thread's frees count).
 */
#ifndef ZC_VANISH_H
#define ZC_VANISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Memory going away smaller than this is not read (a small block holds no frame). */
#define ZC_VANISH_MIN_BYTES 1024u
/* Freed ranges remembered per watch, for the pages count to skip. */
#define ZC_VANISH_RANGES 64

/* The frame bytes the @len bytes at @p hold, for the watch's caller. */
typedef size_t (*zc_vanish_test)(const unsigned char *p, size_t len, void *arg);

/*
 * Starts a watch: memory going away is read with test(arg) (which may keep its own account,
 * by frame: it runs on whichever thread frees, so it must be thread-safe), and the ranges of
 * freed blocks it found frame bytes in are remembered.
 */
void zc_vanish_watch(zc_vanish_test test, void *arg);

/* From now on [p, p + len) is not read (the producer's own frame: production, not a copy). */
void zc_vanish_exclude(const void *p, size_t len);

/* Stops the watch: the bytes the test returned for memory that went since it started. */
uint64_t zc_vanish_stop(void);

/* Whether [p, p + len) overlaps a range read at a free during the last watch. */
bool zc_vanish_seen(const void *p, size_t len);

/* Forgets the ranges of the last watch (the next arming). */
void zc_vanish_clear(void);

/* From the hooks' sink: [p, p + len) is about to go (how: free, munmap, madvise, memset). */
void zc__vanish_check(const char *how, const void *p, size_t len);

#endif
