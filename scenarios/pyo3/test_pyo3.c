/*
 * test_pyo3.c: the pyo3 boundary. build/bin/pyo3 --quick, one measuring process: PyBytes_new,
 * PyBytes_new_with and pyclass_buffer at 1920x1080, Vec_u8 at 960x540 (its list of 8.3
 * million ints takes about 200 ms a transfer at 1080p: the trap is the same at a quarter of
 * the bytes, in a quarter of the time). Each strategy's verdict and the frame's bytes copied
 * as the instruments saw them, Vec_u8's list and what it costs, no block left at the end,
 * every frame the #[pyclass] took given back once, at the consumer's drop. Then the
 * strategies driven here, with the interpreter and the module in this process: the probe
 * reads through Python's own object, the #[pyclass] keeps the buffer protocol's contract, and
 * the consumer checks the stamps.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "runtime.h"

#include "bridge.h"

#include "pyo3_strategies.h"
#include "python_rows.h"
#include "python_test.h"
#include "support.h"

#define FRAME_BYTES 8294400.0
#define LIST_FRAME_BYTES 2073600.0 /* 960x540 */

static json_t *doc;  /* one --quick run of every strategy but Vec_u8, at 1080p */
static json_t *list; /* Vec_u8's, at 960x540 */
static char list_dir[512];

/* PyBytes_new and PyBytes_new_with: one frame, seen by the copy functions and the pages. */
static void test_bytes_copy_a_frame(void **state)
{
	(void)state;
	static const char *const copying[] = {"PyBytes_new", "PyBytes_new_with"};
	for (size_t i = 0; i < ZC_COUNT(copying); i++) {
		json_t *r = zt_result(doc, copying[i]);
		zt_python_copies_a_frame(r, FRAME_BYTES);
		assert_string_equal(zt_string(r, "pyo3.consumer_type"), "bytes");
		assert_true(zt_number(r, "pyo3.frames_taken") == 0); /* the producer's own frame */
	}
}

/* pyclass_buffer: the consumer's memoryview is the producer's bytes, same physical pages. */
static void test_pyclass_buffer_shares(void **state)
{
	(void)state;
	json_t *r = zt_result(doc, "pyclass_buffer");
	zt_python_shares_the_frame(r, FRAME_BYTES);
	assert_string_equal(zt_string(r, "pyo3.consumer_type"), "memoryview");
}

/* Every frame the #[pyclass] took went back to the producer once, at the consumer's drop. */
static void test_frames_given_back_once(void **state)
{
	(void)state;
	json_t *r = zt_result(doc, "pyclass_buffer");
	zt_python_given_back_once(r, "pyo3");
}

/* Vec_u8: Rust's to_vec copies the frame into the Vec, then pyo3 makes a list of it. */
static void test_vec_u8_is_the_trap(void **state)
{
	(void)state;
	json_t *r = zt_result(list, "Vec_u8");
	zt_expect_clean(r);
	zt_python_list_trap(r, "pyo3", LIST_FRAME_BYTES);
	/* ten list conversions cost more than a memcpy (the time is only this loose: a busy
	 * machine stretches both rows) */
	assert_true(zt_number(r, "time.vs_memcpy") > 10);
}

static void test_nothing_left_at_the_end(void **state)
{
	(void)state;
	zt_python_nothing_left(doc, 4);
}

/* --- the strategies driven in this process ---------------------------------------------- */

static const struct zc_strategy *find(const char *name)
{
	return zt_python_find(zc_pyo3_strategies, name);
}

static int group_setup(void **state)
{
	(void)state;
	const char *args[] = {"--quick", "--quiet", "--frame", "1920x1080", "--processes", "1",
			      "--strategy", "PyBytes_new,PyBytes_new_with,pyclass_buffer", NULL};
	const char *list_args[] = {"--quick", "--quiet", "--frame", "960x540", "--processes",
				   "1", "--strategy", "Vec_u8", NULL};
	if (zt_group_run("pyo3", args, &doc) != 0)
		return -1;
	list = zt_run_scenario("pyo3", list_args, list_dir, sizeof(list_dir));
	return list && zt_python_start("pyo3", zc_pyo3_open, zc_pyo3_prepare) == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
	zt_group_teardown(state);
	if (list)
		zt_release_scenario(list, list_dir);
	zc_pyo3_close();
	return 0;
}

/*
 * One transfer of each strategy: the producer changes a byte after the hand-over; Python
 * reads it through its own object. Views see the change, copies do not.
 */
static void test_probe_pybytes_new(void **state)
{
	(void)state;
	zt_python_probe(find("PyBytes_new"), false);
}

static void test_probe_pybytes_new_with(void **state)
{
	(void)state;
	zt_python_probe(find("PyBytes_new_with"), false);
}

static void test_probe_pyclass_buffer(void **state)
{
	(void)state;
	uint64_t back = zc_py3_stats()->given_back[ZC_PYTHON_DROPPING];
	uint64_t taken = zc_py3_stats()->taken;
	zt_python_probe(find("pyclass_buffer"), true);
	assert_int_equal(zc_py3_stats()->taken, taken + 1);
	assert_int_equal(zc_py3_stats()->given_back[ZC_PYTHON_DROPPING], back + 1);
}

/* Vec_u8: the consumer's list has no view; the producer's later change does not reach it. */
static void test_probe_vec_u8(void **state)
{
	(void)state;
	zt_python_probe_list(find("Vec_u8"));
}

/*
 * The #[pyclass]'s buffer, asked for from C as memoryview asks: the producer's frame itself,
 * read-only (a writable request raises BufferError), and the frame given back once, when the
 * object dies, not when the buffer is released.
 */
static void test_pyclass_buffer_contract(void **state)
{
	(void)state;
	struct zc_python_producer rust = {0};
	assert_int_equal(zc_python_open_producer("../lib/libzcproducer_rust.so", &rust, NULL), 0);
	const struct zc_producer_api *api = &rust.api;
	struct zc_py3_source src = {.api = api, .bytes = zt_python_small_frame()->bytes};
	src.producer = api->open(src.bytes, 0);
	assert_non_null(src.producer);
	PyObject *module = PyImport_ImportModule(ZC_PY3_MODULE); /* loaded by the start */
	assert_non_null(module);
	PyObject *source = PyObject_CallMethod(module, "Source", "N", PyLong_FromVoidPtr(&src));
	Py_DECREF(module);
	assert_non_null(source);
	PyObject *frame = PyObject_CallMethod(source, "pyclass_buffer", "KO", 1ULL, Py_True);
	assert_non_null(frame);
	assert_int_equal(api->frames_out(src.producer), 1);

	Py_buffer view;
	assert_int_equal(PyObject_GetBuffer(frame, &view, PyBUF_WRITABLE), -1);
	assert_true(PyErr_ExceptionMatches(PyExc_BufferError));
	PyErr_Clear();
	assert_int_equal(PyObject_GetBuffer(frame, &view, PyBUF_SIMPLE), 0);
	assert_ptr_equal(view.buf, src.last);
	assert_int_equal(view.len, (Py_ssize_t)src.bytes);
	assert_true(view.readonly);
	uint64_t back = zc_py3_stats()->given_back[ZC_PYTHON_OUTSIDE];
	PyBuffer_Release(&view);
	assert_int_equal(api->frames_out(src.producer), 1); /* the object still owns it */
	Py_DECREF(frame);
	assert_int_equal(api->frames_out(src.producer), 0);
	assert_int_equal(zc_py3_stats()->given_back[ZC_PYTHON_OUTSIDE], back + 1);
	Py_DECREF(source);
	api->close(src.producer);
	zc_python_close_producer(&rust);
}

/* A consumer that sees a wrong stamp refuses the frame, with Python's reason. */
static void test_consumer_checks_the_stamp(void **state)
{
	(void)state;
	zt_python_expect_raise("import zcbench_consumer\n"
			       "class Stale:\n"
			       "    def PyBytes_new(self, seq, render):\n"
			       "        return (7).to_bytes(8, 'little') * 8\n"
			       "zcbench_consumer.Consumer(Stale(), 'PyBytes_new').take(7, True)\n"
			       "zcbench_consumer.Consumer(Stale(), 'PyBytes_new').take(8, True)\n",
			       PyExc_ValueError, "frame 8: the consumer saw the stamps 7 and 7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes_copy_a_frame),
		cmocka_unit_test(test_pyclass_buffer_shares),
		cmocka_unit_test(test_frames_given_back_once),
		cmocka_unit_test(test_vec_u8_is_the_trap),
		cmocka_unit_test(test_nothing_left_at_the_end),
		cmocka_unit_test(test_probe_pybytes_new),
		cmocka_unit_test(test_probe_pybytes_new_with),
		cmocka_unit_test(test_probe_pyclass_buffer),
		cmocka_unit_test(test_probe_vec_u8),
		cmocka_unit_test(test_pyclass_buffer_contract),
		cmocka_unit_test(test_consumer_checks_the_stamp),
	};
	return cmocka_run_group_tests_name("pyo3", tests, group_setup, group_teardown);
}
