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
#include "support.h"

const struct zc_strategy *zt_python_find(const struct zc_strategy *const *all, size_t n,
					 const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	fail_msg("no strategy '%s'", name);
	return all[0]; /* not reached: fail_msg ends the test */
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
