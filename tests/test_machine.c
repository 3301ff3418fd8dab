/*
 * test_machine.c: when the load and steal time make a busy machine, and the words the
 * console and the summary give it (src/core/machine.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "machine.h"

/* Load up to 1 + 0.5 per CPU is the run's own and others' fair share; above it is busy. */
static void test_busy_load(void **state)
{
	(void)state;
	struct zc_machine m = {.load_start = 1.9, .load_end = 2.0, .steal = 0.0, .cpus = 2};
	assert_false(zc_machine_busy(&m));
	m.load_end = 2.1;
	assert_true(zc_machine_busy(&m));
	m = (struct zc_machine){.load_start = 4.9, .load_end = 2.0, .steal = 0.0, .cpus = 8};
	assert_false(zc_machine_busy(&m));
	m.load_start = 5.2;
	assert_true(zc_machine_busy(&m));
}

/* Steal above 2% is busy whatever the load; an unknown figure never is. */
static void test_busy_steal(void **state)
{
	(void)state;
	struct zc_machine m = {.load_start = 0.2, .load_end = 0.3, .steal = 0.02, .cpus = 2};
	assert_false(zc_machine_busy(&m));
	m.steal = 0.021;
	assert_true(zc_machine_busy(&m));
	m = (struct zc_machine){.load_start = NAN, .load_end = NAN, .steal = NAN, .cpus = 2};
	assert_false(zc_machine_busy(&m));
	m.load_end = 9;
	assert_true(zc_machine_busy(&m));
}

static void test_words(void **state)
{
	(void)state;
	char buf[160];
	struct zc_machine m = {.load_start = 3.42, .load_end = 4.08, .steal = 0.031, .cpus = 2};
	zc_machine_warning(&m, buf, sizeof(buf));
	assert_string_equal(buf, "machine busy: load 3.4-4.1 on 2 CPUs, steal 3%: timings vary; "
				 "compare ratios in one run");
	m = (struct zc_machine){.load_start = 3.42, .load_end = 3.44, .steal = NAN, .cpus = 1};
	zc_machine_format(&m, buf, sizeof(buf));
	assert_string_equal(buf, "load 3.4 on 1 CPU");
	m = (struct zc_machine){.load_start = NAN, .load_end = NAN, .steal = 0.0, .cpus = 4};
	zc_machine_format(&m, buf, sizeof(buf));
	assert_string_equal(buf, "load unknown on 4 CPUs, steal 0%");
}

/* Steal is the share of all CPU time between the samples; a counter that went back is unknown. */
static void test_between(void **state)
{
	(void)state;
	struct zc_machine_sample a = {.load = 1.0, .steal = 100, .total = 10000};
	struct zc_machine_sample b = {.load = 2.0, .steal = 130, .total = 11000};
	struct zc_machine m;
	zc_machine_between(&a, &b, 2, &m);
	assert_true(fabs(m.steal - 0.03) < 1e-12);
	assert_true(m.load_start == 1.0 && m.load_end == 2.0 && m.cpus == 2);
	b.total = 0;
	zc_machine_between(&a, &b, 2, &m);
	assert_true(isnan(m.steal));
	struct zc_machine_sample now;
	zc_machine_sample(&now); /* this machine: /proc is there */
	assert_true(now.total > 0 && !isnan(now.load));
}

static void test_override(void **state)
{
	(void)state;
	struct zc_machine m = {.load_start = 0.1, .load_end = 0.1, .steal = 0, .cpus = 2};
	unsetenv("ZCBENCH_TEST_MACHINE");
	assert_false(zc_machine_test_override(&m));
	setenv("ZCBENCH_TEST_MACHINE", "3.5,4,0.03", 1);
	assert_true(zc_machine_test_override(&m));
	assert_true(m.load_start == 3.5 && m.load_end == 4 && fabs(m.steal - 0.03) < 1e-12);
	setenv("ZCBENCH_TEST_MACHINE", "busy", 1);
	assert_false(zc_machine_test_override(&m));
}

/*
 * The address-space limit, read in a child that sets one (the limit stays with the child):
 * none (0) without one, and 64 GiB set reads as 64 GiB in KiB. The child maps nothing
 * after setting it, so even a sanitizer's reserved shadow memory is not refused.
 */
static void test_address_limit(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit lim;
		if (getrlimit(RLIMIT_AS, &lim) != 0)
			_exit(10);
		lim.rlim_cur = RLIM_INFINITY;
		if (lim.rlim_max == RLIM_INFINITY && setrlimit(RLIMIT_AS, &lim) == 0 &&
		    zc_machine_address_limit_kib() != 0)
			_exit(11);
		lim.rlim_cur = 64ULL << 30;
		if (setrlimit(RLIMIT_AS, &lim) != 0)
			_exit(12);
		_exit(zc_machine_address_limit_kib() == 64ULL << 20 ? 0 : 13);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_busy_load),
		cmocka_unit_test(test_busy_steal),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_between),
		cmocka_unit_test(test_override),
		cmocka_unit_test(test_address_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
