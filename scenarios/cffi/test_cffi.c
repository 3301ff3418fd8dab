/*
 * test_cffi.c: the cffi boundary. build/bin/cffi --quick at 1920x1080: each strategy's verdict
 * and the frame's bytes copied as the instruments saw them, no block left at the end, every
 * frame buffer_gc took given back once, at the consumer's drop. Then the strategies driven
 * here, with the interpreter in this process: the probe reads through Python's own object, the
 * view's bytes are the ones that object holds, and the consumer checks the stamps.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "beside.h"
#include "cffi_strategies.h"
#include "runtime.h"
#include "python_test.h"
#include "support.h"

#define FRAME_BYTES 8294400.0

static const char *copying[] = {"unpack", "buffer_slice"};
static const char *sharing[] = {"buffer", "buffer_gc"};

static json_t *doc; /* one --quick run of every strategy, shared by the tests below */

/* The copies: a whole frame, seen by the copy functions and by the pages written. */
static void test_copies_are_observed(void **state)
{
	(void)state;
	for (size_t i = 0; i < ZC_COUNT(copying); i++) {
		json_t *r = zt_result(doc, copying[i]);
		zt_python_copies_a_frame(r, FRAME_BYTES);
		assert_string_equal(zt_string(r, "cffi.consumer_type"), "bytes");
	}
}

/* The buffers: the consumer reads the producer's bytes, and not a frame's worth is copied. */
static void test_buffers_copy_no_frame_bytes(void **state)
{
	(void)state;
	for (size_t i = 0; i < ZC_COUNT(sharing); i++) {
		json_t *r = zt_result(doc, sharing[i]);
		zt_python_shares_the_frame(r, FRAME_BYTES);
		assert_string_equal(zt_string(r, "cffi.consumer_type"), "_cffi_backend.buffer");
	}
}

/* Every frame buffer_gc took went back to the producer once, when the consumer dropped it. */
static void test_frames_given_back_once(void **state)
{
	(void)state;
	json_t *r = zt_result(doc, "buffer_gc");
	zt_python_given_back_once(r, "cffi");
	for (size_t i = 0; i < ZC_COUNT(copying); i++)
		assert_true(zt_number(zt_result(doc, copying[i]), "cffi.frames_taken") == 0);
	assert_true(zt_number(zt_result(doc, "buffer"), "cffi.frames_taken") == 0);
}

static void test_nothing_left_at_the_end(void **state)
{
	(void)state;
	zt_python_nothing_left(doc, 5);
}

/* --- the strategies driven in this process ---------------------------------------------- */

static const struct zc_strategy *find(const char *name)
{
	return zt_python_find(zc_cffi_strategies, name);
}

static int group_setup(void **state)
{
	(void)state;
	return zt_python_group_setup("cffi", &doc, zc_cffi_open, zc_cffi_prepare);
}

/* The consumer module's count of frames given back at the drop, so far. */
static long given_back_at_drop(void)
{
	PyObject *frames = PyObject_GetAttrString(zc_cffi_start(NULL)->consumer.module, "frames");
	assert_non_null(frames);
	long n = PyLong_AsLong(PyDict_GetItemString(frames, "at_drop"));
	Py_DECREF(frames);
	return n;
}

/*
 * One transfer of each strategy: the producer changes a byte after the hand-over; Python
 * reads it through its own object. Buffers see the change, copies do not; the view's bytes
 * are the producer's exactly when the strategy shares.
 */
static void test_probe_unpack(void **state)
{
	(void)state;
	zt_python_probe(find("unpack"), false);
}

static void test_probe_buffer_slice(void **state)
{
	(void)state;
	zt_python_probe(find("buffer_slice"), false);
}

static void test_probe_buffer(void **state)
{
	(void)state;
	zt_python_probe(find("buffer"), true);
}

static void test_probe_buffer_gc(void **state)
{
	(void)state;
	long back = given_back_at_drop();
	zt_python_probe(find("buffer_gc"), true);
	assert_int_equal(given_back_at_drop(), back + 1);
}

/* A consumer that sees a wrong stamp refuses the frame, with Python's reason. */
static void test_consumer_checks_the_stamp(void **state)
{
	(void)state;
	char library[4096];
	assert_int_equal(zc_beside_program("../lib/libzcproducer.so", library, sizeof(library),
					   NULL), 0);
	PyObject *globals = PyDict_New();
	assert_non_null(globals);
	assert_int_equal(PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()), 0);
	PyObject *path = PyUnicode_FromString(library);
	assert_int_equal(PyDict_SetItemString(globals, "LIBRARY", path), 0);
	Py_DECREF(path);
	PyObject *r = PyRun_String("import zcbench_consumer as c\n"
				   "stale = (7).to_bytes(8, 'little') * 8\n"
				   "c.RECEIVE['stale'] = (False, lambda consumer, p: stale)\n"
				   "k = c.Consumer(LIBRARY, 'stale', 64)\n"
				   "try:\n"
				   "    k.take(7, False)\n"
				   "    k.take(8, False)\n"
				   "finally:\n"
				   "    k.close()\n"
				   "    del c.RECEIVE['stale']\n",
				   Py_file_input, globals, globals);
	assert_null(r);
	struct zc_error err = {0};
	zc_python_error(&err, "take");
	assert_string_equal(err.text,
			    "take: ValueError: frame 8: the consumer saw the stamps 7 and 7");
	Py_DECREF(globals);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copies_are_observed),
		cmocka_unit_test(test_buffers_copy_no_frame_bytes),
		cmocka_unit_test(test_frames_given_back_once),
		cmocka_unit_test(test_nothing_left_at_the_end),
		cmocka_unit_test(test_probe_unpack),
		cmocka_unit_test(test_probe_buffer_slice),
		cmocka_unit_test(test_probe_buffer),
		cmocka_unit_test(test_probe_buffer_gc),
		cmocka_unit_test(test_consumer_checks_the_stamp),
	};
	return cmocka_run_group_tests_name("cffi", tests, group_setup, zt_group_teardown);
}
