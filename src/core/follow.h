/*
 * follow.h: the processes a measuring process starts are measured with it (issue: "the whole
 * life of a transfer"): a strategy that forks a helper, or starts a program with exec, counts
 * that process's copies as its own.
 */
#ifndef ZC_FOLLOW_H
#define ZC_FOLLOW_H

#include <stdbool.h>

#include "error.h"

/*
 * Called once by a measuring process while it has one thread (isolate.c, after the fork):
 * it counts in a group of its own (src/instrument/group.h), which the processes it forks
 * join; programs it starts with exec join it too, through the environment: ZCBENCH_COUNTS
 * names the group, and LD_PRELOAD loads build/lib/libzchooks.so (the same hooks) first.
 * Without that library (a sanitizer build, COUNTING=0, not built) exec'd programs are not
 * followed, and one line on stderr says so. Returns 0, or -1 with err when the group
 * cannot be made.
 */
int zc_follow_children(struct zc_error *err);

/*
 * How long a measurement waits, after the work it counts, for the threads and processes that
 * work started (a late worker, a helper process) to end before it reads the counts.
 */
#define ZC_FOLLOW_SETTLE_MS 2000

/*
 * The processes some work starts, followed: a mark before the work; after it, zc_follow_settle
 * waits for them and zc_follow_unhooked says whether one ran without the hooks (a static or
 * setuid program started with exec, an emptied environment). A process is the work's when it
 * joined the group since the mark, or is a child of this process the mark did not see; a
 * child not listed yet may be joining (a forked child lists itself once it runs).
 */
#define ZC_FOLLOW_CHILDREN 32
struct zc_follow_mark {
	unsigned joined;       /* the group's processes at the mark */
	long long reaped_work; /* what reaped children did: CPU time (us) plus faults */
	int nchildren;         /* children there at the mark (the first ZC_FOLLOW_CHILDREN) */
	int child[ZC_FOLLOW_CHILDREN];
};
void zc_follow_mark(struct zc_follow_mark *m);
/* Waits up to ZC_FOLLOW_SETTLE_MS for them to end; false when one still ran then. */
bool zc_follow_settle(const struct zc_follow_mark *m);
/* Whether one of them never joined the group (its copies were not counted). */
bool zc_follow_unhooked(const struct zc_follow_mark *m);

#endif
