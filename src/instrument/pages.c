/*
 * pages.c: pages written, from the page tables: userfaultfd async write-protection read back
 * with PAGEMAP_SCAN, or soft-dirty bits when the kernel has them.
 *
 * The instrument must not disturb what it watches nor the other instruments: its own files are
 * read and written with raw system calls (the kernel-copy hooks do not see them) and its probe
 * memory is mapped the same way (the counting allocator does not see it either).
 */
#include "pages.h"
#include "rawmem.h"
#include "uffd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* /proc/PID/pagemap: bit 55 is soft-dirty, bit 63 present (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_SOFT_DIRTY (1ull << 55)
#define PM_PRESENT (1ull << 63)

/* ---- uffd-wp ------------------------------------------------------------------------- */

static long uffd_count(struct zc_pages *p, bool rearm, struct zc_error *err)
{
	size_t written, watched;
	struct zc_uffd_scan how = {.strict = true, .rearm = rearm};
	if (zc_uffd_scan(p->pagemap, p->start, p->end, how, &written, &watched, err) < 0)
		return -1;
	if (watched != p->npages)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "pagemap: %zu of %zu pages at %#lx are "
				    "still watched (unmapped?)", watched, p->npages, p->start);
	return (long)written;
}

/* The file at path opened with flags; -1 with a reason that names what (its mechanism). */
static int open_proc(const char *what, const char *path, int flags, struct zc_error *err)
{
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "%s: cannot open '%s': %s", what, path,
				    strerror(errno));
	return fd;
}

static int open_pagemap(struct zc_error *err)
{
	return open_proc("pagemap", "/proc/self/pagemap", O_RDONLY, err);
}

static int uffd_init(struct zc_pages *p, struct zc_error *err)
{
	p->uffd = zc_uffd_open(err);
	if (p->uffd < 0)
		return -1;
	if (zc_uffd_watch(p->uffd, p->start, p->end, err) < 0)
		goto out_close_uffd;
	p->pagemap = open_pagemap(err);
	if (p->pagemap < 0)
		goto out_close_uffd;
	p->method = ZC_PAGES_UFFD_WP;
	if (uffd_count(p, false, err) < 0) /* the kernel has PAGEMAP_SCAN */
		goto out_close_pagemap;
	return 0;

out_close_pagemap:
	close(p->pagemap);
	p->pagemap = -1;
out_close_uffd:
	close(p->uffd); /* closing also unregisters and unprotects */
	p->uffd = -1;
	return -1;
}

/* Maps two pages, watches them, writes the second: exactly one must show as written. */
static int uffd_probe(struct zc_error *err)
{
	unsigned long page = zc_page_bytes();
	unsigned char *mem = zc_raw_map(2 * page, false);
	if (!mem)
		return zc_error_set(err, zc_exit_for_errno(errno), "userfaultfd: probe mapping: %s",
				    strerror(errno));
	struct zc_pages p = {.uffd = -1, .pagemap = -1, .pid = getpid(), .start = (uintptr_t)mem,
			     .end = (uintptr_t)mem + 2 * page, .npages = 2};
	int rc = uffd_init(&p, err);
	if (rc == 0) {
		((volatile unsigned char *)mem)[page] = 1;
		long n = uffd_count(&p, false, err);
		if (n >= 0 && n != 1)
			rc = zc_error_set(err, ZC_EXIT_RUNTIME,
					  "userfaultfd: probe saw %ld pages written, not 1", n);
		else if (n < 0)
			rc = -1;
		zc_pages_release(&p);
	}
	zc_raw_unmap(mem, 2 * page);
	return rc;
}

/* ---- soft-dirty ---------------------------------------------------------------------- */

static int clear_soft_dirty(struct zc_error *err)
{
	int fd = open_proc("soft-dirty", "/proc/self/clear_refs", O_WRONLY, err);
	if (fd < 0)
		return -1;
	long n = syscall(SYS_write, fd, "4", 1); /* 4: clear the soft-dirty bits */
	int e = errno;
	close(fd);
	if (n != 1)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "soft-dirty: clear_refs: %s",
				    strerror(e));
	return 0;
}

/* The pagemap entry of the page at addr; 0 with a reason on failure. */
static int pagemap_entry(int pagemap, unsigned long addr, uint64_t *entry, struct zc_error *err)
{
	off_t off = (off_t)(addr / zc_page_bytes() * sizeof(uint64_t));
	if (syscall(SYS_pread64, pagemap, entry, sizeof(*entry), off) != sizeof(*entry))
		return zc_error_set(err, ZC_EXIT_RUNTIME, "soft-dirty: cannot read pagemap: %s",
				    strerror(errno));
	return 0;
}

/* Clears the bits, then writes a present page: its bit 55 must go from clear to set. */
static int soft_dirty_check(int pagemap, volatile unsigned char *mem, struct zc_error *err)
{
	uint64_t before, after;
	mem[0] = 1;
	if (clear_soft_dirty(err) < 0 ||
	    pagemap_entry(pagemap, (uintptr_t)mem, &before, err) < 0)
		return -1;
	mem[0] = 2;
	if (pagemap_entry(pagemap, (uintptr_t)mem, &after, err) < 0)
		return -1;
	if (!(before & PM_PRESENT))
		return zc_error_set(err, ZC_EXIT_RUNTIME,
				    "soft-dirty: pagemap shows no page frames");
	if ((before & PM_SOFT_DIRTY) || !(after & PM_SOFT_DIRTY))
		return zc_error_set(err, ZC_EXIT_RUNTIME, "soft-dirty: bit 55 does not follow "
				    "writes (kernel without CONFIG_MEM_SOFT_DIRTY)");
	return 0;
}

static int soft_dirty_probe(struct zc_error *err)
{
	unsigned long page = zc_page_bytes();
	unsigned char *mem = zc_raw_map(page, false);
	if (!mem)
		return zc_error_set(err, zc_exit_for_errno(errno), "soft-dirty: probe mapping: %s",
				    strerror(errno));
	int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int rc = pagemap < 0 ? zc_error_set(err, ZC_EXIT_RUNTIME,
					    "soft-dirty: cannot open '/proc/self/pagemap': %s",
					    strerror(errno)) :
			       soft_dirty_check(pagemap, mem, err);
	if (pagemap >= 0)
		close(pagemap);
	zc_raw_unmap(mem, page);
	return rc;
}

static long soft_dirty_count(struct zc_pages *p, struct zc_error *err)
{
	uint64_t entries[512];
	unsigned long page = zc_page_bytes();
	size_t done = 0;
	long written = 0;
	while (done < p->npages) {
		size_t n = p->npages - done;
		if (n > sizeof(entries) / sizeof(entries[0]))
			n = sizeof(entries) / sizeof(entries[0]);
		off_t off = (off_t)((p->start / page + done) * sizeof(uint64_t));
		long got = syscall(SYS_pread64, p->pagemap, entries, n * sizeof(uint64_t), off);
		if (got != (long)(n * sizeof(uint64_t)))
			return zc_error_set(err, ZC_EXIT_RUNTIME,
					    "soft-dirty: cannot read pagemap: %s",
					    got < 0 ? strerror(errno) : "short read");
		for (size_t i = 0; i < n; i++)
			written += (entries[i] & PM_SOFT_DIRTY) != 0;
		done += n;
	}
	return written;
}

static int soft_dirty_init(struct zc_pages *p, struct zc_error *err)
{
	if (soft_dirty_probe(err) < 0)
		return -1;
	p->pagemap = open_pagemap(err);
	if (p->pagemap < 0)
		return -1;
	p->method = ZC_PAGES_SOFT_DIRTY;
	return clear_soft_dirty(err);
}

/* ---- the API ------------------------------------------------------------------------- */

int zc_pages_probe(enum zc_pages_method method, struct zc_error *err)
{
	struct zc_error why_uffd = {0}, why_soft = {0};
	switch (method) {
	case ZC_PAGES_UFFD_WP:
		return uffd_probe(err);
	case ZC_PAGES_SOFT_DIRTY:
		return soft_dirty_probe(err);
	case ZC_PAGES_AUTO:
		break;
	}
	if (uffd_probe(&why_uffd) == 0 || soft_dirty_probe(&why_soft) == 0)
		return 0;
	return zc_error_set(err, ZC_EXIT_RUNTIME, "%s; %s", why_uffd.text, why_soft.text);
}

/* Watches p's range with method (AUTO: the first that works). */
static int watch(struct zc_pages *p, enum zc_pages_method method, struct zc_error *err)
{
	if (method == ZC_PAGES_UFFD_WP)
		return uffd_init(p, err);
	if (method == ZC_PAGES_SOFT_DIRTY)
		return soft_dirty_init(p, err);
	struct zc_error why_uffd = {0}, why_soft = {0};
	if (uffd_init(p, &why_uffd) == 0 || soft_dirty_init(p, &why_soft) == 0)
		return 0;
	return zc_error_set(err, ZC_EXIT_RUNTIME, "%s; %s", why_uffd.text, why_soft.text);
}

int zc_pages_init(struct zc_pages *p, void *addr, size_t len, enum zc_pages_method method,
		  struct zc_error *err)
{
	unsigned long page = zc_page_bytes();
	*p = (struct zc_pages){.method = method, .uffd = -1, .pagemap = -1, .pid = getpid()};
	if (!addr || len == 0)
		return zc_error_set(err, ZC_EXIT_USAGE, "pages: empty range");
	p->start = (uintptr_t)addr / page * page;
	p->end = ((uintptr_t)addr + len + page - 1) / page * page;
	p->npages = (p->end - p->start) / page;
	if (watch(p, method, err) == 0)
		return 0;
	zc_pages_release(p);
	return -1;
}

void zc_pages_release(struct zc_pages *p)
{
	if (p->uffd >= 0)
		close(p->uffd);
	if (p->pagemap >= 0)
		close(p->pagemap);
	p->uffd = p->pagemap = -1;
}

size_t zc_pages_count(const struct zc_pages *p)
{
	return p->npages;
}

const char *zc_pages_method_name(const struct zc_pages *p)
{
	return p->method == ZC_PAGES_SOFT_DIRTY ? "soft-dirty" : "uffd-wp";
}

/* A watch read from a fork child would report its parent's pages. */
static int owned(const struct zc_pages *p, struct zc_error *err)
{
	if (p->pid == getpid())
		return 0;
	return zc_error_set(err, ZC_EXIT_USAGE, "pages: the watch belongs to process %d",
			    (int)p->pid);
}

long zc_pages_written(struct zc_pages *p, struct zc_error *err)
{
	if (owned(p, err) < 0)
		return -1;
	if (p->method == ZC_PAGES_SOFT_DIRTY)
		return soft_dirty_count(p, err);
	return uffd_count(p, false, err);
}

int zc_pages_reset(struct zc_pages *p, struct zc_error *err)
{
	if (owned(p, err) < 0)
		return -1;
	if (p->method == ZC_PAGES_SOFT_DIRTY)
		return clear_soft_dirty(err);
	return zc_uffd_protect(p->uffd, p->start, p->end, err);
}

long zc_pages_take(struct zc_pages *p, struct zc_error *err)
{
	if (owned(p, err) < 0)
		return -1;
	if (p->method == ZC_PAGES_SOFT_DIRTY) {
		long n = soft_dirty_count(p, err);
		return n < 0 || clear_soft_dirty(err) < 0 ? -1 : n;
	}
	return uffd_count(p, true, err);
}
