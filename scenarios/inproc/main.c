/*
 * inproc: a synchronous call across a real dynamic-library boundary. The producer lives in
 * build/lib/libzcproducer.so, loaded with dlopen like a Rust cdylib called through Dart FFI;
 * the consumer is this program.
 */
#include <dlfcn.h>
#include <stdio.h>

#include "error.h"
#include "inproc_strategies.h"
#include "scenario.h"

int main(int argc, char **argv)
{
	struct zc_error err = {0};
	struct zc_producer_api api;
	void *lib;
	if (zc_producer_load("../lib/libzcproducer.so", &api, &lib, &err) != 0) {
		fprintf(stderr, "inproc: %s\n", err.text);
		return err.code;
	}
	zc_inproc_bind(&api);
	int rc = zc_scenario_main(&zc_inproc_scenario, argc, argv);
	dlclose(lib);
	return rc;
}
