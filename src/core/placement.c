/*
 * placement.c: --placement, pinning with sched_setaffinity, and the CPU idle setting.
 */
#include "placement.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quote.h"

static const char *const names[] = {
	[ZC_PLACEMENT_SAME] = "same", [ZC_PLACEMENT_CROSS] = "cross", [ZC_PLACEMENT_FREE] = "free"};

/* The placement of this measuring process and the CPUs it asked for (-1: none). */
static enum zc_placement current = ZC_PLACEMENT_NONE;
static int consumer_cpu_now = -1;

const char *zc_placement_name(enum zc_placement p)
{
	return p > ZC_PLACEMENT_NONE && p <= ZC_PLACEMENT_FREE ? names[p] : NULL;
}

/* The first two CPUs of the affinity mask into cpu[0], cpu[1]; returns how many it has. */
static int first_cpus(int cpu[2])
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return -1;
	int n = 0;
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &set))
			cpu[n++] = c;
	return CPU_COUNT(&set);
}

int zc_placement_cpus_allowed(void)
{
	int cpu[2];
	return first_cpus(cpu);
}

static enum zc_placement lookup(const char *word)
{
	for (int p = ZC_PLACEMENT_SAME; p <= ZC_PLACEMENT_FREE; p++)
		if (!strcmp(word, names[p]))
			return (enum zc_placement)p;
	return ZC_PLACEMENT_NONE;
}

int zc_placement_parse(const char *list, enum zc_placement out[ZC_PLACEMENTS_MAX], size_t *n,
		       struct zc_error *err)
{
	const bool given = list != NULL;
	const bool one_cpu = zc_placement_cpus_allowed() < 2;
	char *copy = strdup(given ? list : (one_cpu ? "same" : ZC_PLACEMENT_DEFAULT)), *save;
	if (!copy)
		return zc_error_set(err, ZC_EXIT_NOMEM, "out of memory");
	int rc = 0;
	*n = 0;
	for (char *w = strtok_r(copy, ",", &save); w && rc == 0; w = strtok_r(NULL, ",", &save)) {
		char q[96];
		enum zc_placement p = lookup(w);
		bool twice = false;
		for (size_t i = 0; i < *n; i++)
			twice |= out[i] == p;
		if (p == ZC_PLACEMENT_NONE)
			rc = zc_error_set(err, ZC_EXIT_USAGE, "unknown placement '%s' (valid: same "
					  "cross free)", zc_quote(w, q, sizeof(q)));
		else if (twice)
			rc = zc_error_set(err, ZC_EXIT_USAGE, "placement '%s' given twice", w);
		else if (p == ZC_PLACEMENT_CROSS && one_cpu)
			rc = zc_error_set(err, ZC_EXIT_USAGE, "placement 'cross' needs two CPUs: "
					  "this program may run on one only");
		else
			out[(*n)++] = p;
	}
	if (rc == 0 && *n == 0)
		rc = zc_error_set(err, ZC_EXIT_USAGE, "option '--placement' needs at least one "
				  "of same, cross, free");
	free(copy);
	return rc;
}

static int pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

int zc_placement_enter(enum zc_placement p, int *producer_cpu, int *consumer_cpu)
{
	int cpu[2];
	*producer_cpu = *consumer_cpu = -1;
	current = p;
	consumer_cpu_now = -1;
	if (p != ZC_PLACEMENT_SAME && p != ZC_PLACEMENT_CROSS)
		return 0;
	int n = first_cpus(cpu);
	if (n < 0)
		return -1;
	if (p == ZC_PLACEMENT_CROSS && n < 2) {
		errno = EINVAL;
		return -1;
	}
	*producer_cpu = cpu[0];
	*consumer_cpu = consumer_cpu_now = p == ZC_PLACEMENT_SAME ? cpu[0] : cpu[1];
	return pin(cpu[0]);
}

int zc_placement_enter_consumer(void)
{
	return consumer_cpu_now >= 0 ? pin(consumer_cpu_now) : 0;
}

uint64_t zc_placement_cpu_bit(void)
{
	int c = sched_getcpu();
	return c >= 0 && c < 64 ? (uint64_t)1 << c : 0;
}

/* The first line of a /sys file, without its newline, into buf; 0, or -1. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	int rc = fgets(buf, (int)len, f) ? 0 : -1;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return rc;
}

void zc_placement_cpu_idle(char *buf, size_t len)
{
	char driver[64], poll[32];
	bool has_driver = read_line("/sys/devices/system/cpu/cpuidle/current_driver", driver,
				    sizeof(driver)) == 0;
	bool has_poll = read_line("/sys/module/haltpoll/parameters/guest_halt_poll_ns", poll,
				  sizeof(poll)) == 0;
	if (!has_driver && !has_poll)
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%s%s%s%s%s", has_driver ? "cpuidle " : "",
			 has_driver ? driver : "", has_driver && has_poll ? ", " : "",
			 has_poll ? "guest_halt_poll_ns " : "", has_poll ? poll : "");
}
