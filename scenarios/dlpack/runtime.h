/*
 * runtime.h: the CPython interpreter the dlpack boundary embeds, with numpy and the exporter
 * module (exporter.h) built in, and its consumer module (consumer.py, assembled into the
 * program). It starts once per process and is never finalised (numpy cannot be initialised
 * twice in one process); the calling thread keeps the GIL.
 */
#ifndef ZC_DL_RUNTIME_H
#define ZC_DL_RUNTIME_H

#include "error.h"
#include "python_consumer.h" /* Python.h; zc_python_error records an exception */

/* consumer.py, NUL-terminated (consumer_source.c). */
extern const char zc_dl_consumer_source[];

struct zc_dl_runtime {
	struct zc_python_consumer_module consumer; /* consumer.py, loaded */
	char python[32];                           /* "3.11.2" */
	char numpy[32];                            /* "1.24.2" */
};

/*
 * Starts the interpreter in this process, isolated from the environment (PYTHON* variables,
 * the user's site), without signal handlers, the module zcdlpack built in, and loads the
 * consumer (which imports numpy). Once per process: later calls return the first call's
 * result. NULL with err: ZC_EXIT_NOMEM when memory ran out, else ZC_EXIT_RUNTIME.
 */
const struct zc_dl_runtime *zc_dl_start(struct zc_error *err);

#endif
