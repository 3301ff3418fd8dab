/*
 * runtime.h: the CPython interpreter the cffi boundary embeds, and its consumer module
 * (consumer.py, assembled into the program), in which cffi drives the producer library. It
 * starts once per process and is never finalised; the calling thread keeps the GIL.
 */
#ifndef ZC_CFFI_RUNTIME_H
#define ZC_CFFI_RUNTIME_H

#include "error.h"
#include "python_consumer.h" /* Python.h; zc_python_error records an exception */

/* consumer.py, NUL-terminated (consumer_source.c). */
extern const char zc_cffi_consumer_source[];

struct zc_cffi_runtime {
	struct zc_python_consumer_module consumer; /* consumer.py, loaded */
	PyObject *address; /* the Consumer's member naming the producer's frame, interned */
	char python[32];   /* "3.11.2" */
	char cffi[32];     /* "1.15.1" */
};

/*
 * Starts the interpreter in this process, isolated from the environment (PYTHON* variables,
 * the user's site), without signal handlers, and loads the consumer (which imports cffi).
 * Once per process: later calls return the first call's result. NULL with err: ZC_EXIT_NOMEM
 * when memory ran out, else ZC_EXIT_RUNTIME.
 */
const struct zc_cffi_runtime *zc_cffi_start(struct zc_error *err);

#endif
