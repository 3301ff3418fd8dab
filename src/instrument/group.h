/*
 * group.h: the counting group: memory a measuring process shares with the processes it
 * starts, so that their copies count as its own.
 *
 * A process counts into the group it was started in:
 *   - a forked child stays in its parent's group (the mapping is shared, inherited by fork)
 *     and counts in slots of its own;
 *   - a program started with exec counts into the group named by ZCBENCH_COUNTS
 *     (/proc/PID/fd/N, the group's memfd in the process that made it) when the counting
 *     hooks are loaded into it (libzchooks.so, preloaded: src/core/follow.h sets both);
 *   - a process that measures for itself (a measuring process, a consumer process that
 *     reports its own counts) starts a group of its own: zc_group_detach.
 * The group holds the counters' slots (instrument.c), the objects holding frame bytes
 * (provenance.c: a pipe written in one process and read in another is followed) and the
 * list of the processes that joined it (to wait for them: zc_group_processes_quiet).
 *
 * Memory of its own, made with raw calls (nothing here allocates or calls a hooked function:
 * it runs inside the hooks); the instrument of pages written leaves it out (written.c).
 */
#ifndef ZC_GROUP_H
#define ZC_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The environment variable an exec'd program finds its group in. */
#define ZC_GROUP_ENV "ZCBENCH_COUNTS"

/* Room for each user's part of the group; each user asserts its own fits. */
#define ZC_GROUP_COUNTS_BYTES (80u << 10)
#define ZC_GROUP_OBJECTS_BYTES (8u << 10)
/* Processes a group lists; those past it are counted but not waited for. */
#define ZC_GROUP_PROCESSES 256

enum zc_group_part { ZC_GROUP_COUNTS, ZC_GROUP_OBJECTS };

/* The part's memory in this process's group (made on first use); NULL when none could be. */
void *zc_group_part(enum zc_group_part part);

/*
 * Changes whenever this process moves to another group or becomes a forked child of its
 * group: what a thread keeps of the group (its counting slot) is stale once it differs.
 */
extern _Atomic unsigned zc__group_generation;

/* A group of this process's own, empty; its later children join it. 0, or -1 with errno. */
int zc_group_detach(void);

/* Joins the group ZCBENCH_COUNTS names, if any and it can be opened (the hooks' start). */
void zc_group_attach_from_env(void);

/* A forked child: listed in the group it shares with its parent (pthread_atfork). */
void zc_group_forked(void);

/* "/proc/PID/fd/N" naming this process's group, for ZCBENCH_COUNTS; false when none. */
bool zc_group_path(char *buf, size_t len);

/* Whether [p, p + len) overlaps the group's mapping (not the process's own memory). */
bool zc_group_contains(uintptr_t start, uintptr_t end);

/*
 * Whether pid joined the group, counting in it or apart (it moved to a group of its own):
 * the first ZC_GROUP_PROCESSES are listed.
 */
bool zc_group_lists(pid_t pid);

/* The processes that joined the group so far: a mark for zc_group_processes_quiet. */
unsigned zc_group_processes_mark(void);

/*
 * Waits up to ms milliseconds for the processes that joined since mark to end (a zombie has
 * ended); true when none runs any more. Also false when more processes joined than the
 * group lists (they could not be waited for).
 */
bool zc_group_processes_quiet(unsigned mark, int ms);

#endif
