/*
 * placement.h: where the two sides of a hand-over run. On a VM a hand-over's cost is mostly
 * the wake-up of a halted vCPU (a condvar round trip took 4.5-6.7 us on one vCPU and ~63 us
 * across two on the 2-vCPU machine this was written on), so the CPUs are a dimension of every
 * thread and process measurement, not noise:
 *   same   producer and consumer pinned to one CPU
 *   cross  pinned to two different CPUs
 *   free   left to the scheduler
 * The CPUs are the first two of the program's affinity mask (taskset narrows them).
 */
#ifndef ZC_PLACEMENT_H
#define ZC_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum zc_placement {
	ZC_PLACEMENT_NONE, /* a row with one side only (reference_memcpy): not placed */
	ZC_PLACEMENT_SAME,
	ZC_PLACEMENT_CROSS,
	ZC_PLACEMENT_FREE,
};
#define ZC_PLACEMENTS_MAX 3

/* --placement's value when none is given; on a machine with one CPU, "same". */
#define ZC_PLACEMENT_DEFAULT "same,cross"

/* "same", "cross", "free"; NULL for ZC_PLACEMENT_NONE. */
const char *zc_placement_name(enum zc_placement p);

/*
 * Reads --placement's list (NULL: the default) into out[0..*n), in the order given, each
 * once. "cross" is refused when the program may run on one CPU only. 0, or -1 with err
 * (ZC_EXIT_USAGE).
 */
int zc_placement_parse(const char *list, enum zc_placement out[ZC_PLACEMENTS_MAX], size_t *n,
		       struct zc_error *err);

/* The CPUs the program may run on (its affinity mask), or -1. */
int zc_placement_cpus_allowed(void);

/*
 * In a measuring process, before anything is set up: pins the calling thread (and so every
 * thread and process it starts) to the producer's CPU of p, and remembers p for
 * zc_placement_enter_consumer. The CPUs asked for go to *producer_cpu and *consumer_cpu
 * (-1: not pinned). 0, or -1 with errno.
 */
int zc_placement_enter(enum zc_placement p, int *producer_cpu, int *consumer_cpu);

/*
 * In a consumer thread or process started after zc_placement_enter: pins the calling thread
 * to the consumer's CPU (cross: the other one; same: the producer's; free: nothing).
 * 0, or -1 with errno.
 */
int zc_placement_enter_consumer(void);

/* The CPU the calling thread runs on now, as a bit (1 << cpu); 0 when unknown or >= 64. */
uint64_t zc_placement_cpu_bit(void);

/*
 * What /sys says about how an idle CPU waits, which sets a wake-up's cost:
 * "cpuidle haltpoll, guest_halt_poll_ns 0"; "unknown" when /sys says nothing.
 */
void zc_placement_cpu_idle(char *buf, size_t len);

#endif
