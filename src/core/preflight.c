/*
 * preflight.c: the output directory and the memory a run will need, checked up front.
 */
#include "preflight.h"

#include "quote.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int zc_preflight_out_path(const char *path, struct zc_error *err)
{
	char *copy = strdup(path);
	if (!copy)
		return zc_error_set(err, ZC_EXIT_NOMEM, "out of memory");
	const char *dir = dirname(copy);
	struct stat sb;
	int rc = -1;
	char qp[256], qd[256]; /* a path may hold any byte: the message stays one line */
	zc_quote(path, qp, sizeof(qp));
	zc_quote(dir, qd, sizeof(qd));
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		zc_error_set(err, ZC_EXIT_USAGE, "cannot write '%s': it is a directory", qp);
	else if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		zc_error_set(err, ZC_EXIT_USAGE, "cannot write '%s': directory '%s' does not exist",
			     qp, qd);
	else if (access(dir, W_OK) != 0)
		zc_error_set(err, ZC_EXIT_USAGE,
			     "cannot write '%s': directory '%s' is not writable", qp, qd);
	else
		rc = 0;
	free(copy);
	return rc;
}

/* MemAvailable in bytes, or 0 when unknown. */
static unsigned long long mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	unsigned long long kib = 0;
	char line[128];
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib * 1024;
}

int zc_preflight_memory(const struct zc_frame_geom *g, struct zc_error *err)
{
	unsigned long long avail = mem_available();
	unsigned long long need;
	if (__builtin_mul_overflow((unsigned long long)g->bytes, ZC_FRAMES_IN_FLIGHT, &need) ||
	    (avail && need > avail))
		return zc_error_set(err, ZC_EXIT_USAGE,
				    "frame '%ux%u' needs about %llu MiB (%d frames of %zu bytes), "
				    "more than the %llu MiB available", g->width, g->height,
				    need >> 20, ZC_FRAMES_IN_FLIGHT, g->bytes, avail >> 20);
	return 0;
}
