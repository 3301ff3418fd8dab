/*
 * test_dlpack.c: the dlpack boundary. build/bin/dlpack --quick at 1920x1080 (one measuring
 * process): each strategy's verdict and the frame's bytes copied as the instruments saw
 * them, the view read-only and the copy writable, every tensor's deleter called once, at the
 * consumer's drop, no block left at the end. Then, with the interpreter in this process: the
 * probe reads through numpy's own array, and the exporter keeps DLPack's contract (a capsule
 * nobody consumed, an exporter never asked, a second __dlpack__).
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "runtime.h"

#include <stdio.h>
#include <string.h>

#include "dlpack_strategies.h"
#include "exporter.h"
#include "python_rows.h"
#include "python_test.h"
#include "support.h"

#define FRAME_BYTES 8294400.0

static json_t *doc; /* one --quick run of every strategy, shared by the tests below */

/* from_dlpack: numpy's array is the producer's bytes, read-only. */
static void test_from_dlpack_is_a_read_only_view(void **state)
{
	(void)state;
	json_t *r = zt_result(doc, "from_dlpack");
	zt_python_shares_the_frame(r, FRAME_BYTES);
	assert_string_equal(zt_string(r, "dlpack.consumer_type"), "numpy.ndarray");
	assert_false(zt_bool(r, "dlpack.writable"));
	assert_string_equal(zt_string(r, "dlpack.write_error"),
			    "ValueError: assignment destination is read-only");
}

/* from_dlpack_copy: one frame, by numpy's memcpy, seen by the hooks and the pages written. */
static void test_from_dlpack_copy_copies_a_frame(void **state)
{
	(void)state;
	json_t *r = zt_result(doc, "from_dlpack_copy");
	zt_python_copies_a_frame(r, FRAME_BYTES);
	assert_true(zt_number(r, "allocations.frame_sized_per_transfer") >= 2); /* frame, copy */
	assert_true(zt_bool(r, "dlpack.writable"));
}

/* Every frame exported went back to the producer once, by its deleter, at the drop. */
static void test_deleter_runs_once_a_frame(void **state)
{
	(void)state;
	static const char *const rows[] = {"from_dlpack", "from_dlpack_copy"};
	for (size_t i = 0; i < ZC_COUNT(rows); i++) {
		json_t *r = zt_result(doc, rows[i]);
		double taken = zt_number(r, "dlpack.frames_taken");
		assert_true(taken >= 1);
		assert_true(taken == zt_number(r, "dlpack.frames"));
		assert_true(taken == zt_number(r, "dlpack.capsules_exported"));
		assert_true(zt_number(r, "dlpack.deleter_calls.at_drop") == taken);
		assert_true(zt_number(r, "dlpack.deleter_calls.while_taking") == 0);
		assert_true(zt_number(r, "dlpack.deleter_calls.later") == 0);
		assert_true(zt_number(r, "dlpack.frames_not_given_back") == 0);
		assert_true(zt_number(r, "dlpack.producer_frames_out") == 0);
	}
}

static void test_nothing_left_at_the_end(void **state)
{
	(void)state;
	zt_python_nothing_left(doc, 3);
}

/* --- in this process ------------------------------------------------------------------- */

static struct zc_python_producer producer; /* the test's own handle on the producer library */

static const struct zc_strategy *find(const char *name)
{
	return zt_python_find(zc_dlpack_strategies, name);
}

/* The interpreter started as a measuring process starts it, and the test's own producer. */
static int group_setup(void **state)
{
	(void)state;
	struct zc_error err = {0};
	if (zt_python_group_setup("dlpack", &doc, zc_dlpack_open, zc_dlpack_prepare) != 0)
		return -1;
	if (zc_python_open_producer("../lib/libzcproducer.so", &producer, &err) != 0) {
		fprintf(stderr, "test_dlpack: %s\n", err.text);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	zt_group_teardown(state);
	zc_python_close_producer(&producer);
	zc_dlpack_close();
	return 0;
}

static uint64_t deleted(void)
{
	const struct zc_dl_stats *s = zc_dl_stats();
	return s->deleted[ZC_PYTHON_OUTSIDE] + s->deleted[ZC_PYTHON_TAKING] +
	       s->deleted[ZC_PYTHON_DROPPING];
}

/* The producer changes a byte after the hand-over; Python reads it through numpy's array. */
static void test_probe_from_dlpack(void **state)
{
	(void)state;
	uint64_t back = zc_dl_stats()->deleted[ZC_PYTHON_DROPPING];
	zt_python_probe(find("from_dlpack"), true);
	assert_int_equal(zc_dl_stats()->deleted[ZC_PYTHON_DROPPING], back + 1);
}

static void test_probe_from_dlpack_copy(void **state)
{
	(void)state;
	zt_python_probe(find("from_dlpack_copy"), false);
}

/* An exported frame of the producer, in this process: a zcdlpack.Frame. */
static PyObject *exported(struct zcp_producer *p)
{
	unsigned char *data;
	PyObject *f = zc_dl_export(&producer.api, p, zt_python_small_frame(), 1, true, &data);
	assert_non_null(f);
	return f;
}

/*
 * DLPack's contract on the producer's side: a capsule dropped before anyone consumed it, an
 * exporter never asked for one, each call its tensor's deleter once; a second __dlpack__
 * raises; the device is the CPU.
 */
static void test_exporter_keeps_the_contract(void **state)
{
	(void)state;
	struct zcp_producer *p = producer.api.open(zt_python_small_frame()->bytes, 0);
	assert_non_null(p);
	uint64_t before = deleted();

	PyObject *f = exported(p);
	PyObject *capsule = PyObject_CallMethod(f, "__dlpack__", NULL);
	assert_non_null(capsule);
	assert_true(PyCapsule_IsValid(capsule, "dltensor"));
	assert_null(PyObject_CallMethod(f, "__dlpack__", NULL));
	assert_true(PyErr_ExceptionMatches(PyExc_BufferError));
	PyErr_Clear();
	PyObject *device = PyObject_CallMethod(f, "__dlpack_device__", NULL);
	assert_non_null(device);
	assert_int_equal(PyLong_AsLong(PyTuple_GetItem(device, 0)), 1); /* kDLCPU */
	Py_DECREF(device);
	Py_DECREF(f);
	assert_int_equal(deleted(), before); /* the capsule owns the tensor now */
	Py_DECREF(capsule);
	assert_int_equal(deleted(), before + 1);

	Py_DECREF(exported(p)); /* never asked for its capsule */
	assert_int_equal(deleted(), before + 2);
	assert_int_equal(producer.api.frames_out(p), 0);
	producer.api.close(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_dlpack_is_a_read_only_view),
		cmocka_unit_test(test_from_dlpack_copy_copies_a_frame),
		cmocka_unit_test(test_deleter_runs_once_a_frame),
		cmocka_unit_test(test_nothing_left_at_the_end),
		cmocka_unit_test(test_probe_from_dlpack),
		cmocka_unit_test(test_probe_from_dlpack_copy),
		cmocka_unit_test(test_exporter_keeps_the_contract),
	};
	return cmocka_run_group_tests_name("dlpack", tests, group_setup, group_teardown);
}
