/*
 * machine.h: how busy the machine was while a scenario measured: the load average at its
 * start and end, the share of CPU time the hypervisor stole over the run (/proc/stat), the
 * CPUs online, and whether that makes a busy machine. The thresholds are the named constants
 * below, the one place they are written: the console table, results/summary.txt and the
 * report read the decision (context.machine_busy), never the figures against thresholds of
 * their own.
 */
#ifndef ZC_MACHINE_H
#define ZC_MACHINE_H

#include <stdbool.h>
#include <stddef.h>

/* Load the run itself adds: its measuring thread keeps a CPU busy. */
#define ZC_BUSY_OWN_LOAD 1.0
/* Above the run's own load, other work of more than this per CPU makes a busy machine. */
#define ZC_BUSY_LOAD_PER_CPU 0.5
/* A hypervisor that took more than this share of the CPU time makes a busy machine. */
#define ZC_BUSY_STEAL 0.02

/* One look at the machine: the 1-minute load average and /proc/stat's "cpu" line. */
struct zc_machine_sample {
	double load;                 /* NAN when /proc/loadavg could not be read */
	unsigned long long steal;    /* jiffies stolen, all CPUs */
	unsigned long long total;    /* jiffies of every kind, all CPUs; 0: not read */
};

/* The machine over a run, from a sample at its start and one at its end. */
struct zc_machine {
	double load_start, load_end; /* 1-minute load averages, NAN unknown */
	double steal;                /* share of the CPU time stolen over the run, NAN unknown */
	long cpus;                   /* CPUs online */
};

/* Reads the load average and the CPU time counters into @s now. */
void zc_machine_sample(struct zc_machine_sample *s);

/* The machine between samples @a and @b, with @cpus CPUs online, into @m. */
void zc_machine_between(const struct zc_machine_sample *a, const struct zc_machine_sample *b,
			long cpus, struct zc_machine *m);

/*
 * True when the machine was busy: the higher load average above ZC_BUSY_OWN_LOAD +
 * ZC_BUSY_LOAD_PER_CPU x CPUs, or the steal share above ZC_BUSY_STEAL. An unknown figure
 * does not make it busy.
 */
bool zc_machine_busy(const struct zc_machine *m);

/*
 * The figures in words into buf: "load 3.4-4.1 on 2 CPUs, steal 3%" ("load 3.4 on 2 CPUs"
 * when start and end agree to a tenth; the steal left out when unknown).
 */
void zc_machine_format(const struct zc_machine *m, char *buf, size_t len);

/*
 * The warning a busy machine gets, once, at the top of a table or summary: "machine busy:
 * load 3.4-4.1 on 2 CPUs, steal 3%: timings vary; compare ratios in one run". scripts/bench.sh
 * reads this shape back to combine the scenarios' lines into one.
 */
void zc_machine_warning(const struct zc_machine *m, char *buf, size_t len);

/*
 * The address-space limit this process runs under (ulimit -v, RLIMIT_AS), in KiB; 0 when
 * there is none. A runtime that runs out of address space may fail in ways that do not say
 * so (CPython: "SystemError: error return without exception set"; a crash at start): a
 * failure under a limit names it, so the user sees the likely cause (runner.c).
 */
unsigned long long zc_machine_address_limit_kib(void);

/*
 * Test only: ZCBENCH_TEST_MACHINE="LOAD_START,LOAD_END,STEAL" (STEAL a share, 0.03) replaces what
 * was read, so that tests can show a busy or a quiet machine (tests/e2e_machine.sh). Returns
 * true when the variable was set and well formed.
 */
bool zc_machine_test_override(struct zc_machine *m);

#endif
