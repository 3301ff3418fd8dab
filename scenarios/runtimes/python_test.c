/*
 * python_test.c: the Python family's shared test checks (python_test.h).
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "python_test.h"

#include <stdio.h>
#include <string.h>

#include "instrument.h"
#include "support.h"

int zt_python_start(const char *scenario, int (*open)(struct zc_error *),
		    int (*prepare)(struct zc_error *))
{
	struct zc_error err = {0};
	if (open(&err) != 0 || prepare(&err) != 0) {
		fprintf(stderr, "test_%s: %s\n", scenario, err.text);
		return -1;
	}
	return 0;
}

int zt_python_group_setup(const char *scenario, json_t **doc, int (*open)(struct zc_error *),
			  int (*prepare)(struct zc_error *))
{
	const char *args[] = {"--quick", "--quiet", "--frame", "1920x1080", "--processes", "1",
			      NULL};
	if (zt_group_run(scenario, args, doc) != 0)
		return -1;
	return zt_python_start(scenario, open, prepare);
}

const struct zc_strategy *zt_python_find(const struct zc_strategy *const *(*strategies)(size_t *n),
					 const char *name)
{
	size_t n;
	const struct zc_strategy *const *all = strategies(&n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	fail_msg("no strategy '%s'", name);
	return all[0]; /* not reached: fail_msg ends the test */
}

/* r's bytes copied per transfer are one frame of frame_bytes, by a hundredth at most more. */
static void copied_one_frame(json_t *r, double frame_bytes)
{
	double copied = zt_number(r, "copies.bytes_per_transfer");
	if (copied < frame_bytes || copied > 1.01 * frame_bytes)
		fail_msg("%s: %.0f bytes copied per transfer", zt_string(r, "strategy"), copied);
}

void zt_python_copies_a_frame(json_t *r, double frame_bytes)
{
	zt_expect_identity(r, "copy", 0);
	copied_one_frame(r, frame_bytes);
	assert_true(zt_number(r, "copies.hook_bytes_per_transfer") >= frame_bytes);
	assert_true(zt_number(r, "copies.pages_bytes_per_transfer") >= 0.99 * frame_bytes);
	assert_true(zt_number(r, "allocations.frame_sized_per_transfer") >= 1);
}

void zt_python_shares_the_frame(json_t *r, double frame_bytes)
{
	zt_expect_identity(r, "zero-copy", 1);
	assert_true(zt_number(r, "copies.bytes_per_transfer") < frame_bytes / 100);
	assert_true(zt_number(r, "copies.hook_bytes_per_transfer") == 0);
	assert_true(zt_number(r, "copies.pages_bytes_per_transfer") == 0);
	assert_true(zt_number(r, "identity.same_pages") == 1);
}

void zt_python_list_trap(json_t *r, const char *key, double frame_bytes)
{
	char type[64];
	snprintf(type, sizeof(type), "%s.consumer_type", key);
	zt_expect_identity(r, "copy", 0);
	assert_string_equal(zt_string(r, type), "list");
	copied_one_frame(r, frame_bytes);
	/* the Vec or vector (a frame) and the list's references (8 bytes an item): 9 frames */
	assert_true(zt_number(r, "allocations.bytes_per_transfer") >= 9 * frame_bytes);
	assert_true(zt_number(r, "allocations.frame_sized_per_transfer") >= 2);
	/* the list's pages: 8 frames of them written a transfer, none holding the frame */
	double pages = zt_number(r, "pages_written.producer_per_transfer") -
		       zt_number(r, "pages_written.frame_per_transfer");
	assert_true(pages >= 8 * frame_bytes / 4096);
	json_t *flags = json_object_get(r, "flags"), *f;
	size_t i;
	bool unexplained = false;
	json_array_foreach(flags, i, f)
		unexplained |= !strcmp(json_string_value(f), "unexplained-work");
	assert_true(unexplained);
}

/* r's number at key.member. */
static double count(json_t *r, const char *key, const char *member)
{
	char path[128];
	snprintf(path, sizeof(path), "%s.%s", key, member);
	return zt_number(r, path);
}

void zt_python_given_back_once(json_t *r, const char *key)
{
	double taken = count(r, key, "frames_taken");
	assert_true(taken >= 1);
	assert_true(taken == count(r, key, "frames"));
	assert_true(count(r, key, "frames_given_back.at_drop") == taken);
	assert_true(count(r, key, "frames_given_back.while_taking") == 0);
	assert_true(count(r, key, "frames_given_back.later") == 0);
	assert_true(count(r, key, "frames_not_given_back") == 0);
	assert_true(count(r, key, "producer_frames_out") == 0);
}

void zt_python_nothing_left(json_t *doc, size_t n)
{
	json_t *results = json_object_get(doc, "results"), *r;
	size_t i;
	assert_int_equal(json_array_size(results), n);
	json_array_foreach(results, i, r)
		zt_expect_clean(r);
}

const struct zc_frame_geom *zt_python_small_frame(void)
{
	static struct zc_frame_geom g;
	assert_int_equal(zc_frame_geom_init(&g, 640, 480, NULL), 0);
	zc_instrument_set_frame_bytes(g.bytes);
	return &g;
}

void zt_python_probe(const struct zc_strategy *s, bool shares)
{
	/* Every frame-sized block made for the transfer is gone: the frame was given back. */
	zt_probe_transfers(s, zt_python_small_frame(), 1, 2, 0xa5u, shares);
}

void zt_python_probe_list(const struct zc_strategy *s)
{
	void *st = s->setup(zt_python_small_frame(), s->arg, NULL);
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

void zt_python_expect_raise(const char *code, PyObject *type, const char *want)
{
	PyObject *globals = PyDict_New();
	assert_non_null(globals);
	assert_int_equal(PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()), 0);
	PyObject *r = PyRun_String(code, Py_file_input, globals, globals);
	assert_null(r);
	assert_true(PyErr_ExceptionMatches(type));
	PyObject *etype, *value, *tb;
	PyErr_Fetch(&etype, &value, &tb);
	PyObject *text = PyObject_Str(value);
	assert_non_null(text);
	assert_string_equal(PyUnicode_AsUTF8(text), want);
	Py_DECREF(text);
	Py_XDECREF(etype);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	Py_DECREF(globals);
}
