/*
 * python_embed.h: the CPython interpreter the Python family of boundaries embeds (python,
 * cffi, dlpack, pyo3), started the one way they share: isolated from the environment
 * (PYTHON* variables, the user's site), without signal handlers (SIGINT stays the runner's),
 * from the home of the Python the headers belong to. It starts once per process and is never
 * finalised (numpy cannot be initialised twice in one process); the calling thread keeps the
 * GIL. A boundary's own part, its consumer and modules, is loaded by its load hook
 * (consumer.py: python_consumer.h).
 */
#ifndef ZC_PYTHON_EMBED_H
#define ZC_PYTHON_EMBED_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* How a boundary's interpreter is made. */
struct zc_python_embed {
	const char *module;              /* a module built in before the start, or NULL */
	PyObject *(*module_init)(void);  /* its init function */
	/* After the start: loads the boundary's part into ctx. 0, or -1 with err. */
	int (*load)(void *ctx, struct zc_error *err);
	void *ctx;
};

/*
 * Starts the interpreter in this process as e says, then e->load. Once per process: later
 * calls return the first call's result. 0, or -1 with err: ZC_EXIT_NOMEM when memory ran
 * out, else ZC_EXIT_RUNTIME.
 */
int zc_python_embed_start(const struct zc_python_embed *e, struct zc_error *err);

/* The interpreter's version, "3.11.2", into buf. */
void zc_python_version(char *buf, size_t size);

/* self.name(a, b), a and b optional (NULL, b only with a), as a vectorcall: a new reference. */
static inline PyObject *zc_python_call(PyObject *name, PyObject *self, PyObject *a, PyObject *b)
{
	PyObject *args[] = {self, a, b};
	size_t n = b ? 3 : a ? 2 : 1;
	return PyObject_VectorcallMethod(name, args, n | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
}

/*
 * The write-through probe's reading: the consumer's read(offset), the method named read,
 * reads a byte of the frame through its own object. 0 with *value, or -1 with err, in the
 * words of error (zc_python_error, zc_python_error_plain).
 */
int zc_python_read_byte(PyObject *consumer, PyObject *read, size_t offset,
			unsigned char *value, int (*error)(struct zc_error *, const char *),
			struct zc_error *err);

/*
 * Records the pending Python exception in err as one line ("ValueError: ...") after what,
 * and clears it: ZC_EXIT_NOMEM, the line beginning "out of memory: ", for a MemoryError or
 * a library that could not be mapped, else ZC_EXIT_RUNTIME. Returns -1.
 */
int zc_python_error(struct zc_error *err, const char *what);

/*
 * zc_python_error as the python boundary has it: ZC_EXIT_NOMEM and "out of memory: " for a
 * MemoryError alone, not for words that say memory ran out.
 */
int zc_python_error_plain(struct zc_error *err, const char *what);

#endif
