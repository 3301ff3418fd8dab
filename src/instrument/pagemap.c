/*
 * pagemap.c: physical identity from /proc/PID/pagemap, each frame's kind from
 * /proc/kpageflags. Files are read with raw pread system calls, so that the kernel-copy
 * hooks do not count the instrument's own reads.
 */
#include "pagemap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/kernel-page-flags.h>

/* Documentation/admin-guide/mm/pagemap.rst */
#define PM_PRESENT (1ull << 63)
#define PM_PFN_MASK ((1ull << 55) - 1)

/* Frames held on the stack per pass: 4 KiB of entries a side. */
#define CHUNK 512

static unsigned long page_bytes(void)
{
	return (unsigned long)sysconf(_SC_PAGESIZE);
}

static int open_proc(const char *path, struct zc_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "pagemap: cannot open '%s': %s", path,
				    strerror(errno));
	return fd;
}

static int open_pagemap(pid_t pid, struct zc_error *err)
{
	char path[64];
	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/self/pagemap");
	else
		snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	return open_proc(path, err);
}

/* Reads n 8-byte entries of fd from index first. */
static int read_entries(int fd, const char *what, uint64_t first, uint64_t *out, size_t n,
			struct zc_error *err)
{
	long want = (long)(n * sizeof(uint64_t));
	long got = syscall(SYS_pread64, fd, out, (size_t)want, (off_t)(first * sizeof(uint64_t)));
	if (got != want)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "pagemap: cannot read %s: %s", what,
				    got < 0 ? strerror(errno) : "short read");
	return 0;
}

/*
 * The frames of n pages from page index first: 0 where no page is present. Returns how many
 * are present, or -1 (also when the kernel hides the frame numbers).
 */
static long read_frames(int fd, uint64_t first, uint64_t *pfns, size_t n, struct zc_error *err)
{
	if (read_entries(fd, "pagemap", first, pfns, n, err) < 0)
		return -1;
	long present = 0;
	for (size_t i = 0; i < n; i++) {
		if (!(pfns[i] & PM_PRESENT)) {
			pfns[i] = 0;
			continue;
		}
		pfns[i] &= PM_PFN_MASK;
		if (pfns[i] == 0)
			return zc_error_set(err, ZC_EXIT_RUNTIME, "pagemap: page frame numbers "
					    "read as 0 (needs CAP_SYS_ADMIN)");
		present++;
	}
	return present;
}

int zc_pagemap_probe(struct zc_error *err)
{
	volatile uint64_t here = 1; /* on the stack: its page is present */
	uint64_t pfn;
	int fd = open_pagemap(0, err);
	if (fd < 0)
		return -1;
	long n = read_frames(fd, (uintptr_t)&here / page_bytes(), &pfn, 1, err);
	close(fd);
	if (n < 0)
		return -1;
	if (n != 1)
		return zc_error_set(err, ZC_EXIT_RUNTIME,
				    "pagemap: the probe's own page reads as absent");
	int kpf = open_proc("/proc/kpageflags", err);
	if (kpf < 0)
		return -1;
	close(kpf);
	return 0;
}

long zc_pagemap_frames(pid_t pid, const void *addr, size_t len, uint64_t *pfns, size_t n,
		       struct zc_error *err)
{
	unsigned long page = page_bytes();
	uint64_t first = (uintptr_t)addr / page;
	uint64_t end = ((uintptr_t)addr + len + page - 1) / page;
	if (len == 0 || n != end - first)
		return zc_error_set(err, ZC_EXIT_USAGE,
				    "pagemap: %zu frames asked of a range of %llu pages", n,
				    (unsigned long long)(end - first));
	int fd = open_pagemap(pid, err);
	if (fd < 0)
		return -1;
	long present = 0;
	for (size_t done = 0; done < n;) {
		size_t k = n - done < CHUNK ? n - done : CHUNK;
		long got = read_frames(fd, first + done, pfns + done, k, err);
		if (got < 0) {
			present = -1;
			break;
		}
		present += got;
		done += k;
	}
	close(fd);
	return present;
}

/*
 * Adds to m the pages of fa and fb (n frames each) on one frame: runs of consecutive frames
 * have their flags read in one go.
 */
static int count_same(int kpf, const uint64_t *fa, const uint64_t *fb, size_t n,
		      struct zc_pagemap_match *m, struct zc_error *err)
{
	uint64_t flags[CHUNK];
	const uint64_t cow = (1ull << KPF_ANON) | (1ull << KPF_KSM);
	for (size_t i = 0; i < n;) {
		if (!fa[i] || fa[i] != fb[i]) {
			i++;
			continue;
		}
		size_t run = 1;
		while (i + run < n && fa[i + run] == fb[i + run] && fa[i + run] == fa[i] + run)
			run++;
		if (read_entries(kpf, "/proc/kpageflags", fa[i], flags, run, err) < 0)
			return -1;
		for (size_t k = 0; k < run; k++) {
			if (flags[k] & (1ull << KPF_ZERO_PAGE))
				continue;
			if (flags[k] & cow)
				m->same_cow++;
			else
				m->same++;
		}
		i += run;
	}
	return 0;
}

/* Compares the pages of a and b chunk by chunk; m->pages is set. */
static int compare_frames(int fa, uint64_t first_a, int fb, uint64_t first_b, bool aligned,
			  int kpf, struct zc_pagemap_match *m, struct zc_error *err)
{
	uint64_t pa[CHUNK], pb[CHUNK];
	for (size_t done = 0; done < m->pages;) {
		size_t n = m->pages - done < CHUNK ? m->pages - done : CHUNK;
		if (read_frames(fa, first_a + done, pa, n, err) < 0 ||
		    read_frames(fb, first_b + done, pb, n, err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			m->present += pa[i] && pb[i];
		if (aligned && count_same(kpf, pa, pb, n, m, err) < 0)
			return -1;
		done += n;
	}
	return 0;
}

static uint64_t fnv1a(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		h ^= (v >> (8 * i)) & 0xff;
		h *= 0x100000001b3ull;
	}
	return h;
}

/*
 * Adds to d the present frames of pfns (n of them) that prove nothing: the zero page, KSM.
 * Runs of consecutive frames have their flags read in one go.
 */
static int count_unproven(int kpf, const uint64_t *pfns, size_t n, struct zc_pagemap_digest *d,
			  struct zc_error *err)
{
	const uint64_t proves_nothing = (1ull << KPF_ZERO_PAGE) | (1ull << KPF_KSM);
	uint64_t flags[CHUNK];
	for (size_t i = 0; i < n;) {
		if (!pfns[i]) {
			i++;
			continue;
		}
		size_t run = 1;
		while (i + run < n && pfns[i + run] == pfns[i] + run)
			run++;
		if (read_entries(kpf, "/proc/kpageflags", pfns[i], flags, run, err) < 0)
			return -1;
		for (size_t k = 0; k < run; k++)
			d->unproven += (flags[k] & proves_nothing) != 0;
		i += run;
	}
	return 0;
}

int zc_pagemap_digest(pid_t pid, const void *addr, size_t len, struct zc_pagemap_digest *out,
		      struct zc_error *err)
{
	unsigned long page = page_bytes();
	uintptr_t ua = (uintptr_t)addr;
	uint64_t pfns[CHUNK];
	*out = (struct zc_pagemap_digest){.hash = fnv1a(0xcbf29ce484222325ull, ua % page)};
	if (len == 0)
		return zc_error_set(err, ZC_EXIT_USAGE, "pagemap: empty range");
	out->pages = (ua + len + page - 1) / page - ua / page;

	int rc = -1;
	int fd = open_pagemap(pid, err);
	if (fd < 0)
		return -1;
	int kpf = open_proc("/proc/kpageflags", err);
	if (kpf < 0)
		goto out_close_pagemap;
	for (size_t done = 0; done < out->pages;) {
		size_t n = out->pages - done < CHUNK ? out->pages - done : CHUNK;
		long present = read_frames(fd, ua / page + done, pfns, n, err);
		if (present < 0 || count_unproven(kpf, pfns, n, out, err) < 0)
			goto out_close_kpf;
		out->present += (size_t)present;
		for (size_t i = 0; i < n; i++)
			out->hash = fnv1a(out->hash, pfns[i]);
		done += n;
	}
	rc = 0;
out_close_kpf:
	close(kpf);
out_close_pagemap:
	close(fd);
	return rc;
}

int zc_pagemap_compare(pid_t pid_a, const void *a, pid_t pid_b, const void *b, size_t len,
		       struct zc_pagemap_match *out, struct zc_error *err)
{
	unsigned long page = page_bytes();
	uintptr_t ua = (uintptr_t)a, ub = (uintptr_t)b;
	*out = (struct zc_pagemap_match){0};
	if (len == 0)
		return zc_error_set(err, ZC_EXIT_USAGE, "pagemap: empty range");
	out->pages = (ua + len + page - 1) / page - ua / page;

	int rc = -1;
	int fa = open_pagemap(pid_a, err);
	if (fa < 0)
		return -1;
	int fb = open_pagemap(pid_b, err);
	if (fb < 0)
		goto out_close_a;
	int kpf = open_proc("/proc/kpageflags", err);
	if (kpf < 0)
		goto out_close_b;
	rc = compare_frames(fa, ua / page, fb, ub / page, ua % page == ub % page, kpf, out, err);
	out->fraction = (double)out->same / (double)out->pages;
	close(kpf);
out_close_b:
	close(fb);
out_close_a:
	close(fa);
	return rc;
}
