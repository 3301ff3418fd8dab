/*
 * python_test.h: what the Python family's cmocka tests share (test_python, test_cffi,
 * test_dlpack, test_pyo3, test_pybind11); linked into those tests only (python_runtime.mk).
 * Call these from a cmocka test: a failed check fails it.
 */
#ifndef ZC_PYTHON_TEST_H
#define ZC_PYTHON_TEST_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <jansson.h>
#include <stddef.h>

#include "strategy.h"

/* The strategy of all (n of them) named name; without one the test fails. */
const struct zc_strategy *zt_python_find(const struct zc_strategy *const *all, size_t n,
					 const char *name);

/*
 * Result r's frames, its extra key's counts: it took at least one, one a frame, and gave
 * every one back once, at the consumer's drop; the producer has none out.
 */
void zt_python_given_back_once(json_t *r, const char *key);

/* code, run in globals of its own, raises an exception of type whose words are want. */
void zt_python_expect_raise(const char *code, PyObject *type, const char *want);

/* doc holds n results, each of them clean (zt_expect_clean). */
void zt_python_nothing_left(json_t *doc, size_t n);

#endif
