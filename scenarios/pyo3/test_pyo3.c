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

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "beside.h"
#include "instrument.h"
#include "pyo3_strategies.h"
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
		zt_expect_identity(r, "copy", 0);
		double copied = zt_number(r, "copies.bytes_per_transfer");
		if (copied < FRAME_BYTES || copied > 1.01 * FRAME_BYTES)
			fail_msg("%s: %.0f bytes copied per transfer", copying[i], copied);
		assert_true(zt_number(r, "copies.hook_bytes_per_transfer") >= FRAME_BYTES);
		assert_true(zt_number(r, "copies.pages_bytes_per_transfer") >= 0.99 * FRAME_BYTES);
		assert_true(zt_number(r, "allocations.frame_sized_per_transfer") >= 1);
		assert_string_equal(zt_string(r, "pyo3.consumer_type"), "bytes");
		assert_true(zt_number(r, "pyo3.frames_taken") == 0); /* the producer's own frame */
	}
}

/* pyclass_buffer: the consumer's memoryview is the producer's bytes, same physical pages. */
static void test_pyclass_buffer_shares(void **state)
{
	(void)state;
	json_t *r = zt_result(doc, "pyclass_buffer");
	zt_expect_identity(r, "zero-copy", 1);
	assert_true(zt_number(r, "copies.bytes_per_transfer") < FRAME_BYTES / 100);
	assert_true(zt_number(r, "copies.hook_bytes_per_transfer") == 0);
	assert_true(zt_number(r, "copies.pages_bytes_per_transfer") == 0);
	assert_true(zt_number(r, "identity.same_pages") == 1);
	assert_string_equal(zt_string(r, "pyo3.consumer_type"), "memoryview");
}

/* Every frame the #[pyclass] took went back to the producer once, at the consumer's drop. */
static void test_frames_given_back_once(void **state)
{
	(void)state;
	json_t *r = zt_result(doc, "pyclass_buffer");
	zt_python_given_back_once(r, "pyo3");
}

/*
 * Vec_u8: Rust's to_vec copies the frame into the Vec (one frame, by the copy functions),
 * then pyo3 makes a list whose items are references, 8 bytes for every byte of the frame:
 * no frame bytes in it, but eight frames' worth of pages written a transfer, which the row
 * flags.
 */
static void test_vec_u8_is_the_trap(void **state)
{
	(void)state;
	json_t *r = zt_result(list, "Vec_u8");
	zt_expect_identity(r, "copy", 0);
	zt_expect_clean(r);
	assert_string_equal(zt_string(r, "pyo3.consumer_type"), "list");
	double copied = zt_number(r, "copies.bytes_per_transfer");
	if (copied < LIST_FRAME_BYTES || copied > 1.01 * LIST_FRAME_BYTES)
		fail_msg("Vec_u8: %.0f bytes copied per transfer", copied);
	/* the Vec (a frame) and the list's references (8 bytes an item): 9 frames at least */
	assert_true(zt_number(r, "allocations.bytes_per_transfer") >= 9 * LIST_FRAME_BYTES);
	assert_true(zt_number(r, "allocations.frame_sized_per_transfer") >= 2);
	double pages = zt_number(r, "pages_written.producer_per_transfer") -
		       zt_number(r, "pages_written.frame_per_transfer");
	assert_true(pages >= 8 * LIST_FRAME_BYTES / 4096);
	json_t *flags = json_object_get(r, "flags"), *f;
	size_t i;
	bool unexplained = false;
	json_array_foreach(flags, i, f)
		unexplained |= !strcmp(json_string_value(f), "unexplained-work");
	assert_true(unexplained);
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
	size_t n;
	const struct zc_strategy *const *all = zc_pyo3_strategies(&n);
	return zt_python_find(all, n, name);
}

/* The producer loaded and the interpreter started in this process, as a measuring one does. */
static int open_producer(void)
{
	struct zc_error err = {0};
	if (zc_pyo3_open(&err) != 0 || zc_pyo3_prepare(&err) != 0) {
		fprintf(stderr, "test_pyo3: %s\n", err.text);
		return -1;
	}
	return 0;
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
	return list && open_producer() == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
	zt_group_teardown(state);
	if (list)
		zt_release_scenario(list, list_dir);
	zc_pyo3_close();
	return 0;
}

static const struct zc_frame_geom *small_frame(void)
{
	static struct zc_frame_geom g;
	assert_int_equal(zc_frame_geom_init(&g, 640, 480, NULL), 0);
	zc_instrument_set_frame_bytes(g.bytes);
	return &g;
}

/*
 * One transfer of strategy name: the producer changes a byte after the hand-over; Python reads
 * it through its own object. Views see the change, copies do not.
 */
static void probe_through_python(const char *name, bool shares)
{
	zt_probe_transfers(find(name), small_frame(), 1, 2, 0xa5u, shares);
}

static void test_probe_pybytes_new(void **state)
{
	(void)state;
	probe_through_python("PyBytes_new", false);
}

static void test_probe_pybytes_new_with(void **state)
{
	(void)state;
	probe_through_python("PyBytes_new_with", false);
}

static void test_probe_pyclass_buffer(void **state)
{
	(void)state;
	uint64_t back = zc_py3_stats()->given_back[ZC_PY3_DROPPING];
	uint64_t taken = zc_py3_stats()->taken;
	probe_through_python("pyclass_buffer", true);
	assert_int_equal(zc_py3_stats()->taken, taken + 1);
	assert_int_equal(zc_py3_stats()->given_back[ZC_PY3_DROPPING], back + 1);
}

/*
 * Vec_u8: the consumer's list has no bytes to point at (no view), its items are the frame's
 * bytes (checked in full when rendered), and the producer's later change does not reach it.
 */
static void test_probe_vec_u8(void **state)
{
	(void)state;
	const struct zc_strategy *s = find("Vec_u8");
	const struct zc_frame_geom *g = small_frame();
	void *st = s->setup(g, s->arg, NULL);
	assert_non_null(st);
	struct zc_view v;
	assert_int_equal(s->transfer(st, true, &v, NULL), 0);
	assert_null(v.data);
	assert_non_null(v.producer);
	size_t off = v.bytes / 3;
	unsigned char before, after;
	assert_int_equal(s->probe->read(st, &v, off, &before, NULL), 0);
	assert_int_equal(before, v.producer[off]);
	v.producer[off] ^= 0x5a;
	assert_int_equal(s->probe->read(st, &v, off, &after, NULL), 0);
	assert_int_equal(after, before);
	v.producer[off] = before;
	s->release(st, &v);
	s->teardown(st);
}

/*
 * The #[pyclass]'s buffer, asked for from C as memoryview asks: the producer's frame itself,
 * read-only (a writable request raises BufferError), and the frame given back once, when the
 * object dies, not when the buffer is released.
 */
static void test_pyclass_buffer_contract(void **state)
{
	(void)state;
	struct zc_error err = {0};
	union {
		void *obj;
		zcp_get_api_fn fn;
	} sym;
	struct zc_producer_api api;
	void *lib = zc_beside_load("../lib/libzcproducer_rust.so", ZCP_GET_API_SYMBOL, &sym.obj,
				   &err);
	assert_non_null(lib);
	assert_int_equal(sym.fn(ZC_PRODUCER_ABI, &api), 0);
	struct zc_py3_source src = {.api = &api, .bytes = small_frame()->bytes};
	src.producer = api.open(src.bytes, 0);
	assert_non_null(src.producer);
	PyObject *module = PyImport_ImportModule(ZC_PY3_MODULE); /* loaded by the start */
	assert_non_null(module);
	PyObject *source = PyObject_CallMethod(module, "Source", "N", PyLong_FromVoidPtr(&src));
	Py_DECREF(module);
	assert_non_null(source);
	PyObject *frame = PyObject_CallMethod(source, "pyclass_buffer", "KO", 1ULL, Py_True);
	assert_non_null(frame);
	assert_int_equal(api.frames_out(src.producer), 1);

	Py_buffer view;
	assert_int_equal(PyObject_GetBuffer(frame, &view, PyBUF_WRITABLE), -1);
	assert_true(PyErr_ExceptionMatches(PyExc_BufferError));
	PyErr_Clear();
	assert_int_equal(PyObject_GetBuffer(frame, &view, PyBUF_SIMPLE), 0);
	assert_ptr_equal(view.buf, src.last);
	assert_int_equal(view.len, (Py_ssize_t)src.bytes);
	assert_true(view.readonly);
	uint64_t back = zc_py3_stats()->given_back[ZC_PY3_OUTSIDE];
	PyBuffer_Release(&view);
	assert_int_equal(api.frames_out(src.producer), 1); /* the object still owns it */
	Py_DECREF(frame);
	assert_int_equal(api.frames_out(src.producer), 0);
	assert_int_equal(zc_py3_stats()->given_back[ZC_PY3_OUTSIDE], back + 1);
	Py_DECREF(source);
	api.close(src.producer);
	dlclose(lib);
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
