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
#include "strategy.h"

#define ZC_MANAGED_KEEP_DEFAULT 2u
#define ZC_MANAGED_KEEP_MAX 16u
#define ZC_MANAGED_APP_BYTES_DEFAULT (1u << 20)

/* In the units of the managed options (main.c), which write into it. */
struct zc_managed_config {
	unsigned long young_gen_mib; /* young generation; 0: ZC_HEAP_YOUNG_DEFAULT (16 MiB) */
	unsigned long app_alloc_kib; /* short-lived allocations of the rest of the app per frame */
	unsigned long keep;          /* frames the consumer keeps reachable, 1..ZC_MANAGED_KEEP_MAX */
};

/*
 * Makes every strategy set up from now on read *cfg, which must outlive them: the options
 * are parsed into it after this call, before any strategy is set up.
 */
void zc_managed_configure(const struct zc_managed_config *cfg);
/* The configuration in use (defaults until zc_managed_configure). */
const struct zc_managed_config *zc_managed_config(void);

/* The strategies in the order they are reported. */
const struct zc_strategy *const *zc_managed_strategies(size_t *n);


#endif
