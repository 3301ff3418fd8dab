/*
 * managed_strategies.h: the strategies of the managed scenario: frames handed to a garbage-collected
 * runtime (the simulated heap of heap.h) by copying them into its heap or by wrapping them as
 * external objects with finalizers.
 *
 * The consumer behaves like a UI: it keeps the last `keep` frames reachable (the one on screen
 * and the one before it) and drops older ones, and the rest of the app allocates
 * `app_bytes_per_frame` of short-lived objects per frame. Both make the collector's figures
 * deterministic: at every collection exactly the kept frames survive, and the app's own
 * allocations cause the "unrelated" collections that free unsized external objects.
 */
#ifndef ZC_MANAGED_H
#define ZC_MANAGED_H

#include <stddef.h>

#include "results.h"
#include "scenario.h"
#include "strategy.h"

#define ZC_MANAGED_KEEP_DEFAULT 2u
#define ZC_MANAGED_KEEP_MAX 16u
#define ZC_MANAGED_APP_BYTES_DEFAULT (1u << 20)

/* The boundary's descriptor: its strategies and its options (--young-gen, --app-alloc, --keep). */
extern const struct zc_scenario zc_managed_scenario;

#endif
