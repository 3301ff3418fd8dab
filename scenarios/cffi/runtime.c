/*
 * runtime.c: the embedded interpreter (runtime.h), started as the Python family starts it
 * (scenarios/runtimes/python_embed.h).
 */
#include "runtime.h"

#include <stdio.h>

#define CONSUMER_PATH "scenarios/cffi/consumer.py" /* for tracebacks: where it is edited */

static struct zc_cffi_runtime runtime;

/* consumer.py, compiled from the source in the program, as the module zcbench_consumer. */
static int load(void *ctx, struct zc_error *err)
{
	struct zc_cffi_runtime *rt = ctx;
	rt->consumer = zc_python_load_consumer(zc_cffi_consumer_source, CONSUMER_PATH);
	if (!rt->consumer)
		return zc_python_error(err, "cannot load " CONSUMER_PATH " (cffi: Debian package "
				       "python3-cffi)");
	rt->take = PyUnicode_InternFromString("take");
	rt->read = PyUnicode_InternFromString("read");
	rt->drop = PyUnicode_InternFromString("drop");
	rt->address = PyUnicode_InternFromString("address");
	if (!rt->take || !rt->read || !rt->drop || !rt->address)
		return zc_python_error(err, "cannot name the consumer's methods");
	PyObject *v = PyObject_CallMethod(rt->consumer, "version", NULL);
	const char *s = v && PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : NULL;
	if (!s) {
		Py_XDECREF(v);
		return zc_python_error(err, "cannot ask for cffi's version");
	}
	snprintf(rt->cffi, sizeof(rt->cffi), "%s", s);
	Py_DECREF(v);
	zc_python_version(rt->python, sizeof(rt->python));
	return 0;
}

static const struct zc_python_embed embed = {.load = load, .ctx = &runtime};

const struct zc_cffi_runtime *zc_cffi_start(struct zc_error *err)
{
	return zc_python_embed_start(&embed, err) == 0 ? &runtime : NULL;
}
