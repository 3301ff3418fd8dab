/*
 * test_python.c: the python boundary. build/bin/python --quick at 1920x1080: each strategy's
 * verdict and copied bytes as the instruments saw them, no block left at the end, every
 * exported frame given back at the consumer's drop. Then the strategies driven here, with
 * the interpreter in this process: the probe reads through Python's own object, the view's
 * bytes are the ones that object holds, and teardown leaves no frame behind.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "exporter.h"
#include "interp.h"
#include "python_strategies.h"
#include "python_test.h"
#include "support.h"

#define FRAME_BYTES 8294400.0

static const char *copying[] = {"bytes", "bytearray", "numpy_array"};
static const char *sharing[] = {"memoryview", "numpy_frombuffer"};

static json_t *doc;     /* one --quick run of every strategy, shared by the tests below */

/* Copies: a whole frame, seen by the copy functions and by the pages written. */
static void test_copies_are_observed(void **state)
{
	(void)state;
	for (size_t i = 0; i < ZC_COUNT(copying); i++)
		zt_python_copies_a_frame(zt_result(doc, copying[i]), FRAME_BYTES);
}

/* Shares: the consumer reads the producer's bytes, and not a frame's worth is copied. */
static void test_shares_copy_no_frame_bytes(void **state)
{
	(void)state;
	for (size_t i = 0; i < ZC_COUNT(sharing); i++)
		zt_python_shares_the_frame(zt_result(doc, sharing[i]), FRAME_BYTES);
}

/* Every exported frame went back to the producer when the consumer dropped its object. */
static void test_frames_given_back_at_drop(void **state)
{
	(void)state;
	for (size_t i = 0; i < 2; i++) {
		json_t *r = zt_result(doc, sharing[i]);
		double created = zt_number(r, "python.exporters_created");
		assert_true(created >= 10);
		assert_true(created == zt_number(r, "python.frames"));
		assert_true(zt_number(r, "python.frames_given_back.at_drop") == created);
		assert_true(zt_number(r, "python.frames_given_back.later") == 0);
		assert_true(zt_number(r, "python.frames_not_given_back") == 0);
	}
	/* numpy.array copies and keeps nothing of the exporter: it dies while taking. */
	json_t *a = zt_result(doc, "numpy_array");
	assert_true(zt_number(a, "python.exporters_died.while_taking") ==
		    zt_number(a, "python.exporters_created"));
}

static void test_nothing_left_at_the_end(void **state)
{
	(void)state;
	zt_python_nothing_left(doc, 6);
}

/* --- the strategies driven in this process ---------------------------------------------- */

/* Every strategy, numpy's too. */
static const struct zc_strategy *const *every_strategy(size_t *n)
{
	return zc_python_strategies(true, n);
}

static const struct zc_strategy *find(const char *name)
{
	return zt_python_find(every_strategy, name);
}

static int group_setup(void **state)
{
	(void)state;
	return zt_python_group_setup("python", &doc, zc_python_open, zc_python_prepare);
}

static int group_teardown(void **state)
{
	zt_group_teardown(state);
	zc_python_close();
	return 0;
}

/*
 * One transfer of each strategy: the producer changes a byte after the hand-over; Python
 * reads it through its own object. Shares see the change, copies do not; the view's bytes
 * are the producer's exactly when the strategy shares.
 */
static void test_probe_bytes(void **state)
{
	(void)state;
	zt_python_probe(find("bytes"), false);
}

static void test_probe_bytearray(void **state)
{
	(void)state;
	zt_python_probe(find("bytearray"), false);
}

static void test_probe_memoryview(void **state)
{
	(void)state;
	uint64_t back = zc_py_frame_stats()->given_back[ZC_PYTHON_DROPPING];
	zt_python_probe(find("memoryview"), true);
	assert_int_equal(zc_py_frame_stats()->given_back[ZC_PYTHON_DROPPING], back + 1);
}

static void test_probe_numpy_frombuffer(void **state)
{
	(void)state;
	uint64_t back = zc_py_frame_stats()->given_back[ZC_PYTHON_DROPPING];
	zt_python_probe(find("numpy_frombuffer"), true);
	assert_int_equal(zc_py_frame_stats()->given_back[ZC_PYTHON_DROPPING], back + 1);
}

static void test_probe_numpy_array(void **state)
{
	(void)state;
	zt_python_probe(find("numpy_array"), false);
}

/* A strategy whose consumer sees a wrong stamp fails its transfer, with Python's reason. */
static void test_consumer_checks_the_stamp(void **state)
{
	(void)state;
	const struct zc_py_runtime *rt = zc_py_start(NULL);
	assert_non_null(rt);
	PyObject *consumer = PyObject_CallMethod(rt->consumer.module, "Consumer", "s", "bytes");
	assert_non_null(consumer);
	unsigned char frame[64] = {0};
	zc_frame_stamp(frame, sizeof(frame), 7);
	PyObject *ok = PyObject_CallMethod(consumer, "take", "y#i", (const char *)frame,
					   (Py_ssize_t)sizeof(frame), 7);
	assert_non_null(ok);
	Py_DECREF(ok);
	PyObject *bad = PyObject_CallMethod(consumer, "take", "y#i", (const char *)frame,
					    (Py_ssize_t)sizeof(frame), 8);
	assert_null(bad);
	struct zc_error err = {0};
	zc_python_error_plain(&err, "take");
	assert_non_null(strstr(err.text, "ValueError: frame 8: the consumer saw the stamps 7"));
	Py_DECREF(consumer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copies_are_observed),
		cmocka_unit_test(test_shares_copy_no_frame_bytes),
		cmocka_unit_test(test_frames_given_back_at_drop),
		cmocka_unit_test(test_nothing_left_at_the_end),
		cmocka_unit_test(test_probe_bytes),
		cmocka_unit_test(test_probe_bytearray),
		cmocka_unit_test(test_probe_memoryview),
		cmocka_unit_test(test_probe_numpy_frombuffer),
		cmocka_unit_test(test_probe_numpy_array),
		cmocka_unit_test(test_consumer_checks_the_stamp),
	};
	return cmocka_run_group_tests_name("python", tests, group_setup, group_teardown);
}
