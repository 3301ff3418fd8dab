/*
 * runtime.c: the embedded interpreter (runtime.h), started as the Python family starts it
 * (scenarios/runtimes/python_embed.h).
 */
#include "runtime.h"

#define CONSUMER_PATH "scenarios/cffi/consumer.py" /* for tracebacks: where it is edited */

static struct zc_cffi_runtime runtime;

/* consumer.py, compiled from the source in the program, as the module zcbench_consumer. */
static int load(void *ctx, struct zc_error *err)
{
	struct zc_cffi_runtime *rt = ctx;
	rt->consumer.module = zc_python_load_consumer(zc_cffi_consumer_source, CONSUMER_PATH);
	if (!rt->consumer.module)
		return zc_python_error(err, "cannot load " CONSUMER_PATH " (cffi: Debian package "
				       "python3-cffi)");
	if (zc_python_name_methods(&rt->consumer) != 0 ||
	    !(rt->address = PyUnicode_InternFromString("address")))
		return zc_python_error(err, "cannot name the consumer's methods");
	if (zc_python_ask_version(rt->consumer.module, rt->cffi, sizeof(rt->cffi)) != 0)
		return zc_python_error(err, "cannot ask for cffi's version");
	zc_python_version(rt->python, sizeof(rt->python));
	return 0;
}

static const struct zc_python_embed embed = {.load = load, .ctx = &runtime};

const struct zc_cffi_runtime *zc_cffi_start(struct zc_error *err)
{
	return zc_python_embed_start(&embed, err) == 0 ? &runtime : NULL;
}
