/*
 * test_pybind11.c: the pybind11 boundary. build/bin/pybind11 --quick at 1920x1080 (one
 * measuring process: vector_list alone takes about 110 ms a transfer): each strategy's verdict
 * and the frame's bytes copied as the instruments saw them, vector_list's list and what it
 * costs, no block left at the end, every frame an owner took given back once, at the
 * consumer's drop. Then the strategies driven here, with the interpreter in this process: the
 * probe reads through Python's own object, the view's bytes are the ones that object holds,
 * and the consumer checks the stamps.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "bridge.h"
#include "pybind11_strategies.h"
#include "python_test.h"
#include "support.h"

#define FRAME_BYTES 8294400.0

static const char *sharing[] = {"array_t_capsule", "memoryview_from_memory", "buffer_protocol"};
static const char *owning[] = {"array_t_capsule", "buffer_protocol"};

static json_t *doc; /* one --quick run of every strategy, shared by the tests below */

/* bytes and array_t_no_base: one frame, seen by the copy functions and by the pages written. */
static void test_copies_copy_a_frame(void **state)
{
	(void)state;
	static const char *const copying[] = {"bytes", "array_t_no_base"};
	for (size_t i = 0; i < ZC_COUNT(copying); i++)
		zt_python_copies_a_frame(zt_result(doc, copying[i]), FRAME_BYTES);
	assert_string_equal(zt_string(zt_result(doc, "bytes"), "pybind11.consumer_type"), "bytes");
	assert_string_equal(zt_string(zt_result(doc, "array_t_no_base"), "pybind11.consumer_type"),
			    "numpy.ndarray");
}

/* The views: the consumer reads the producer's bytes, and not a frame's worth is copied. */
static void test_views_copy_no_frame_bytes(void **state)
{
	(void)state;
	for (size_t i = 0; i < ZC_COUNT(sharing); i++)
		zt_python_shares_the_frame(zt_result(doc, sharing[i]), FRAME_BYTES);
	assert_string_equal(zt_string(zt_result(doc, "array_t_capsule"), "pybind11.consumer_type"),
			    "numpy.ndarray");
}

/* vector_list: the glue copies the frame into the std::vector, pybind11 makes a list of it. */
static void test_vector_list_is_the_trap(void **state)
{
	(void)state;
	json_t *r = zt_result(doc, "vector_list");
	zt_python_list_trap(r, "pybind11", FRAME_BYTES);
	/* the list's 66 MB come from a fresh mmap every time (over glibc's largest threshold,
	 * 32 MiB): its pages fault in on every transfer (the time is not asserted: a busy
	 * machine stretches both rows) */
	assert_true(zt_number(r, "memory.minor_faults_per_transfer") >= 8 * FRAME_BYTES / 4096);
}

/* Every frame an owner took went back to the producer once, when the consumer dropped it. */
static void test_frames_given_back_once(void **state)
{
	(void)state;
	for (size_t i = 0; i < ZC_COUNT(owning); i++) {
		json_t *r = zt_result(doc, owning[i]);
		zt_python_given_back_once(r, "pybind11");
	}
	/* The others borrow the producer's frame: it takes none. */
	const char *borrowing[] = {"bytes", "array_t_no_base", "memoryview_from_memory",
				   "vector_list"};
	for (size_t i = 0; i < ZC_COUNT(borrowing); i++)
		assert_true(zt_number(zt_result(doc, borrowing[i]), "pybind11.frames_taken") == 0);
}

static void test_nothing_left_at_the_end(void **state)
{
	(void)state;
	zt_python_nothing_left(doc, 7);
}

/* --- the strategies driven in this process ---------------------------------------------- */

static const struct zc_strategy *find(const char *name)
{
	return zt_python_find(zc_pybind11_strategies, name);
}

static int group_setup(void **state)
{
	(void)state;
	return zt_python_group_setup("pybind11", &doc, zc_pybind11_open, zc_pybind11_prepare);
}

static int group_teardown(void **state)
{
	zt_group_teardown(state);
	zc_pybind11_close();
	return 0;
}

/* Frames the owners gave back at the consumer's drop, in this process so far. */
static uint64_t given_back_at_drop(void)
{
	return zc_pb_stats()->given_back[ZC_PYTHON_DROPPING];
}

/*
 * One transfer of each strategy: the producer changes a byte after the hand-over; Python
 * reads it through its own object. Views see the change, copies do not; the view's bytes are
 * the producer's exactly when the strategy shares.
 */
static void test_probe_bytes(void **state)
{
	(void)state;
	zt_python_probe(find("bytes"), false);
}

static void test_probe_array_t_capsule(void **state)
{
	(void)state;
	uint64_t back = given_back_at_drop();
	zt_python_probe(find("array_t_capsule"), true);
	assert_int_equal(given_back_at_drop(), back + 1);
}

static void test_probe_array_t_no_base(void **state)
{
	(void)state;
	zt_python_probe(find("array_t_no_base"), false);
}

static void test_probe_memoryview_from_memory(void **state)
{
	(void)state;
	uint64_t taken = zc_pb_stats()->taken;
	zt_python_probe(find("memoryview_from_memory"), true);
	assert_int_equal(zc_pb_stats()->taken, taken); /* borrowed: nothing taken */
}

static void test_probe_buffer_protocol(void **state)
{
	(void)state;
	uint64_t back = given_back_at_drop();
	zt_python_probe(find("buffer_protocol"), true);
	assert_int_equal(given_back_at_drop(), back + 1);
}

/* vector_list: the consumer's list has no view; the producer's later change does not reach it. */
static void test_probe_vector_list(void **state)
{
	(void)state;
	zt_python_probe_list(find("vector_list"));
}

/* A consumer that sees a wrong stamp refuses the frame, with Python's reason. */
static void test_consumer_checks_the_stamp(void **state)
{
	(void)state;
	zt_python_expect_raise("import zcbench_consumer\n"
			       "class Stale:\n"
			       "    def bytes(self, seq):\n"
			       "        return (7).to_bytes(8, 'little') * 8\n"
			       "zcbench_consumer.Consumer(Stale(), 'bytes').take(7)\n"
			       "zcbench_consumer.Consumer(Stale(), 'bytes').take(8)\n",
			       PyExc_ValueError, "frame 8: the consumer saw the stamps 7 and 7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copies_copy_a_frame),
		cmocka_unit_test(test_views_copy_no_frame_bytes),
		cmocka_unit_test(test_vector_list_is_the_trap),
		cmocka_unit_test(test_frames_given_back_once),
		cmocka_unit_test(test_nothing_left_at_the_end),
		cmocka_unit_test(test_probe_bytes),
		cmocka_unit_test(test_probe_array_t_capsule),
		cmocka_unit_test(test_probe_array_t_no_base),
		cmocka_unit_test(test_probe_memoryview_from_memory),
		cmocka_unit_test(test_probe_buffer_protocol),
		cmocka_unit_test(test_probe_vector_list),
		cmocka_unit_test(test_consumer_checks_the_stamp),
	};
	return cmocka_run_group_tests_name("pybind11", tests, group_setup, group_teardown);
}
