/*
 * uffd.c: userfaultfd async write-protection and PAGEMAP_SCAN (uffd.h).
 */
#include "uffd.h"
#include "rawmem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
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
#ifndef PAGE_IS_PRESENT
#define PAGE_IS_PRESENT (1 << 3)
#endif
#ifndef PAGE_IS_PFNZERO
#define PAGE_IS_PFNZERO (1 << 5)
#endif
#ifndef PM_SCAN_WP_MATCHING
#define PM_SCAN_WP_MATCHING (1 << 0)
#endif
#ifndef PM_SCAN_CHECK_WPASYNC
#define PM_SCAN_CHECK_WPASYNC (1 << 1)
#endif

/*
 * Features the watch needs (the kernel turns WP_UNPOPULATED on with WP_ASYNC anyway: first
 * writes to never-touched pages count, reads do not); the shmem one, for memfd ranges, is
 * asked for when the kernel has it.
 */
#define UFFD_NEEDED (UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED)


/* A userfaultfd with async write-protection; -1 with a reason. */
int zc_uffd_open(struct zc_error *err)
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

int zc_uffd_protect(int uffd, unsigned long start, unsigned long end, struct zc_error *err)
{
	struct uffdio_writeprotect wp = {
		.range = {.start = start, .len = end - start},
		.mode = UFFDIO_WRITEPROTECT_MODE_WP,
	};
	if (ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) < 0) {
		int e = errno;
		zc_error_set(err, ZC_EXIT_RUNTIME, "userfaultfd: UFFDIO_WRITEPROTECT: %s",
			     strerror(e));
		errno = e;
		return -1;
	}
	return 0;
}

/* Registers [start, end) for async write-protection and protects it. */
int zc_uffd_watch(int uffd, unsigned long start, unsigned long end, struct zc_error *err)
{
	struct uffdio_register reg = {
		.range = {.start = start, .len = end - start},
		.mode = UFFDIO_REGISTER_MODE_WP,
	};
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) < 0) {
		int e = errno;
		zc_error_set(err, ZC_EXIT_RUNTIME, "userfaultfd: cannot watch %#lx-%#lx: %s%s",
			     start, end, strerror(e),
			     e == EBUSY ? " (already watched)" :
			     e == EINVAL ? " (not anonymous or shmem memory)" : "");
		errno = e;
		return -1;
	}
	return zc_uffd_protect(uffd, start, end, err);
}

/*
 * One pass of PAGEMAP_SCAN after another over [start, end). Allocates nothing: the regions
 * live on the stack and the walk resumes where the kernel stopped when they fill up.
 */
int zc_uffd_scan(int pagemap, unsigned long start, unsigned long end, struct zc_uffd_scan how,
		 size_t *written, size_t *watched, struct zc_error *err)
{
	struct page_region vec[64];
	unsigned long page = zc_page_bytes();
	*written = *watched = 0;
	while (start < end) {
		struct pm_scan_arg arg = {
			.size = sizeof(arg),
			.flags = (how.rearm ? PM_SCAN_WP_MATCHING : 0) |
				 (how.strict ? PM_SCAN_CHECK_WPASYNC : 0),
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
			/* Memory that is not watched reads as written: it has no protection. */
			if ((vec[i].categories & (PAGE_IS_WRITTEN | PAGE_IS_WPALLOWED)) ==
			    (PAGE_IS_WRITTEN | PAGE_IS_WPALLOWED))
				*written += pages;
		}
		if (arg.walk_end <= start)
			return zc_error_set(err, ZC_EXIT_RUNTIME,
					    "pagemap: PAGEMAP_SCAN stopped at %#lx", start);
		start = arg.walk_end;
	}
	return 0;
}

int zc_uffd_walk(int pagemap, unsigned long start, unsigned long end, zc_uffd_region fn,
		 void *arg, struct zc_error *err)
{
	struct page_region vec[64];
	while (start < end) {
		struct pm_scan_arg arg_ = {
			.size = sizeof(arg_),
			.start = start,
			.end = end,
			.vec = (uintptr_t)vec,
			.vec_len = sizeof(vec) / sizeof(vec[0]),
			.return_mask = PAGE_IS_WRITTEN | PAGE_IS_WPALLOWED | PAGE_IS_PRESENT |
				       PAGE_IS_PFNZERO,
		};
		long n = ioctl(pagemap, PAGEMAP_SCAN, &arg_);
		if (n < 0)
			return zc_error_set(err, ZC_EXIT_RUNTIME, "pagemap: PAGEMAP_SCAN: %s",
					    strerror(errno));
		for (long i = 0; i < n; i++) {
			__u64 c = vec[i].categories;
			unsigned kind = ((c & PAGE_IS_WPALLOWED) ? ZC_UFFD_WATCHED : 0) |
					((c & PAGE_IS_WRITTEN) ? ZC_UFFD_WRITTEN : 0) |
					((c & PAGE_IS_PRESENT) ? ZC_UFFD_PRESENT : 0) |
					((c & PAGE_IS_PFNZERO) ? ZC_UFFD_ZERO_PAGE : 0);
			if (fn(vec[i].start, vec[i].end, kind, arg) != 0)
				return zc_error_set(err, ZC_EXIT_NOMEM, "pagemap: out of memory");
		}
		if (arg_.walk_end <= start)
			return zc_error_set(err, ZC_EXIT_RUNTIME,
					    "pagemap: PAGEMAP_SCAN stopped at %#lx", start);
		start = arg_.walk_end;
	}
	return 0;
}
