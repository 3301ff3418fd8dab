/*
 * inproc: a synchronous call across a real dynamic-library boundary. The producer lives in
 * build/lib/libzcproducer.so, loaded with dlopen like a Rust cdylib called through Dart FFI;
 * the consumer is this program.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "inproc_strategies.h"
#include "options.h"
#include "scenario.h"

/* The producer library sits in ../lib relative to this program. */
static int producer_path(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	return snprintf(buf, len, "%s/../lib/libzcproducer.so", exe) < (int)len ? 0 : -1;
}

int main(int argc, char **argv)
{
	char path[PATH_MAX + 32], err[512];
	struct zc_producer_api api;
	void *lib;
	if (producer_path(path, sizeof(path)) != 0 ||
	    zc_producer_load(path, &api, &lib, err, sizeof(err)) != 0) {
		fprintf(stderr, "inproc: %s\n", err);
		return ZC_EXIT_RUNTIME;
	}
	zc_inproc_bind(&api);
	int rc = zc_scenario_main(&zc_inproc_scenario, argc, argv);
	dlclose(lib);
	return rc;
}
