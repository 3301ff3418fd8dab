/*
 * exporter.h: a native frame as a Python object, _zcbench.Frame: it exports the frame's bytes
 * through the buffer protocol (PEP 3118), read-only, and hands the frame back to the producer
 * when it dies, as a pyo3 class holding a Vec<u8> with __getbuffer__ does. What became of
 * every frame it exported is counted here: by whom and when it was given back.
 */
#ifndef ZC_PY_EXPORTER_H
#define ZC_PY_EXPORTER_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stddef.h>
#include <stdint.h>

#include "producer_api.h"
#include "python_phase.h"

/*
 * Every exporter of this process since it started, by the phase the program was in when it
 * died (the frame is given back then) or a buffer of it was released.
 */
struct zc_py_frame_stats {
	uint64_t created;
	uint64_t died[ZC_PYTHON_PHASES];       /* exporters that died, by phase */
	uint64_t exports;                      /* bf_getbuffer calls */
	uint64_t releases[ZC_PYTHON_PHASES];   /* bf_releasebuffer calls, by phase */
	uint64_t given_back[ZC_PYTHON_PHASES]; /* frames handed back to the producer, by phase */
};

/* The module that holds the type, for PyImport_AppendInittab before the interpreter starts. */
PyObject *zc_py_exporter_module(void);

/*
 * A new exporter of the len bytes at data (a new reference, NULL with a Python exception).
 * With release, the exporter owns the frame and calls release(ctx, data) when it dies; without,
 * it only borrows it (the producer keeps the frame).
 */
PyObject *zc_py_frame_new(unsigned char *data, size_t len, zcp_release_fn release, void *ctx);

/* The phase the program enters (the strategies say so around the consumer's calls). */
void zc_py_set_phase(enum zc_python_phase phase);

const struct zc_py_frame_stats *zc_py_frame_stats(void);

#endif
