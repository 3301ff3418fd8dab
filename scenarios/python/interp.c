/*
 * interp.c: the embedded interpreter (interp.h), started as the Python family starts it
 * (scenarios/runtimes/python_embed.h), with the exporter module built in.
 */
#include "interp.h"

#include <stdio.h>

#include "exporter.h"

#define CONSUMER_PATH "scenarios/python/consumer.py" /* for tracebacks: where it is edited */

static bool numpy_allowed = true;
static struct zc_py_runtime runtime;

void zc_py_allow_numpy(bool allow)
{
	numpy_allowed = allow;
}

/* numpy's version, or why there is none, as the consumer found it. */
static int find_numpy(struct zc_py_runtime *rt, struct zc_error *err)
{
	PyObject *v = PyObject_CallMethod(rt->consumer.module, "numpy_version", NULL);
	if (!v)
		return zc_python_error(err, "cannot ask the consumer for numpy");
	if (v == Py_None)
		snprintf(rt->numpy_why, sizeof(rt->numpy_why), "%s",
			 numpy_allowed ? "numpy is not installed (Debian package python3-numpy)"
				       : "--no-numpy leaves numpy out");
	else if (PyUnicode_Check(v))
		snprintf(rt->numpy, sizeof(rt->numpy), "%s", PyUnicode_AsUTF8(v));
	Py_DECREF(v);
	return 0;
}

/*
 * consumer.py, compiled from the source in the program, as the module zcbench_consumer.
 * Its errors are read as the family's (zc_python_error): under a small address-space limit an
 * import fails with an OSError that says "Cannot allocate memory" (under ulimit -v 18000 it
 * was numpy's), which is memory running out (exit 4), not a broken consumer.
 */
static int load_consumer(void *ctx, struct zc_error *err)
{
	struct zc_py_runtime *rt = ctx;
	/* Without numpy allowed, "import numpy" fails as it does where numpy is not installed. */
	if (!numpy_allowed && PyDict_SetItemString(PyImport_GetModuleDict(), "numpy", Py_None))
		return zc_python_error(err, "cannot leave numpy out");
	rt->consumer.module = zc_python_load_consumer(zc_py_consumer_source, CONSUMER_PATH);
	if (!rt->consumer.module)
		return zc_python_error(err, "cannot load " CONSUMER_PATH);
	PyObject *exporter = PyImport_ImportModule("_zcbench");
	if (!exporter)
		return zc_python_error(err, "cannot load the module _zcbench");
	Py_DECREF(exporter);
	if (zc_python_name_methods(&rt->consumer) != 0)
		return zc_python_error(err, "cannot name the consumer's methods");
	zc_python_version(rt->version, sizeof(rt->version));
	return find_numpy(rt, err);
}

static const struct zc_python_embed embed = {
	.module = "_zcbench", .module_init = zc_py_exporter_module, .load = load_consumer,
	.ctx = &runtime,
};

const struct zc_py_runtime *zc_py_start(struct zc_error *err)
{
	return zc_python_embed_start(&embed, err) == 0 ? &runtime : NULL;
}
