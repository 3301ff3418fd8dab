/*
 * handover_checks.h: checks shared by the thread and process tests on rows measured at each
 * placement (STRATEGY@PLACEMENT): where they ran, their hand-over reference, their latency.
 */
#ifndef ZT_HANDOVER_CHECKS_H
#define ZT_HANDOVER_CHECKS_H

#include <jansson.h>
#include <stddef.h>

#define ZT_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/*
 * For rows measured at each placement (STRATEGY@PLACEMENT): each of @strategies (which start
 * with "reference_handover") ran where its placement says (pinned sides saw exactly the CPU
 * they were pinned to, sched_getcpu on both sides: same one CPU, cross two, free unpinned);
 * its latency came from every measuring process (one median a process, the pooled p50
 * between the smallest and the largest); reference_handover is there at each placement with
 * vs_handover 1, and every other row's vs_handover is its median over the reference's.
 */
void zt_check_placed_rows(json_t *doc, const char *const *strategies, size_t n);

#endif
