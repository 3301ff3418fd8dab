/*
 * memstat.h: what the process holds in memory and how often it faulted, from /proc and
 * getrusage. RSS counts shared pages in every process that maps them; PSS divides them.
 */
#ifndef ZC_MEMSTAT_H
#define ZC_MEMSTAT_H

#include <stdint.h>

struct zc_memstat {
	int64_t rss_kib;       /* VmRSS */
	int64_t rss_peak_kib;  /* VmHWM */
	int64_t pss_kib;       /* Pss from /proc/self/smaps_rollup; -1 when unreadable */
	int64_t minor_faults;  /* since the process started */
	int64_t major_faults;
};

/* Reads the current figures; fields it cannot read are -1. */
void zc_memstat_read(struct zc_memstat *m);

/*
 * Resets the peak (VmHWM) to the current RSS. Returns 0, or -1 when the kernel refuses (or
 * ZCBENCH_REFUSE_PEAK_RESET=1 says to, for tests).
 */
int zc_memstat_reset_peak(void);

#endif
