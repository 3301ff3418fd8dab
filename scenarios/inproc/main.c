/*
 * inproc: a synchronous call across a real dynamic-library boundary. Two producers, each
 * loaded with dlopen as Dart FFI loads a library: build/lib/libzcproducer.so in C, and
 * build/lib/libzcproducer_rust.so, a Rust cdylib; the consumer is this program.
 */
#include <dlfcn.h>
#include <stdio.h>

#include "error.h"
#include "inproc_strategies.h"
#include "scenario.h"

int main(int argc, char **argv)
{
	struct zc_error err = {0};
	struct zc_producer_api c, rust;
	void *c_lib = NULL, *rust_lib = NULL;
	if (zc_producer_load("../lib/libzcproducer.so", &c, &c_lib, &err) != 0 ||
	    zc_producer_load("../lib/libzcproducer_rust.so", &rust, &rust_lib, &err) != 0) {
		fprintf(stderr, "inproc: %s\n", err.text);
		if (c_lib)
			dlclose(c_lib);
		return err.code;
	}
	zc_inproc_bind(&c, &rust);
	int rc = zc_scenario_main(&zc_inproc_scenario, argc, argv);
	dlclose(rust_lib);
	dlclose(c_lib);
	return rc;
}
