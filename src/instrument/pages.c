/*
 * pages.c: pages written, from the page tables: userfaultfd async write-protection read back
 * with PAGEMAP_SCAN, or soft-dirty bits when the kernel has them.
 *
 * The instrument must not disturb what it watches nor the other instruments: its own files are
 * read and written with raw system calls (the kernel-copy hooks do not see them) and its probe
 * memory is mapped the same way (the counting allocator does not see it either).
 */
#include "pages.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/fs.h>
#include <linux/types.h>
#include <linux/userfaultfd.h>

/* From include/uapi/linux/userfaultfd.h of Linux 6.7 (Debian 12's headers are 6.1's). */
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef UFFD_FEATURE_WP_HUGETLBFS_SHMEM
#define UFFD_FEATURE_WP_HUGETLBFS_SHMEM (1 << 12)
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif

/* From include/uapi/linux/fs.h of Linux 6.7: the PAGEMAP_SCAN ioctl. */
#ifndef PAGEMAP_SCAN
struct page_region {
	__u64 start;
	__u64 end; /* exclusive */
	__u64 categories;
};

struct pm_scan_arg {
	__u64 size;
	__u64 flags;
	__u64 start;
	__u64 end;
	__u64 walk_end;
	__u64 vec;
	__u64 vec_len;
	__u64 max_pages;
	__u64 category_inverted;
	__u64 category_mask;
	__u64 category_anyof_mask;
	__u64 return_mask;
};

#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#endif
#ifndef PAGE_IS_WPALLOWED
#define PAGE_IS_WPALLOWED (1 << 0)
#endif
#ifndef PAGE_IS_WRITTEN
#define PAGE_IS_WRITTEN (1 << 1)
#endif
#ifndef PM_SCAN_WP_MATCHING
#define PM_SCAN_WP_MATCHING (1 << 0)
#endif
#ifndef PM_SCAN_CHECK_WPASYNC
#define PM_SCAN_CHECK_WPASYNC (1 << 1)
#endif

/* /proc/PID/pagemap: bit 55 is soft-dirty, bit 63 present (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_SOFT_DIRTY (1ull << 55)
#define PM_PRESENT (1ull << 63)

/*
 * Features the watch needs (the kernel turns WP_UNPOPULATED on with WP_ASYNC anyway: first
 * writes to never-touched pages count, reads do not); the shmem one, for memfd ranges, is
 * asked for when the kernel has it.
 */
#define UFFD_NEEDED (UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED)

static unsigned long page_bytes(void)
{
	return (unsigned long)sysconf(_SC_PAGESIZE);
}

/* Memory of the instrument's own, unseen by the counting allocator. */
static void *raw_map(size_t len)
{
	long p = syscall(SYS_mmap, NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	return p == -1 ? NULL : (void *)p;
}

static void raw_unmap(void *p, size_t len)
{
	syscall(SYS_munmap, p, len);
}

/* ---- uffd-wp ------------------------------------------------------------------------- */

/* A userfaultfd with async write-protection; -1 with a reason. */
static int uffd_open(struct zc_error *err)
{
	static const __u64 wanted[] = {UFFD_NEEDED | UFFD_FEATURE_WP_HUGETLBFS_SHMEM, UFFD_NEEDED};
	/*
	 * User-mode-only descriptors need no privilege (vm.unprivileged_userfaultfd=0 allows
	 * them) and lose nothing here: async faults are resolved in the kernel, never delivered.
	 */
	int flags = O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY;
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		int fd = (int)syscall(SYS_userfaultfd, flags);
		if (fd < 0 && errno == EINVAL) { /* before Linux 5.11: no user-mode-only flag */
			flags &= ~UFFD_USER_MODE_ONLY;
			fd = (int)syscall(SYS_userfaultfd, flags);
		}
		if (fd < 0)
			return zc_error_set(err, ZC_EXIT_RUNTIME, "userfaultfd: %s",
					    strerror(errno));
		struct uffdio_api api = {.api = UFFD_API, .features = wanted[i]};
		if (ioctl(fd, UFFDIO_API, &api) == 0)
			return fd;
		int e = errno;
		close(fd);
		if (e != EINVAL)
			return zc_error_set(err, ZC_EXIT_RUNTIME, "userfaultfd: UFFDIO_API: %s",
					    strerror(e));
	}
	return zc_error_set(err, ZC_EXIT_RUNTIME, "userfaultfd: no UFFD_FEATURE_WP_ASYNC and "
			    "WP_UNPOPULATED (Linux 6.7+)");
}

static int uffd_protect(int uffd, unsigned long start, unsigned long end, struct zc_error *err)
{
	struct uffdio_writeprotect wp = {
		.range = {.start = start, .len = end - start},
		.mode = UFFDIO_WRITEPROTECT_MODE_WP,
	};
	if (ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) < 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "userfaultfd: UFFDIO_WRITEPROTECT: %s",
				    strerror(errno));
	return 0;
}

/* Registers [start, end) for async write-protection and protects it. */
static int uffd_watch(int uffd, unsigned long start, unsigned long end, struct zc_error *err)
{
	struct uffdio_register reg = {
		.range = {.start = start, .len = end - start},
		.mode = UFFDIO_REGISTER_MODE_WP,
	};
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) < 0) {
		int e = errno;
		return zc_error_set(err, ZC_EXIT_RUNTIME,
				    "userfaultfd: cannot watch %#lx-%#lx: %s%s", start, end,
				    strerror(e),
				    e == EBUSY ? " (already watched)" :
				    e == EINVAL ? " (not anonymous or shmem memory)" : "");
	}
	return uffd_protect(uffd, start, end, err);
}

/*
 * One pass of PAGEMAP_SCAN over [start, end) with flags (PM_SCAN_WP_MATCHING re-protects
 * the written pages it reports). Counts the written pages into *written and the pages that
 * are watched at all into *watched. Allocates nothing: the regions live on the stack and
 * the walk resumes where the kernel stopped when they fill up.
 */
static int scan(int pagemap, unsigned long start, unsigned long end, __u64 flags,
		size_t *written, size_t *watched, struct zc_error *err)
{
	struct page_region vec[64];
	unsigned long page = page_bytes();
	*written = *watched = 0;
	while (start < end) {
		struct pm_scan_arg arg = {
			.size = sizeof(arg),
			.flags = flags | PM_SCAN_CHECK_WPASYNC,
			.start = start,
			.end = end,
			.vec = (uintptr_t)vec,
			.vec_len = sizeof(vec) / sizeof(vec[0]),
			.return_mask = PAGE_IS_WRITTEN | PAGE_IS_WPALLOWED,
		};
		long n = ioctl(pagemap, PAGEMAP_SCAN, &arg);
		if (n < 0) {
			int e = errno;
			return zc_error_set(err, ZC_EXIT_RUNTIME, "pagemap: PAGEMAP_SCAN: %s%s",
					    strerror(e),
					    e == EPERM ? " (the range is no longer watched)" :
					    e == ENOTTY ? " (Linux 6.7+)" : "");
		}
		for (long i = 0; i < n; i++) {
			size_t pages = (vec[i].end - vec[i].start) / page;
			if (vec[i].categories & PAGE_IS_WPALLOWED)
				*watched += pages;
			if (vec[i].categories & PAGE_IS_WRITTEN)
				*written += pages;
		}
		if (arg.walk_end <= start)
			return zc_error_set(err, ZC_EXIT_RUNTIME,
					    "pagemap: PAGEMAP_SCAN stopped at %#lx", start);
		start = arg.walk_end;
	}
	return 0;
}

static long uffd_count(struct zc_pages *p, __u64 flags, struct zc_error *err)
{
	size_t written, watched;
	if (scan(p->pagemap, p->start, p->end, flags, &written, &watched, err) < 0)
		return -1;
	if (watched != p->npages)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "pagemap: %zu of %zu pages at %#lx are "
				    "still watched (unmapped?)", watched, p->npages, p->start);
	return (long)written;
}

static int open_pagemap(struct zc_error *err)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME,
				    "pagemap: cannot open '/proc/self/pagemap': %s",
				    strerror(errno));
	return fd;
}

static int uffd_init(struct zc_pages *p, struct zc_error *err)
{
	p->uffd = uffd_open(err);
	if (p->uffd < 0)
		return -1;
	if (uffd_watch(p->uffd, p->start, p->end, err) < 0)
		goto out_close_uffd;
	p->pagemap = open_pagemap(err);
	if (p->pagemap < 0)
		goto out_close_uffd;
	p->method = ZC_PAGES_UFFD_WP;
	if (uffd_count(p, 0, err) < 0) /* the kernel has PAGEMAP_SCAN */
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
	unsigned long page = page_bytes();
	unsigned char *mem = raw_map(2 * page);
	if (!mem)
		return zc_error_set(err, zc_exit_for_errno(errno), "userfaultfd: probe mapping: %s",
				    strerror(errno));
	struct zc_pages p = {.uffd = -1, .pagemap = -1, .pid = getpid(), .start = (uintptr_t)mem,
			     .end = (uintptr_t)mem + 2 * page, .npages = 2};
	int rc = uffd_init(&p, err);
	if (rc == 0) {
		((volatile unsigned char *)mem)[page] = 1;
		long n = uffd_count(&p, 0, err);
		if (n >= 0 && n != 1)
			rc = zc_error_set(err, ZC_EXIT_RUNTIME,
					  "userfaultfd: probe saw %ld pages written, not 1", n);
		else if (n < 0)
			rc = -1;
		zc_pages_release(&p);
	}
	raw_unmap(mem, 2 * page);
	return rc;
}

/* ---- soft-dirty ---------------------------------------------------------------------- */

static int clear_soft_dirty(struct zc_error *err)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME,
				    "soft-dirty: cannot open '/proc/self/clear_refs': %s",
				    strerror(errno));
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
	off_t off = (off_t)(addr / page_bytes() * sizeof(uint64_t));
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
	unsigned long page = page_bytes();
	unsigned char *mem = raw_map(page);
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
	raw_unmap(mem, page);
	return rc;
}

static long soft_dirty_count(struct zc_pages *p, struct zc_error *err)
{
	uint64_t entries[512];
	unsigned long page = page_bytes();
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
	unsigned long page = page_bytes();
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
	return uffd_count(p, 0, err);
}

int zc_pages_reset(struct zc_pages *p, struct zc_error *err)
{
	if (owned(p, err) < 0)
		return -1;
	if (p->method == ZC_PAGES_SOFT_DIRTY)
		return clear_soft_dirty(err);
	return uffd_protect(p->uffd, p->start, p->end, err);
}

long zc_pages_take(struct zc_pages *p, struct zc_error *err)
{
	if (owned(p, err) < 0)
		return -1;
	if (p->method == ZC_PAGES_SOFT_DIRTY) {
		long n = soft_dirty_count(p, err);
		return n < 0 || clear_soft_dirty(err) < 0 ? -1 : n;
	}
	return uffd_count(p, PM_SCAN_WP_MATCHING, err);
}
