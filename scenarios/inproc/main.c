/*
 * inproc: a synchronous call across a real dynamic-library boundary. The producer lives in
 * build/lib/libzcproducer.so, loaded with dlopen like a Rust cdylib called through Dart FFI;
 * the consumer is this program.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "inproc_strategies.h"
#include "scenario.h"

/* The producer library sits in ../lib relative to this program. Returns 0, or -1 with err. */
static int producer_path(char *buf, size_t len, struct zc_error *err)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "cannot read '/proc/self/exe': %s",
				    n < 0 ? strerror(errno) : "empty link");
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	if (!slash || snprintf(buf, len, "%s/../lib/libzcproducer.so", exe) >= (int)len)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "cannot find the producer library beside "
				    "'%s'", exe);
	return 0;
}

int main(int argc, char **argv)
{
	char path[PATH_MAX + 32];
	struct zc_error err = {0};
	struct zc_producer_api api;
	void *lib;
	if (producer_path(path, sizeof(path), &err) != 0 ||
	    zc_producer_load(path, &api, &lib, &err) != 0) {
		fprintf(stderr, "inproc: %s\n", err.text);
		return err.code;
	}
	zc_inproc_bind(&api);
	int rc = zc_scenario_main(&zc_inproc_scenario, argc, argv);
	dlclose(lib);
	return rc;
}
