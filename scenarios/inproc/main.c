/*
 * inproc: a synchronous call across a real dynamic-library boundary. Two producers, each
 * loaded with dlopen as Dart FFI loads a library: build/lib/libzcproducer.so in C, and
 * build/lib/libzcproducer_rust.so, a Rust cdylib; the consumer is this program.
 */
#include <stdio.h>

#include "error.h"
#include "inproc_strategies.h"
#include "scenario.h"

int main(int argc, char **argv)
{
	struct zc_error err = {0};
	if (zc_inproc_open(&err) != 0) {
		fprintf(stderr, "inproc: %s\n", err.text);
		return err.code;
	}
	int rc = zc_scenario_main(&zc_inproc_scenario, argc, argv);
	zc_inproc_close();
	return rc;
}
