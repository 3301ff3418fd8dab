/*
 * runtime.h: the CPython interpreter the pyo3 boundary embeds, its consumer module
 * (consumer.py, assembled into the program) and the pyo3 module the consumer uses (bridge.h,
 * an extension module beside the program). It starts once per process and is never finalised; the calling thread keeps the
 * GIL.
 */
#ifndef ZC_PY3_RUNTIME_H
#define ZC_PY3_RUNTIME_H

#include "error.h"
#include "python_consumer.h" /* Python.h; zc_python_error records an exception */

/* consumer.py, NUL-terminated (consumer_source.c). */
extern const char zc_py3_consumer_source[];

struct zc_py3_runtime {
	struct zc_python_consumer_module consumer; /* consumer.py, loaded */
	char python[32];                           /* "3.11.2" */
	char pyo3[16]; /* "0.17.3", the crate the module was built with */
};

/*
 * Starts the interpreter in this process, isolated from the environment (PYTHON* variables,
 * the user's site), without signal handlers, loads the consumer and imports the module
 * zcpyo3 from ../lib/pyo3/zcpyo3.so beside the program. Once per process: later calls return the first call's
 * result. NULL with err: ZC_EXIT_NOMEM when memory ran out, else ZC_EXIT_RUNTIME.
 */
const struct zc_py3_runtime *zc_py3_start(struct zc_error *err);

#endif
