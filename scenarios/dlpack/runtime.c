/*
 * runtime.c: the embedded interpreter (runtime.h), with the exporter module built in, started
 * as the Python family starts it (scenarios/runtimes/python_embed.h).
 */
#include "runtime.h"

#include <stdio.h>

#include "exporter.h"

#define CONSUMER_PATH "scenarios/dlpack/consumer.py" /* for tracebacks: where it is edited */

static struct zc_dl_runtime runtime;

/* consumer.py, compiled from the source in the program, as the module zcbench_consumer. */
static int load(void *ctx, struct zc_error *err)
{
	struct zc_dl_runtime *rt = ctx;
	PyObject *exporter = PyImport_ImportModule(ZC_DL_MODULE); /* readies its type */
	if (!exporter)
		return zc_python_error(err, "cannot import " ZC_DL_MODULE);
	Py_DECREF(exporter);
	rt->consumer = zc_python_load_consumer(zc_dl_consumer_source, CONSUMER_PATH);
	if (!rt->consumer)
		return zc_python_error(err, "cannot load " CONSUMER_PATH " (numpy: Debian package "
				       "python3-numpy)");
	rt->take = PyUnicode_InternFromString("take");
	rt->read = PyUnicode_InternFromString("read");
	rt->drop = PyUnicode_InternFromString("drop");
	if (!rt->take || !rt->read || !rt->drop)
		return zc_python_error(err, "cannot name the consumer's methods");
	PyObject *v = PyObject_CallMethod(rt->consumer, "version", NULL);
	const char *s = v && PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : NULL;
	if (!s) {
		Py_XDECREF(v);
		return zc_python_error(err, "cannot ask for numpy's version");
	}
	snprintf(rt->numpy, sizeof(rt->numpy), "%s", s);
	Py_DECREF(v);
	zc_python_version(rt->python, sizeof(rt->python));
	return 0;
}

static const struct zc_python_embed embed = {
	.module = ZC_DL_MODULE, .module_init = zc_dl_module_init, .load = load, .ctx = &runtime,
};

const struct zc_dl_runtime *zc_dl_start(struct zc_error *err)
{
	return zc_python_embed_start(&embed, err) == 0 ? &runtime : NULL;
}
