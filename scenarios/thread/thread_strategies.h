/*
 * thread.h: the strategies of the thread scenario: a producer thread posts frames to a
 * consumer thread through a port (port.h), like a worker calling Dart_PostCObject.
 */
#ifndef ZC_THREAD_H
#define ZC_THREAD_H

#include <stddef.h>

#include "results.h"
#include "strategy.h"

/* The strategies in the order they are reported. */
const struct zc_strategy *const *zc_thread_strategies(size_t *n);

/* Adds "latency_ns" (hand-over, post to receipt: median, p99, count) to res->extra. */
void zc_thread_annotate(const struct zc_strategy *s, void *state, struct zc_result *res);

#endif
