/*
 * written.c: pages written anywhere in the process (written.h).
 *
 * Why faults bound what no count sees: memory mapped and freed again between the arming and
 * the count has no page left to look at, but each page it held data in was touched once, and
 * a first touch is a minor fault. Watched pages fault too, once each, on their first write
 * after protection (async write-protection resolves the fault in the kernel and counts it:
 * measured, 2,025 faults for a memcpy over 2,025 watched pages). So a window's faults, less
 * the watched pages written in it, bound the pages touched elsewhere; the caller reads the
 * faults (getrusage) around the window.
 *
 * The instrument's own buffer is a shared anonymous mapping, which the kernel never merges
 * with the process's private memory, so leaving it unwatched leaves nothing else unwatched.
 */
#include "written.h"
#include "rawmem.h"
#include "uffd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAPS_INITIAL (256u << 10)
/*
 * Larger writable mappings are reservations, not data (a sanitizer's shadow memory, a
 * runtime's heap reserve): protecting their unpopulated pages would fill page tables with
 * markers, 2 MiB of them per GiB. They are left unwatched, counted as refused.
 */
#define WATCH_MAX_BYTES (4ul << 30)

/* /proc/self/maps, whole and NUL-terminated, into w->maps. Raw reads: no hook sees them. */
static int read_maps(struct zc_written *w, struct zc_error *err)
{
	int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "written: cannot open /proc/self/maps: %s",
				    strerror(errno));
	size_t len = 0;
	for (;;) {
		if (len + 1 >= w->maps_cap) { /* start again with twice the room */
			char *bigger = zc_raw_map(w->maps_cap * 2, true);
			if (!bigger) {
				syscall(SYS_close, fd);
				return zc_error_set(err, ZC_EXIT_NOMEM, "written: out of memory");
			}
			zc_raw_unmap(w->maps, w->maps_cap);
			w->maps = bigger;
			w->maps_cap *= 2;
			len = 0;
			syscall(SYS_lseek, fd, 0, SEEK_SET);
		}
		long n = syscall(SYS_read, fd, w->maps + len, w->maps_cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			syscall(SYS_close, fd);
			return zc_error_set(err, ZC_EXIT_RUNTIME,
					    "written: cannot read /proc/self/maps: %s", strerror(e));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	syscall(SYS_close, fd);
	w->maps[len] = '\0';
	return 0;
}

/* Whether the maps line [line, end) is a mapping to watch; its bounds in *r. */
static bool watchable(const struct zc_written *w, const char *line, const char *end,
		      struct zc_written_range *r)
{
	static const char stack[] = "[stack]";
	char perms[8];
	if (sscanf(line, "%lx-%lx %7s", &r->start, &r->end, perms) != 3 || perms[1] != 'w')
		return false;
	unsigned long own = (uintptr_t)w->maps;
	if (r->start < own + w->maps_cap && own < r->end)
		return false;
	/* The instrument's own stack frames are written around every window. */
	return !memmem(line, (size_t)(end - line), stack, sizeof(stack) - 1);
}

static bool refused(const struct zc_written *w, const struct zc_written_range *r)
{
	for (size_t i = 0; i < w->nrefused; i++)
		if (r->start < w->refused[i].end && w->refused[i].start < r->end)
			return true;
	return false;
}

/* Calls fn for every writable mapping to watch, as /proc/self/maps lists them now. */
static int each_mapping(struct zc_written *w, int (*fn)(struct zc_written *,
							 const struct zc_written_range *, void *),
			void *arg, struct zc_error *err)
{
	if (w->pid != getpid())
		return zc_error_set(err, ZC_EXIT_USAGE, "written: the watch belongs to process %d",
				    (int)w->pid);
	if (read_maps(w, err) != 0)
		return -1;
	for (const char *line = w->maps; *line;) {
		const char *end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		struct zc_written_range r;
		if (watchable(w, line, end, &r) && fn(w, &r, arg) != 0)
			return -1;
		line = *end ? end + 1 : end;
	}
	return 0;
}

int zc_written_init(struct zc_written *w, struct zc_error *err)
{
	*w = (struct zc_written){.uffd = -1, .pagemap = -1, .pid = getpid()};
	w->maps_cap = MAPS_INITIAL;
	w->maps = zc_raw_map(w->maps_cap, true);
	if (!w->maps) {
		zc_written_release(w);
		return zc_error_set(err, ZC_EXIT_NOMEM, "written: out of memory");
	}
	w->uffd = zc_uffd_open(err);
	if (w->uffd < 0) {
		zc_written_release(w);
		return -1;
	}
	w->pagemap = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/pagemap",
				  O_RDONLY | O_CLOEXEC);
	if (w->pagemap < 0) {
		zc_error_set(err, ZC_EXIT_RUNTIME, "written: cannot open /proc/self/pagemap: %s",
			     strerror(errno));
		zc_written_release(w);
		return -1;
	}
	return 0;
}

struct arming {
	size_t mappings;
};

static int arm_one(struct zc_written *w, const struct zc_written_range *r, void *arg)
{
	struct arming *a = arg;
	struct zc_error why = {0};
	a->mappings++;
	/* Already watched by this descriptor: registering it again is allowed. */
	if (r->end - r->start <= WATCH_MAX_BYTES &&
	    zc_uffd_watch(w->uffd, r->start, r->end, &why) == 0)
		return 0;
	/* Unlisted, a refused mapping's pages would read as first touches: give up instead. */
	if (w->nrefused == ZC_WRITTEN_MAX_REFUSED)
		return -1;
	w->refused[w->nrefused++] = *r;
	return 0;
}

int zc_written_arm(struct zc_written *w, struct zc_error *err)
{
	struct arming a = {0};
	w->nrefused = 0;
	if (each_mapping(w, arm_one, &a, err) != 0)
		return err->code ? -1 : zc_error_set(err, ZC_EXIT_RUNTIME,
						     "written: more than %d writable mappings "
						     "cannot be watched", ZC_WRITTEN_MAX_REFUSED);
	if (w->nrefused == a.mappings)
		return zc_error_set(err, ZC_EXIT_RUNTIME,
				    "written: no writable mapping could be watched");
	return 0;
}

struct counting {
	unsigned long exclude_start, exclude_end;
	zc_written_test test;
	void *arg;
	struct zc_written_count *out;
};

/*
 * The bytes the caller's test finds in the page at p, read through the kernel into a copy on
 * this thread's stack (never watched): another thread (a runtime's collector) may have made
 * the page unreadable since the walk saw it written, and a plain read would then fault. A
 * page the kernel cannot read (EFAULT) holds none; where process_vm_readv is refused
 * altogether, the page is read in place.
 */
static size_t page_matches(const struct counting *c, unsigned long p, unsigned long page)
{
	unsigned char copy[16384];
	if (page > sizeof(copy))
		return c->test((const unsigned char *)p, page, p, c->arg);
	struct iovec local = {copy, page}, remote = {(void *)p, page};
	long n = syscall(SYS_process_vm_readv, (long)getpid(), &local, 1L, &remote, 1L, 0L);
	if (n == (long)page)
		return c->test(copy, page, p, c->arg);
	if (n < 0 && (errno == ENOSYS || errno == EPERM))
		return c->test((const unsigned char *)p, page, p, c->arg);
	return 0;
}

/* Adds the pages of one run of the walk that hold writes since the arming. */
static int count_region(unsigned long start, unsigned long end, unsigned kind, void *arg)
{
	struct counting *c = arg;
	bool written = (kind & ZC_UFFD_WATCHED) ? (kind & ZC_UFFD_WRITTEN) != 0
						: (kind & ZC_UFFD_PRESENT) &&
							  !(kind & ZC_UFFD_ZERO_PAGE);
	if (!written)
		return 0;
	unsigned long page = zc_page_bytes();
	for (unsigned long p = start; p < end; p += page) {
		if (kind & ZC_UFFD_WATCHED)
			c->out->watched++;
		else
			c->out->fresh++;
		if (p < c->exclude_end && c->exclude_start < p + page) {
			c->out->excluded++;
			c->out->excluded_fresh += !(kind & ZC_UFFD_WATCHED);
		}
		else if (c->test)
			c->out->matching_bytes += (long)page_matches(c, p, page);
	}
	return 0;
}

static int count_one(struct zc_written *w, const struct zc_written_range *r, void *arg)
{
	struct zc_error why = {0};
	if (refused(w, r)) /* never watched: its pages would all read as written */
		return 0;
	return zc_uffd_walk(w->pagemap, r->start, r->end, count_region, arg, &why) == 0 ? 0 : -1;
}

int zc_written_count(struct zc_written *w, const void *exclude, size_t exclude_len,
		     zc_written_test test, void *arg, struct zc_written_count *out,
		     struct zc_error *err)
{
	unsigned long page = zc_page_bytes();
	*out = (struct zc_written_count){0};
	struct counting c = {.test = test, .arg = arg, .out = out};
	if (exclude && exclude_len) {
		c.exclude_start = (uintptr_t)exclude / page * page;
		c.exclude_end = ((uintptr_t)exclude + exclude_len + page - 1) / page * page;
	}
	if (each_mapping(w, count_one, &c, err) != 0)
		return err->code ? -1 : zc_error_set(err, ZC_EXIT_RUNTIME,
						     "written: PAGEMAP_SCAN failed");
	return 0;
}

static int take_one(struct zc_written *w, const struct zc_written_range *r, void *arg)
{
	long *total = arg;
	size_t written, watched;
	struct zc_error why = {0};
	const struct zc_uffd_scan how = {.strict = false, .rearm = true};
	if (zc_uffd_scan(w->pagemap, r->start, r->end, how, &written, &watched, &why) != 0)
		return -1;
	*total += (long)written;
	return 0;
}

long zc_written_take(struct zc_written *w, struct zc_error *err)
{
	long total = 0;
	if (each_mapping(w, take_one, &total, err) != 0)
		return err->code ? -1 : zc_error_set(err, ZC_EXIT_RUNTIME,
						     "written: PAGEMAP_SCAN failed");
	return total;
}

void zc_written_release(struct zc_written *w)
{
	if (w->uffd >= 0)
		syscall(SYS_close, w->uffd); /* closing unregisters and unprotects everything */
	if (w->pagemap >= 0)
		syscall(SYS_close, w->pagemap);
	zc_raw_unmap(w->maps, w->maps_cap);
	*w = (struct zc_written){.uffd = -1, .pagemap = -1};
}
