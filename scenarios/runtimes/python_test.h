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
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "frame.h"
#include "strategy.h"

/*
 * A cmocka group's setup: scenario's --quick run of every strategy at 1920x1080, in one
 * measuring process, into *doc (zt_group_run; zt_group_teardown releases it), then
 * zt_python_start. 0, or -1 with why on stderr.
 */
int zt_python_group_setup(const char *scenario, json_t **doc, int (*open)(struct zc_error *),
			  int (*prepare)(struct zc_error *));

/*
 * The producer library loaded (open) and the interpreter started (prepare) in this process,
 * as a measuring one does. 0, or -1 with "test_SCENARIO: why" on stderr.
 */
int zt_python_start(const char *scenario, int (*open)(struct zc_error *),
		    int (*prepare)(struct zc_error *));

/* The strategy named name of those strategies returns; without one the test fails. */
const struct zc_strategy *zt_python_find(const struct zc_strategy *const *(*strategies)(size_t *n),
					 const char *name);

/* Result r copies one frame of frame_bytes, as the copy functions and the pages written saw. */
void zt_python_copies_a_frame(json_t *r, double frame_bytes);

/*
 * Result r shares the frame: the consumer reads the producer's bytes, on the same physical
 * pages, and not a hundredth of a frame of frame_bytes is copied.
 */
void zt_python_shares_the_frame(json_t *r, double frame_bytes);

/*
 * Result r, a list's row (Vec_u8, vector_list) at frames of frame_bytes, its extra under key:
 * the copy of the frame into the Vec or vector (one frame, by the copy functions), then a
 * list whose items are references, 8 bytes for every byte of the frame: no frame bytes in it,
 * but eight frames' worth of pages written a transfer, which the row flags.
 */
void zt_python_list_trap(json_t *r, const char *key, double frame_bytes);

/*
 * Result r's frames, its extra key's counts: it took at least one, one a frame, and gave
 * every one back once, at the consumer's drop; the producer has none out.
 */
void zt_python_given_back_once(json_t *r, const char *key);

/* doc holds n results, each of them clean (zt_expect_clean). */
void zt_python_nothing_left(json_t *doc, size_t n);

/* A 640x480 frame, its size told to the instruments: the frame the tests drive rows on here. */
const struct zc_frame_geom *zt_python_small_frame(void);

/*
 * One transfer of s on a small frame (zt_probe_transfers): the producer changes a byte after
 * the hand-over and Python reads it through the consumer's own object. The row sees the
 * change exactly when it shares, and the view's bytes are the producer's then.
 */
void zt_python_probe(const struct zc_strategy *s, bool shares);

/*
 * A list's row (Vec_u8, vector_list) on a small frame: the consumer's list has no bytes to
 * point at (no view), its items are the frame's bytes (checked in full when rendered), and
 * the producer's later change does not reach it.
 */
void zt_python_probe_list(const struct zc_strategy *s);

/* code, run in globals of its own, raises an exception of type whose words are want. */
void zt_python_expect_raise(const char *code, PyObject *type, const char *want);

#endif
