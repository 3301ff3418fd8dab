/*
 * process_strategies.h: the strategies of the process scenario (a producer process hands
 * frames to a forked consumer process).
 */
#ifndef ZC_PROCESS_STRATEGIES_H
#define ZC_PROCESS_STRATEGIES_H

#include <stddef.h>

#include "results.h"
#include "strategy.h"

/* The strategies in the order they are reported. */
const struct zc_strategy *const *zc_process_strategies(size_t *n);

/* Adds "consumer_memory" (rss_kib, pss_kib) and, for cow, "cow" to res->extra. */
void zc_process_annotate(const struct zc_strategy *s, void *state, struct zc_result *res);

#endif
