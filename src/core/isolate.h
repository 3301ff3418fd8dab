/*
 * isolate.h: measure a strategy in a child process of its own. glibc's malloc remembers what
 * happened before (its mmap threshold rises after the first large free, its heap grows and
 * shrinks), so a strategy measured after others inherits their history; a forked child
 * starts every strategy from the same state, whichever strategies ran before it.
 */
#ifndef ZC_ISOLATE_H
#define ZC_ISOLATE_H

#include <stddef.h>
#include <sys/types.h>

#include "options.h"
#include "results.h"
#include "scenario.h"

/*
 * Runs zc_measure_strategy in a forked child and copies its result into res. Returns 0, or
 * -1 with the reason in err, whose code is the exit status: the child's own code (enum
 * zc_exit), or for a child killed by a signal ZC_EXIT_RUNTIME (ZC_EXIT_SIGNAL for SIGINT and
 * SIGTERM).
 */
int zc_isolate_measure(const struct zc_scenario *sc, const struct zc_strategy *s,
		       const struct zc_options *opt, struct zc_result *res, struct zc_error *err);

/* The child being measured, or 0: a signal handler kills it before the parent goes. */
pid_t zc_isolate_child(void);
/*
 * For a scenario's own measure hook: forks a measuring process with a pipe to it (close on
 * exec). In the child, returns 0 with *fd the write end; in the parent, the child's pid with
 * *fd the read end, the child being zc_isolate_child() until zc_isolate_collect reaps it.
 * -1 with err when it cannot.
 */
pid_t zc_isolate_fork(int *fd, struct zc_error *err);
/*
 * Reads what the child sent until it closed the pipe (fd, closed here), then reaps it:
 * the message (malloc'd; NULL when none) and its length, the child's wait status.
 */
char *zc_isolate_collect(pid_t pid, int fd, size_t *len, int *status);

#endif
