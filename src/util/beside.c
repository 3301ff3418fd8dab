/*
 * beside.c: files beside the program (beside.h).
 */
#include "beside.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int zc_beside_program(const char *rel, char *buf, size_t len, struct zc_error *err)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "cannot read '/proc/self/exe': %s",
				    n < 0 ? strerror(errno) : "empty link");
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "the program '%s' has no folder", exe);
	*slash = '\0';
	if ((size_t)snprintf(buf, len, "%s/%s", exe, rel) >= len)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "the path of '%s' beside '%s' is too long",
				    rel, exe);
	return 0;
}

void *zc_beside_load(const char *rel, const char *symbol, void **fn, struct zc_error *err)
{
	char path[PATH_MAX];
	if (zc_beside_program(rel, path, sizeof(path), err) != 0)
		return NULL;
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		zc_error_set(err, ZC_EXIT_RUNTIME, "cannot load '%s': %s", path, dlerror());
		return NULL;
	}
	*fn = dlsym(h, symbol);
	if (!*fn) {
		zc_error_set(err, ZC_EXIT_RUNTIME, "'%s' has no symbol '%s'", path, symbol);
		dlclose(h);
		return NULL;
	}
	return h;
}
