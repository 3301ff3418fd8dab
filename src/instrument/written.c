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
 * The instrument's own memory (its state, the maps text) is shared anonymous mappings, which
 * the kernel never merges with the process's private memory, so leaving them unwatched leaves
 * nothing else unwatched.
 */
#include "written.h"
#include "group.h"
#include "rawmem.h"
#include "uffd.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAPS_INITIAL (256u << 10)
/*
 * Larger writable mappings are reservations more than data (a runtime's heap reserve, a
 * sanitizer's shadow memory): protecting their unpopulated pages would fill page tables with
 * markers, 2 MiB of them per GiB. Only their parts that hold data are watched, in chunks of
 * RESERVE_CHUNK (a page table's reach, which such a part has already), those closer than
 * RESERVE_GAP as one; a page of the rest holds data only once written, and counts as a page of
 * memory mapped since the arming does. So a reserve is watched whole at the cost of the page
 * tables it has.
 */
#define WATCH_MAX_BYTES (4ul << 30)
#define RESERVE_CHUNK (2ul << 20)
#define RESERVE_GAP (64ul << 20)
#define RESERVE_RUNS 64
#define PAGE_COPY_BYTES 16384
#define IO_URING_NAME "anon_inode:[io_uring]"

/*
 * What the instrument changes while armed, in a mapping of its own (shared anonymous, so never
 * merged with the process's memory, and never watched): its own writes are not counted.
 */
struct zc__written_state {
	char *maps;                          /* /proc/self/maps, NUL-terminated */
	size_t maps_cap;
	unsigned char page[PAGE_COPY_BYTES]; /* a written page, read for the caller's test */
	unsigned long run_start[RESERVE_RUNS], run_end[RESERVE_RUNS]; /* a reserve's data */
	struct zc_written_unwatched unwatched[ZC_WRITTEN_MAX_UNWATCHED];
	bool seen[ZC_WRITTEN_MAX_UNWATCHED]; /* listed again by the arming under way */
	size_t nunwatched;
	bool io_uring;                       /* an io_uring instance seen since init */
	char dents[4096];                    /* entries of /proc/self/fd */
	char link[64];                       /* what one of them names */
};

/* One writable mapping of /proc/self/maps. */
struct mapping {
	unsigned long start, end;
	const char *name; /* its path column, not NUL-terminated; name_len 0 when anonymous */
	size_t name_len;
};

static size_t state_bytes(void)
{
	unsigned long page = zc_page_bytes();
	return (sizeof(struct zc__written_state) + page - 1) / page * page;
}

/* /proc/self/maps, whole and NUL-terminated, into s->maps. Raw reads: no hook sees them. */
static int read_maps(struct zc__written_state *s, struct zc_error *err)
{
	int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "written: cannot open /proc/self/maps: %s",
				    strerror(errno));
	size_t len = 0;
	for (;;) {
		if (len + 1 >= s->maps_cap) { /* start again with twice the room */
			char *bigger = zc_raw_map(s->maps_cap * 2, true);
			if (!bigger) {
				syscall(SYS_close, fd);
				return zc_error_set(err, ZC_EXIT_NOMEM, "written: out of memory");
			}
			zc_raw_unmap(s->maps, s->maps_cap);
			s->maps = bigger;
			s->maps_cap *= 2;
			len = 0;
			syscall(SYS_lseek, fd, 0, SEEK_SET);
		}
		long n = syscall(SYS_read, fd, s->maps + len, s->maps_cap - 1 - len);
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
	s->maps[len] = '\0';
	if (memmem(s->maps, len, IO_URING_NAME, sizeof(IO_URING_NAME) - 1)) /* its rings */
		s->io_uring = true;
	return 0;
}

/*
 * The maps line [line, end) into *m: false when it is not writable. Parsed by hand: sscanf
 * would measure the rest of the buffer at every line.
 */
static bool parse_line(const char *line, const char *end, struct mapping *m)
{
	char *p;
	m->start = strtoul(line, &p, 16);
	if (*p != '-')
		return false;
	m->end = strtoul(p + 1, &p, 16);
	if (*p != ' ' || end - p < 5 || p[2] != 'w')
		return false;
	const char *q = p + 1;
	for (int field = 0; field < 4; field++) { /* permissions, offset, device, inode */
		while (q < end && *q != ' ')
			q++;
		while (q < end && *q == ' ')
			q++;
	}
	m->name = q;
	m->name_len = (size_t)(end - q);
	return true;
}

static bool overlaps(unsigned long start, unsigned long end, const void *p, size_t len)
{
	return p && start < (uintptr_t)p + len && (uintptr_t)p < end;
}

/*
 * Whether m is the instruments' own memory, which is never watched: this instrument's, and
 * the counting group's (the counters, group.h).
 */
static bool own(const struct zc_written *w, const struct mapping *m)
{
	const struct zc__written_state *s = w->state;
	return overlaps(m->start, m->end, s, state_bytes()) ||
	       overlaps(m->start, m->end, s->maps, s->maps_cap) ||
	       zc_group_contains(m->start, m->end);
}

/* Calls fn for every writable mapping of the process, as /proc/self/maps lists them now. */
static int each_mapping(struct zc_written *w, int (*fn)(struct zc_written *,
							 const struct mapping *, void *),
			void *arg, struct zc_error *err)
{
	if (w->pid != getpid())
		return zc_error_set(err, ZC_EXIT_USAGE, "written: the watch belongs to process %d",
				    (int)w->pid);
	if (read_maps(w->state, err) != 0)
		return -1;
	for (const char *line = w->state->maps; *line;) {
		const char *end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		struct mapping m;
		if (parse_line(line, end, &m) && !own(w, &m) && fn(w, &m, arg) != 0)
			return -1;
		line = *end ? end + 1 : end;
	}
	return 0;
}

/* Counts, in a walk's run, the pages that hold data: present, and not the zero page. */
static int resident_run(unsigned long start, unsigned long end, unsigned kind, void *arg)
{
	long *pages = arg;
	if ((kind & ZC_UFFD_PRESENT) && !(kind & ZC_UFFD_ZERO_PAGE))
		*pages += (long)((end - start) / zc_page_bytes());
	return 0;
}

/* The pages of [start, end) that hold data; -1 when the kernel does not say. */
static long resident_pages(const struct zc_written *w, unsigned long start, unsigned long end)
{
	long pages = 0;
	struct zc_error why = {0};
	return zc_uffd_walk(w->pagemap, start, end, resident_run, &pages, &why) == 0 ? pages : -1;
}

/*
 * The listed unwatched mapping overlapping [start, end), or NULL; with @unseen, only one this
 * arming has not listed yet.
 */
static struct zc_written_unwatched *unwatched_over(struct zc__written_state *s,
						   unsigned long start, unsigned long end,
						   bool unseen)
{
	for (size_t i = 0; i < s->nunwatched; i++) {
		struct zc_written_unwatched *u = &s->unwatched[i];
		if (start < u->end && u->start < end && (!unseen || !s->seen[i]))
			return u;
	}
	return NULL;
}

/*
 * Lists m as not watched, and why: the same entry as at the last arming when it is still
 * there (a stack that grew keeps its first resident pages). -1 when the list is full.
 */
static int note_unwatched(struct zc_written *w, const struct mapping *m, enum zc_written_why why,
			  int error)
{
	struct zc__written_state *s = w->state;
	struct zc_written_unwatched *u = unwatched_over(s, m->start, m->end, true);
	if (!u) {
		if (s->nunwatched == ZC_WRITTEN_MAX_UNWATCHED)
			return -1;
		u = &s->unwatched[s->nunwatched++];
		*u = (struct zc_written_unwatched){.resident = -1, .first_resident = -1};
	}
	s->seen[u - s->unwatched] = true;
	u->start = m->start;
	u->end = m->end;
	u->why = why;
	u->error = error;
	size_t n = m->name_len < sizeof(u->name) - 1 ? m->name_len : sizeof(u->name) - 1;
	memcpy(u->name, m->name, n);
	u->name[n] = '\0';
	if (u->first_resident < 0) {
		u->resident = resident_pages(w, u->start, u->end);
		u->first_resident = u->resident;
	}
	return 0;
}

/* Keeps the entries this arming listed, in their order. */
static void forget_unseen(struct zc__written_state *s)
{
	size_t kept = 0;
	for (size_t i = 0; i < s->nunwatched; i++)
		if (s->seen[i])
			s->unwatched[kept++] = s->unwatched[i];
	s->nunwatched = kept;
}

int zc_written_init(struct zc_written *w, struct zc_error *err)
{
	*w = (struct zc_written){.uffd = -1, .pagemap = -1, .pid = getpid()};
	w->state = zc_raw_map(state_bytes(), true);
	if (!w->state) {
		zc_written_release(w);
		return zc_error_set(err, ZC_EXIT_NOMEM, "written: out of memory");
	}
	w->state->maps_cap = MAPS_INITIAL;
	w->state->maps = zc_raw_map(w->state->maps_cap, true);
	if (!w->state->maps) {
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
	size_t watched;
};

/* The runs of a reserve's chunks that hold data, gathered by a walk (w->state->run_*). */
struct runs {
	struct zc__written_state *s;
	unsigned long lo, hi; /* the reserve */
	size_t n;
	bool scattered;       /* more than RESERVE_RUNS runs: the walk stopped */
};

static int data_run(unsigned long start, unsigned long end, unsigned kind, void *arg)
{
	struct runs *r = arg;
	unsigned long *rs = r->s->run_start, *re = r->s->run_end;
	if (!(kind & ZC_UFFD_PRESENT) || (kind & ZC_UFFD_ZERO_PAGE))
		return 0;
	start = start / RESERVE_CHUNK * RESERVE_CHUNK;
	end = (end + RESERVE_CHUNK - 1) / RESERVE_CHUNK * RESERVE_CHUNK;
	start = start < r->lo ? r->lo : start;
	end = end > r->hi ? r->hi : end;
	/* Close to the last run: one run with it (a few more markers, no loss). */
	if (r->n && start <= re[r->n - 1] + RESERVE_GAP) {
		re[r->n - 1] = end > re[r->n - 1] ? end : re[r->n - 1];
		return 0;
	}
	if (r->n == RESERVE_RUNS) { /* merging would protect whole empty stretches: no */
		r->scattered = true;
		return 1;
	}
	rs[r->n] = start;
	re[r->n++] = end;
	return 0;
}

/*
 * Watches the parts of reserve m that hold data (WATCH_MAX_BYTES). 0; 1 when its data is
 * scattered over more than RESERVE_RUNS runs; -1 with errno when the kernel refused a part.
 * Not 0: the reserve is left out whole, the parts watched with it.
 */
static int watch_reserve(struct zc_written *w, const struct mapping *m)
{
	struct runs r = {.s = w->state, .lo = m->start, .hi = m->end};
	struct zc_error why = {0};
	if (zc_uffd_walk(w->pagemap, m->start, m->end, data_run, &r, &why) != 0 && !r.scattered) {
		errno = EIO;
		return -1;
	}
	if (r.scattered)
		return 1;
	for (size_t i = 0; i < r.n; i++)
		if (zc_uffd_watch(w->uffd, r.s->run_start[i], r.s->run_end[i], &why) != 0)
			return -1;
	return 0;
}

static int arm_one(struct zc_written *w, const struct mapping *m, void *arg)
{
	struct arming *a = arg;
	struct zc_error why = {0};
	/* Already watched by this descriptor: registering it again is allowed. */
	int rc = m->end - m->start > WATCH_MAX_BYTES ? watch_reserve(w, m)
						     : zc_uffd_watch(w->uffd, m->start, m->end, &why);
	if (rc == 0) {
		a->watched++;
		return 0;
	}
	/* Unlisted, a refused mapping's pages would read as first touches: listed, or give up. */
	int e = errno;
	if (rc == 1)
		return note_unwatched(w, m, ZC_WRITTEN_SCATTERED, 0);
	return note_unwatched(w, m, e == EBUSY ? ZC_WRITTEN_BUSY : ZC_WRITTEN_REFUSED, e);
}

int zc_written_arm(struct zc_written *w, struct zc_error *err)
{
	struct arming a = {0};
	struct zc__written_state *s = w->state;
	memset(s->seen, 0, sizeof(s->seen));
	int rc = each_mapping(w, arm_one, &a, err);
	forget_unseen(s);
	if (rc != 0)
		return err && err->code ? -1 : zc_error_set(err, ZC_EXIT_RUNTIME,
							    "written: more than %d writable "
							    "mappings cannot be watched",
							    ZC_WRITTEN_MAX_UNWATCHED);
	if (a.watched == 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME,
				    "written: no writable mapping could be watched");
	return 0;
}

struct counting {
	unsigned long exclude_start, exclude_end;
	zc_written_test test;
	void *arg;
	struct zc_written_count *out;
	unsigned char *copy; /* PAGE_COPY_BYTES of the instrument's own memory */
	zc_written_each_fn each; /* or NULL */
	void *each_arg;
};

/*
 * The bytes the caller's test finds in the page at p, read through the kernel into a copy in
 * the instrument's own memory (never watched): another thread (a runtime's collector) may have made
 * the page unreadable since the walk saw it written, and a plain read would then fault. A
 * page the kernel cannot read (EFAULT) holds none; where process_vm_readv is refused
 * altogether, the page is read in place.
 */
static size_t page_matches(const struct counting *c, unsigned long p, unsigned long page)
{
	unsigned char *copy = c->copy;
	if (page > PAGE_COPY_BYTES)
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

static int count_one(struct zc_written *w, const struct mapping *m, void *arg)
{
	struct zc_error why = {0};
	struct counting *c = arg;
	struct zc_written_unwatched *u = unwatched_over(w->state, m->start, m->end, false);
	if (u) { /* never watched: its pages would all read as written; a stack grows */
		u->start = m->start < u->start ? m->start : u->start;
		u->end = m->end > u->end ? m->end : u->end;
		return c->each ? c->each(m->start, m->end, m->name, m->name_len, 0, c->each_arg) : 0;
	}
	long before = c->out->watched + c->out->fresh;
	if (zc_uffd_walk(w->pagemap, m->start, m->end, count_region, arg, &why) != 0)
		return -1;
	long pages = c->out->watched + c->out->fresh - before;
	return c->each ? c->each(m->start, m->end, m->name, m->name_len, pages, c->each_arg) : 0;
}

/* The unwatched mappings' resident pages now, and those populated since first seen. */
static void count_unwatched(struct zc_written *w)
{
	struct zc__written_state *s = w->state;
	for (size_t i = 0; i < s->nunwatched; i++) {
		struct zc_written_unwatched *u = &s->unwatched[i];
		u->resident = resident_pages(w, u->start, u->end);
		if (u->resident >= 0 && u->first_resident >= 0 && u->resident > u->first_resident)
			u->populated = u->resident - u->first_resident;
	}
}

/*
 * Whether an io_uring instance is open in the process: a descriptor of /proc/self/fd names
 * one (its rings may be unmapped, or never mapped). Raw calls into the instrument's memory.
 */
static bool io_uring_open(struct zc__written_state *s)
{
	struct dirent {
		uint64_t ino;
		int64_t off;
		unsigned short reclen;
		unsigned char type;
		char name[];
	};
	int dir = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/fd",
			       O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool found = false;
	long n;
	if (dir < 0)
		return false;
	while (!found && (n = syscall(SYS_getdents64, dir, s->dents, sizeof(s->dents))) > 0)
		for (long at = 0; at < n && !found;) {
			const struct dirent *d = (const void *)(s->dents + at);
			long len = syscall(SYS_readlinkat, dir, d->name, s->link, sizeof(s->link));
			found = len == sizeof(IO_URING_NAME) - 1 &&
				!memcmp(s->link, IO_URING_NAME, sizeof(IO_URING_NAME) - 1);
			at += d->reclen;
		}
	syscall(SYS_close, dir);
	return found;
}

/* zc_written_count and zc_written_count_each: a count, with each (or NULL) told every share. */
static int count(struct zc_written *w, const void *exclude, size_t exclude_len,
		 zc_written_test test, void *arg, zc_written_each_fn each, void *each_arg,
		 struct zc_written_count *out, struct zc_error *err)
{
	unsigned long page = zc_page_bytes();
	*out = (struct zc_written_count){0};
	struct counting c = {.test = test, .arg = arg, .out = out, .copy = w->state->page,
			     .each = each, .each_arg = each_arg};
	if (exclude && exclude_len) {
		c.exclude_start = (uintptr_t)exclude / page * page;
		c.exclude_end = ((uintptr_t)exclude + exclude_len + page - 1) / page * page;
	}
	if (each_mapping(w, count_one, &c, err) != 0)
		return err && err->code ? -1 : zc_error_set(err, ZC_EXIT_RUNTIME,
							    "written: PAGEMAP_SCAN failed");
	count_unwatched(w);
	if (io_uring_open(w->state))
		w->state->io_uring = true;
	return 0;
}

int zc_written_count(struct zc_written *w, const void *exclude, size_t exclude_len,
		     zc_written_test test, void *arg, struct zc_written_count *out,
		     struct zc_error *err)
{
	return count(w, exclude, exclude_len, test, arg, NULL, NULL, out, err);
}

int zc_written_count_each(struct zc_written *w, const void *exclude, size_t exclude_len,
			  zc_written_each_fn each, void *each_arg, struct zc_written_count *out,
			  struct zc_error *err)
{
	assert(each);
	return count(w, exclude, exclude_len, NULL, NULL, each, each_arg, out, err);
}

static int take_one(struct zc_written *w, const struct mapping *m, void *arg)
{
	long *total = arg;
	size_t written, watched;
	struct zc_error why = {0};
	const struct zc_uffd_scan how = {.strict = false, .rearm = true};
	if (unwatched_over(w->state, m->start, m->end, false)) /* another's watch, maybe */
		return 0;
	if (zc_uffd_scan(w->pagemap, m->start, m->end, how, &written, &watched, &why) != 0)
		return -1;
	*total += (long)written;
	return 0;
}

long zc_written_take(struct zc_written *w, struct zc_error *err)
{
	long total = 0;
	if (each_mapping(w, take_one, &total, err) != 0)
		return err && err->code ? -1 : zc_error_set(err, ZC_EXIT_RUNTIME,
							    "written: PAGEMAP_SCAN failed");
	return total;
}

size_t zc_written_unwatched_count(const struct zc_written *w)
{
	return w->state ? w->state->nunwatched : 0;
}

const struct zc_written_unwatched *zc_written_unwatched_at(const struct zc_written *w, size_t i)
{
	assert(i < zc_written_unwatched_count(w));
	return &w->state->unwatched[i];
}

void zc_written_why_text(const struct zc_written_unwatched *u, char *buf, size_t len)
{
	switch (u->why) {
	case ZC_WRITTEN_BUSY:
		snprintf(buf, len, "registered elsewhere (EBUSY)");
		return;
	case ZC_WRITTEN_REFUSED:
		snprintf(buf, len, "refused by the kernel: %s", strerror(u->error));
		return;
	case ZC_WRITTEN_SCATTERED:
		snprintf(buf, len, "reserve over 4 GiB, its data in over %d places", RESERVE_RUNS);
		return;
	}
	snprintf(buf, len, "unknown");
}

bool zc_written_saw_io_uring(const struct zc_written *w)
{
	return w->state && w->state->io_uring;
}

void zc_written_release(struct zc_written *w)
{
	if (w->uffd >= 0)
		syscall(SYS_close, w->uffd); /* closing unregisters and unprotects everything */
	if (w->pagemap >= 0)
		syscall(SYS_close, w->pagemap);
	if (w->state) {
		zc_raw_unmap(w->state->maps, w->state->maps_cap);
		zc_raw_unmap(w->state, state_bytes());
	}
	*w = (struct zc_written){.uffd = -1, .pagemap = -1};
}
