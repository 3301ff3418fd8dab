/*
 * mapped.c: files the program mapped with mmap (issue: "file input mapped with mmap is
 * listed"). A mapped file is read or written in place: no read-like call copies it, so the
 * kernel lines never show it, and the summary says it was there instead.
 *
 * Recorded inside the mmap hook: no allocation, a fixed table (ZCT_MAX_MAPPED; the rest
 * counted), the path read from /proc/self/fd at the call.
 */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "callsite.h"
#include "out.h"
#include "trace.h"

#define ZCT_MAX_MAPPED 64

struct mapped {
	char path[256];
	uint64_t bytes;
	bool writable;
	const void *caller;
};

static struct mapped files[ZCT_MAX_MAPPED];
static atomic_uint nfiles;

void zc__trace_mapped_file(int fd, const void *p, size_t len, int prot, const void *caller)
{
	(void)p;
	unsigned i = atomic_fetch_add(&nfiles, 1);
	if (i >= ZCT_MAX_MAPPED)
		return;
	struct mapped *m = &files[i];
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	long n = syscall(SYS_readlinkat, AT_FDCWD, link, m->path, sizeof(m->path) - 1);
	m->path[n > 0 ? n : 0] = '\0';
	m->bytes = len;
	m->writable = (prot & PROT_WRITE) != 0;
	m->caller = caller;
}

static unsigned stored(void)
{
	unsigned n = atomic_load(&nfiles);
	return n < ZCT_MAX_MAPPED ? n : ZCT_MAX_MAPPED;
}

void zct_write_mapped_files(struct zct_out *o)
{
	unsigned n = stored();
	zct_out_str(o, "  \"mapped_files\": [");
	for (unsigned i = 0; i < n; i++) {
		zct_out_str(o, i ? ",\n    {\"path\": " : "\n    {\"path\": ");
		zct_out_json_str(o, files[i].path);
		zct_out_fmt(o, ", \"bytes\": %llu, \"writable\": %s", (unsigned long long)files[i].bytes,
			    files[i].writable ? "true" : "false");
		zct_write_callsite(o, files[i].caller);
		zct_out_str(o, "}");
	}
	zct_out_fmt(o, "%s],\n  \"dropped_mapped_files\": %u,\n", n ? "\n  " : "",
		    atomic_load(&nfiles) - n);
}

void zct_mapped_files_lines(struct zct_out *o)
{
	unsigned n = stored();
	char c[32];
	for (unsigned i = 0; i < n; i++) {
		if (files[i].bytes < zc__trace_min_bytes)
			continue;
		zct_out_fmt(o, "mapped: %s bytes of %s with mmap (%s in place: no read or write "
			       "call copies them)\n",
			    zct_thousands(files[i].bytes, c, sizeof(c)),
			    files[i].path[0] ? files[i].path : "a file", files[i].writable ? "written" : "read");
	}
	if (atomic_load(&nfiles) > n)
		zct_out_fmt(o, "mapped: %u more files mapped with mmap (not listed)\n",
			    atomic_load(&nfiles) - n);
}
