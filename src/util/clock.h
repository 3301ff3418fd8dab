/*
 * clock.h: CLOCK_MONOTONIC in nanoseconds, the one clock both sides of a hand-over read
 * (it is the same in every process of the machine).
 */
#ifndef ZC_CLOCK_H
#define ZC_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t zc_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
