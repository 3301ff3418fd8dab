/*
 * memstat.c: VmRSS/VmHWM from /proc/self/status, Pss from /proc/self/smaps_rollup, faults
 * from getrusage(RUSAGE_SELF), and the peak reset through /proc/self/clear_refs.
 *
 * Test hook, read from the environment: ZCBENCH_REFUSE_PEAK_RESET=1 makes the peak reset fail
 * as a kernel without it (before 4.0) or one that forbids clear_refs would.
 */
#include "memstat.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Reads "Key:   123 kB" from a /proc file; -1 when absent. */
static int64_t proc_kib(const char *path, const char *key)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	char line[256];
	size_t klen = strlen(key);
	int64_t v = -1;
	while (fgets(line, sizeof(line), f)) {
		long long x;
		if (strncmp(line, key, klen) == 0 && line[klen] == ':' &&
		    sscanf(line + klen + 1, "%lld", &x) == 1) {
			v = x;
			break;
		}
	}
	fclose(f);
	return v;
}

void zc_memstat_read(struct zc_memstat *m)
{
	m->rss_kib = proc_kib("/proc/self/status", "VmRSS");
	m->rss_peak_kib = proc_kib("/proc/self/status", "VmHWM");
	m->pss_kib = proc_kib("/proc/self/smaps_rollup", "Pss");
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		m->minor_faults = ru.ru_minflt;
		m->major_faults = ru.ru_majflt;
	} else {
		m->minor_faults = m->major_faults = -1;
	}
}

int zc_memstat_reset_peak(void)
{
	/* The test hook: a kernel that refuses the reset, so the fallback can be tested. */
	const char *refuse = getenv("ZCBENCH_REFUSE_PEAK_RESET");
	if (refuse && *refuse && strcmp(refuse, "0") != 0)
		return -1;
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, "5", 1); /* 5: reset the peak RSS (Linux 4.0+) */
	close(fd);
	return n == 1 ? 0 : -1;
}
