/*
 * python_consumer.h: the consumer of the Python family's rows, as C holds it (python, cffi,
 * dlpack, pyo3; pybind11's C++ holds its own, embed.cc): consumer.py, compiled from the
 * source in the program, and a row's consumer.Consumer object with the object of the frame
 * it took, held until its drop, through which Python reads a byte for the probe; the bridge's
 * drop, read and close of such a row (python_rows.h). What differs between the boundaries on
 * purpose is said in their struct zc_python_calls.
 */
#ifndef ZC_PYTHON_CONSUMER_H
#define ZC_PYTHON_CONSUMER_H

#include "python_embed.h" /* Python.h */

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "python_phase.h"
#include "python_rows.h"

/* consumer.py, loaded: its module and the names of the Consumer's methods rows call. */
struct zc_python_consumer_module {
	PyObject *module;             /* zcbench_consumer */
	PyObject *take, *read, *drop; /* interned */
};

/*
 * consumer.py, compiled from source (NUL-terminated, in the program) as the module
 * zcbench_consumer, path naming it in tracebacks. A new reference, or NULL with the
 * exception pending.
 */
PyObject *zc_python_load_consumer(const char *source, const char *path);

/* Interns the names of m's methods (take, read, drop). 0, or -1 with the exception pending. */
int zc_python_name_methods(struct zc_python_consumer_module *m);

/*
 * module's version(), a string (the consumer's library's: cffi's, numpy's), into buf. 0, or
 * -1 with the exception pending (none when it was no string).
 */
int zc_python_ask_version(PyObject *module, char *buf, size_t size);

/* How a boundary calls its consumers. */
struct zc_python_calls {
	/*
	 * Records the pending exception in err after what and returns -1: zc_python_error, or
	 * the python boundary's own wording, zc_python_error_plain.
	 */
	int (*error)(struct zc_error *err, const char *what);
	/* Where the program is, for a boundary that counts frames by phase; NULL: none (cffi). */
	void (*set_phase)(enum zc_python_phase phase);
	/*
	 * The drop's phase begins only once C has let the object's bytes and its reference go
	 * (python, whose exporter counts buffer releases by phase: at the drop, the consumer's
	 * alone); else before them.
	 */
	bool phase_after_view;
};

/* A row's consumer and what it holds between a take and the drop. */
struct zc_python_consumer {
	const struct zc_python_calls *calls;
	const struct zc_python_consumer_module *module;
	PyObject *self;   /* module's Consumer(...): the row's own, made by the boundary */
	PyObject *frame;  /* its object of the frame in flight, set by the take; NULL: none */
	Py_buffer view;   /* that object's bytes, held from the take to the drop */
	bool has_view;
	const char *type; /* the type of its last object */
};

/*
 * Holds frame, what the consumer's take returned (NULL: it refused the frame, the exception
 * pending), as its object of the frame in flight, and the object's type. 0, or -1 with err.
 */
int zc_python_consumer_hold(struct zc_python_consumer *c, PyObject *frame, struct zc_error *err);

/*
 * The consumer drops its object: C lets the object's bytes and its reference go, then the
 * consumer's drop() lets its own go, in the phase DROPPING (from where phase_after_view
 * says). Nothing when it holds none; why it could not into err.
 */
void zc_python_consumer_drop(struct zc_python_consumer *c, struct zc_error *err);

/* Drops what c holds (why it could not into err), then lets the consumer go. */
void zc_python_consumer_close(struct zc_python_consumer *c, struct zc_error *err);

/*
 * The family's state of a row whose consumer C holds (python_rows.h): the boundary's state
 * begins with it, and its bridge's drop and read can be these.
 */
struct zc_python_consumer_row {
	struct zc_python_row row;
	struct zc_python_consumer consumer;
};

/* A bridge's drop: zc_python_consumer_drop of r's consumer (a zc_python_consumer_row). */
void zc_python_consumer_row_drop(struct zc_python_row *r, struct zc_error *err);

/*
 * A bridge's close: zc_python_consumer_close of r's consumer (a zc_python_consumer_row), a
 * failed drop kept in r->dropped, then a collection: an owner of a frame that a reference
 * cycle held goes now, its frame with it.
 */
void zc_python_consumer_row_close(struct zc_python_row *r);

/*
 * A bridge's read: zc_python_read_byte through r's consumer (a zc_python_consumer_row), in
 * the words of its calls' error.
 */
int zc_python_consumer_row_read(struct zc_python_row *r, size_t offset, unsigned char *value,
				struct zc_error *err);

#endif
