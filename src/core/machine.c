/*
 * machine.c: the load and steal time over a run, and whether they make a busy machine
 * (machine.h).
 */
#include "machine.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

void zc_machine_sample(struct zc_machine_sample *s)
{
	*s = (struct zc_machine_sample){.load = NAN};
	FILE *f = fopen("/proc/loadavg", "re");
	if (f) {
		if (fscanf(f, "%lf", &s->load) != 1)
			s->load = NAN;
		fclose(f);
	}
	f = fopen("/proc/stat", "re");
	if (!f)
		return;
	/* cpu user nice system idle iowait irq softirq steal (guest time is within user) */
	unsigned long long v[8];
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]) == 8) {
		for (int i = 0; i < 8; i++)
			s->total += v[i];
		s->steal = v[7];
	}
	fclose(f);
}

void zc_machine_between(const struct zc_machine_sample *a, const struct zc_machine_sample *b,
			long cpus, struct zc_machine *m)
{
	m->load_start = a->load;
	m->load_end = b->load;
	m->cpus = cpus;
	m->steal = NAN;
	if (a->total && b->total > a->total && b->steal >= a->steal)
		m->steal = (double)(b->steal - a->steal) / (double)(b->total - a->total);
}

/* The higher of the two load averages known, or NAN. */
static double load_high(const struct zc_machine *m)
{
	if (isnan(m->load_start))
		return m->load_end;
	if (isnan(m->load_end))
		return m->load_start;
	return fmax(m->load_start, m->load_end);
}

bool zc_machine_busy(const struct zc_machine *m)
{
	const double load = load_high(m);
	if (!isnan(load) && m->cpus > 0 &&
	    load > ZC_BUSY_OWN_LOAD + ZC_BUSY_LOAD_PER_CPU * (double)m->cpus)
		return true;
	return !isnan(m->steal) && m->steal > ZC_BUSY_STEAL;
}

void zc_machine_format(const struct zc_machine *m, char *buf, size_t len)
{
	assert(len > 0);
	size_t n = 0;
	const double lo = fmin(m->load_start, m->load_end), hi = load_high(m);
	if (isnan(hi))
		n = (size_t)snprintf(buf, len, "load unknown");
	else if (isnan(lo) || hi - lo < 0.05)
		n = (size_t)snprintf(buf, len, "load %.1f", hi);
	else
		n = (size_t)snprintf(buf, len, "load %.1f-%.1f", lo, hi);
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, " on %ld CPU%s", m->cpus,
				      m->cpus == 1 ? "" : "s");
	if (n < len && !isnan(m->steal))
		snprintf(buf + n, len - n, ", steal %.0f%%", m->steal * 100);
}

void zc_machine_warning(const struct zc_machine *m, char *buf, size_t len)
{
	char figures[128];
	zc_machine_format(m, figures, sizeof(figures));
	snprintf(buf, len, "machine busy: %s: timings vary; compare ratios in one run", figures);
}

bool zc_machine_test_override(struct zc_machine *m)
{
	const char *v = getenv("ZCBENCH_TEST_MACHINE");
	double a, b, s;
	if (!v || sscanf(v, "%lf,%lf,%lf", &a, &b, &s) != 3)
		return false;
	m->load_start = a;
	m->load_end = b;
	m->steal = s;
	return true;
}

unsigned long long zc_machine_address_limit_kib(void)
{
	struct rlimit lim;
	if (getrlimit(RLIMIT_AS, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY)
		return 0;
	return (unsigned long long)lim.rlim_cur / 1024;
}
