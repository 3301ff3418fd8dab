/*
 * interp.h: the CPython interpreter this process embeds. It starts once per process and is
 * never finalised (numpy cannot be initialised twice in one process); what the strategies
 * reach in it is here: the consumer module (consumer.py, assembled into the program) and the
 * names of its methods.
 */
#ifndef ZC_PY_INTERP_H
#define ZC_PY_INTERP_H

#include <stdbool.h>

#include "error.h"
#include "python_consumer.h" /* Python.h; zc_python_error records an exception */

/* consumer.py, NUL-terminated (consumer_source.c). */
extern const char zc_py_consumer_source[];

struct zc_py_runtime {
	struct zc_python_consumer_module consumer; /* consumer.py, loaded */
	char version[32];                          /* "3.11.2" */
	char numpy[32];      /* numpy's version; "" when it is not there */
	char numpy_why[128]; /* then why not */
};

/* Whether the interpreter may import numpy (--no-numpy says no); before zc_py_start. */
void zc_py_allow_numpy(bool allow);

/*
 * Starts the interpreter in this process, isolated from the environment (PYTHON* variables,
 * the user's site), without signal handlers (SIGINT stays the runner's), and loads the
 * consumer. Once per process: later calls return the first call's result. NULL with err:
 * ZC_EXIT_NOMEM when memory ran out, else ZC_EXIT_RUNTIME. The calling thread keeps the GIL.
 */
const struct zc_py_runtime *zc_py_start(struct zc_error *err);

#endif
