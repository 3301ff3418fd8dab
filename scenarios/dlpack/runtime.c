/*
 * runtime.c: the embedded interpreter (runtime.h), with the exporter module built in, started
 * as the Python family starts it (scenarios/runtimes/python_embed.h).
 */
#include "runtime.h"

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
	rt->consumer.module = zc_python_load_consumer(zc_dl_consumer_source, CONSUMER_PATH);
	if (!rt->consumer.module)
		return zc_python_error(err, "cannot load " CONSUMER_PATH " (numpy: Debian package "
				       "python3-numpy)");
	if (zc_python_name_methods(&rt->consumer) != 0)
		return zc_python_error(err, "cannot name the consumer's methods");
	if (zc_python_ask_version(rt->consumer.module, rt->numpy, sizeof(rt->numpy)) != 0)
		return zc_python_error(err, "cannot ask for numpy's version");
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
