/*
 * group.c: the counting group (group.h): one shared mapping, a memfd so that a program
 * started with exec can map it again by its /proc path.
 */
#include "group.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hooks/hook_sink.h"

struct layout {
	alignas(64) unsigned char counts[ZC_GROUP_COUNTS_BYTES];
	alignas(64) unsigned char objects[ZC_GROUP_OBJECTS_BYTES];
	atomic_uint nprocesses; /* joined so far; those past ZC_GROUP_PROCESSES are not listed */
	_Atomic pid_t process[ZC_GROUP_PROCESSES];
};

static _Atomic(struct layout *) group;
static int group_fd = -1; /* the memfd; -1 when the mapping is anonymous (no memfd here) */
_Atomic unsigned zc__group_generation;

/* Raw calls: the hooks interpose mmap, munmap and close, and this runs inside them. */
ZC_NO_SANITIZE static long raw_map(int fd)
{
	return syscall(SYS_mmap, NULL, sizeof(struct layout), PROT_READ | PROT_WRITE,
		       fd < 0 ? MAP_SHARED | MAP_ANONYMOUS : MAP_SHARED, fd, 0);
}

ZC_NO_SANITIZE static void raw_close(int fd)
{
	if (fd >= 0)
		syscall(SYS_close, fd);
}

/* A new, empty group and its memfd (*fd, -1 without one); NULL on failure. */
ZC_NO_SANITIZE static struct layout *make(int *fd)
{
	int saved = errno;
	*fd = (int)syscall(SYS_memfd_create, "zcbench-counts", MFD_CLOEXEC);
	if (*fd >= 0 && syscall(SYS_ftruncate, *fd, (long)sizeof(struct layout)) != 0) {
		raw_close(*fd);
		*fd = -1;
	}
	long p = raw_map(*fd);
	if (p == -1 && *fd >= 0) { /* no memfd to map: an anonymous one, never named */
		raw_close(*fd);
		*fd = -1;
		p = raw_map(-1);
	}
	errno = saved;
	return p == -1 ? NULL : (struct layout *)p;
}

ZC_NO_SANITIZE static void unmake(struct layout *g, int fd)
{
	if (g)
		syscall(SYS_munmap, g, sizeof(struct layout));
	raw_close(fd);
}

ZC_NO_SANITIZE static struct layout *current(void)
{
	struct layout *g = atomic_load_explicit(&group, memory_order_acquire);
	if (__builtin_expect(g != NULL, 1))
		return g;
	int fd;
	struct layout *made = make(&fd);
	if (!made)
		return NULL;
	if (atomic_compare_exchange_strong(&group, &g, made)) {
		group_fd = fd;
		return made;
	}
	unmake(made, fd); /* another thread made it first */
	return g;
}

ZC_NO_SANITIZE void *zc_group_part(enum zc_group_part part)
{
	struct layout *g = current();
	if (!g)
		return NULL;
	return part == ZC_GROUP_COUNTS ? (void *)g->counts : (void *)g->objects;
}

/* This process joins g: listed, and its threads take new slots. */
ZC_NO_SANITIZE static void join(struct layout *g)
{
	unsigned i = atomic_fetch_add(&g->nprocesses, 1);
	if (i < ZC_GROUP_PROCESSES)
		atomic_store(&g->process[i], (pid_t)syscall(SYS_getpid));
	atomic_fetch_add(&zc__group_generation, 1);
}

/*
 * Moves this process to g (with its memfd fd); the old group is let go, and lists it as
 * counted apart (-pid: known, not waited for there).
 */
ZC_NO_SANITIZE static void move_to(struct layout *g, int fd)
{
	struct layout *old = atomic_exchange(&group, g);
	pid_t self = (pid_t)syscall(SYS_getpid);
	unsigned n = old ? atomic_load(&old->nprocesses) : 0;
	for (unsigned i = 0; i < n && i < ZC_GROUP_PROCESSES; i++) {
		pid_t listed = self;
		atomic_compare_exchange_strong(&old->process[i], &listed, -self);
	}
	int old_fd = group_fd;
	group_fd = fd;
	atomic_fetch_add(&zc__group_generation, 1);
	unmake(old, old_fd);
}

int zc_group_detach(void)
{
	int fd;
	struct layout *g = make(&fd);
	if (!g)
		return -1;
	move_to(g, fd);
	return 0;
}

ZC_NO_SANITIZE void zc_group_attach_from_env(void)
{
	const char *path = getenv(ZC_GROUP_ENV);
	if (!path || !*path)
		return;
	int saved = errno;
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDWR | O_CLOEXEC);
	struct stat st;
	long p = -1;
	if (fd >= 0 && fstat(fd, &st) == 0 && (size_t)st.st_size >= sizeof(struct layout))
		p = raw_map(fd);
	errno = saved;
	if (p == -1) { /* its maker is gone, or it is no group: counted apart */
		raw_close(fd);
		return;
	}
	move_to((struct layout *)p, fd);
	join((struct layout *)p);
}

ZC_NO_SANITIZE void zc_group_forked(void)
{
	struct layout *g = atomic_load(&group);
	if (g)
		join(g);
	else
		atomic_fetch_add(&zc__group_generation, 1);
}

bool zc_group_path(char *buf, size_t len)
{
	if (!current() || group_fd < 0)
		return false;
	int n = snprintf(buf, len, "/proc/%d/fd/%d", (int)getpid(), group_fd);
	return n > 0 && (size_t)n < len;
}

bool zc_group_contains(uintptr_t start, uintptr_t end)
{
	uintptr_t g = (uintptr_t)atomic_load(&group);
	return g && start < g + sizeof(struct layout) && g < end;
}

bool zc_group_lists(pid_t pid)
{
	struct layout *g = current();
	unsigned n = g ? atomic_load(&g->nprocesses) : 0;
	for (unsigned i = 0; i < n && i < ZC_GROUP_PROCESSES; i++)
		if (atomic_load(&g->process[i]) == pid || atomic_load(&g->process[i]) == -pid)
			return true;
	return false;
}

unsigned zc_group_processes_mark(void)
{
	struct layout *g = current();
	return g ? atomic_load(&g->nprocesses) : 0;
}

/* Whether pid still runs: it exists and is not a zombie (/proc/PID/stat, its state). */
static bool running(pid_t pid)
{
	if (pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH))
		return false;
	char path[64], stat[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	/* Raw calls: the waiting is not the transfer's, its reads are not counted. */
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	long n = syscall(SYS_read, fd, stat, sizeof(stat) - 1);
	raw_close(fd);
	if (n <= 0)
		return false;
	stat[n] = '\0';
	const char *paren = strrchr(stat, ')'); /* the name may hold spaces and parentheses */
	return !paren || (paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X');
}

bool zc_group_processes_quiet(unsigned mark, int ms)
{
	struct layout *g = current();
	if (!g)
		return true;
	pid_t self = getpid();
	for (int waited = 0;; waited++) {
		unsigned n = atomic_load(&g->nprocesses);
		bool quiet = true;
		for (unsigned i = mark; i < n && i < ZC_GROUP_PROCESSES && quiet; i++) {
			pid_t pid = atomic_load(&g->process[i]);
			quiet = pid == self || !running(pid);
		}
		if (quiet)
			return n <= ZC_GROUP_PROCESSES;
		if (waited >= ms)
			return false;
		struct timespec one = {.tv_nsec = 1000000};
		nanosleep(&one, NULL);
	}
}
