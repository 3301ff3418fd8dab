/*
 * test_options.c: the shared options' defaults (src/core/options.c): how many measuring
 * processes a run gets with and without --quick, and that --processes always wins.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "options.h"

static const char *const names[] = {"copy", "share"};

/* The processes a command line gets; argv[0] is the program, NULL-terminated. */
static long processes_of(const char *const *args)
{
	char *argv[8];
	int argc = 0;
	while (args[argc]) {
		argv[argc] = (char *)args[argc]; /* the parser reads them only */
		argc++;
	}
	argv[argc] = NULL;
	struct zc_options o;
	struct zc_error err = {0};
	assert_int_equal(zc_options_parse(&o, argc, argv, names, 2, NULL, &err), 0);
	long n = o.processes;
	zc_options_release(&o);
	return n;
}

static void test_processes(void **state)
{
	(void)state;
	static const char *const plain[] = {"inproc", NULL};
	static const char *const quick[] = {"inproc", "--quick", NULL};
	static const char *const quick_given[] = {"inproc", "--quick", "--processes", "5", NULL};
	static const char *const given_quick[] = {"inproc", "--processes", "3", "--quick", NULL};
	static const char *const given[] = {"inproc", "--processes", "1", NULL};
	assert_int_equal(processes_of(plain), ZC_DEFAULT_PROCESSES);
	assert_int_equal(processes_of(quick), ZC_QUICK_PROCESSES);
	assert_int_equal(processes_of(quick_given), 5);
	assert_int_equal(processes_of(given_quick), 3);
	assert_int_equal(processes_of(given), 1);
	assert_true(ZC_QUICK_PROCESSES < ZC_DEFAULT_PROCESSES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_processes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
