/*
 * runtime.c: the embedded interpreter (runtime.h), started as the Python family starts it
 * (scenarios/runtimes/python_embed.h), and the pyo3 module it imports.
 */
#include "runtime.h"

#include <limits.h>
#include <stdio.h>

#include "beside.h"
#include "bridge.h"

#define CONSUMER_PATH "scenarios/pyo3/consumer.py" /* for tracebacks: where it is edited */

#ifndef ZC_PYO3_VERSION
#error "boundary.mk gives ZC_PYO3_VERSION, pyo3's in module/Cargo.lock"
#endif

static struct zc_py3_runtime runtime;

/* consumer.py, compiled from the source in the program, as the module zcbench_consumer. */
static int load(void *ctx, struct zc_error *err)
{
	struct zc_py3_runtime *rt = ctx;
	rt->consumer.module = zc_python_load_consumer(zc_py3_consumer_source, CONSUMER_PATH);
	if (!rt->consumer.module)
		return zc_python_error(err, "cannot load " CONSUMER_PATH);
	if (zc_python_name_methods(&rt->consumer) != 0)
		return zc_python_error(err, "cannot name the consumer's methods");
	char path[PATH_MAX];
	if (zc_beside_program(ZC_PY3_MODULE_PATH, path, sizeof(path), err) != 0)
		return -1;
	PyObject *m = PyObject_CallMethod(rt->consumer.module, "load", "s", path);
	if (!m)
		return zc_python_error(err, "cannot import the pyo3 module " ZC_PY3_MODULE);
	Py_DECREF(m);
	snprintf(rt->pyo3, sizeof(rt->pyo3), "%s", ZC_PYO3_VERSION);
	zc_python_version(rt->python, sizeof(rt->python));
	return 0;
}

static const struct zc_python_embed embed = {.load = load, .ctx = &runtime};

const struct zc_py3_runtime *zc_py3_start(struct zc_error *err)
{
	return zc_python_embed_start(&embed, err) == 0 ? &runtime : NULL;
}
