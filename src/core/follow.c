/*
 * follow.c: a measuring process's own counting group, and the environment that lets the
 * programs it starts with exec join it (follow.h).
 */
#include "follow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "beside.h"
#include "group.h"
#include "instrument.h"

#define HOOKS_LIB "../lib/libzchooks.so"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define FOLLOW_EXEC 0 /* a sanitizer's runtime must be the first library of a program */
#else
#define FOLLOW_EXEC 1
#endif

/* Puts lib first in LD_PRELOAD, once. */
static int preload_first(const char *lib)
{
	const char *pre = getenv("LD_PRELOAD");
	if (pre && strstr(pre, lib))
		return 0;
	size_t len = strlen(lib) + (pre ? strlen(pre) + 1 : 0) + 1;
	char *both = malloc(len);
	if (!both)
		return -1;
	snprintf(both, len, "%s%s%s", lib, pre && *pre ? ":" : "", pre && *pre ? pre : "");
	int rc = setenv("LD_PRELOAD", both, 1);
	free(both);
	return rc;
}

int zc_follow_children(struct zc_error *err)
{
	if (zc_group_detach() != 0)
		return zc_error_set(err, zc_exit_for_errno(errno),
				    "cannot make the counting group: %s", strerror(errno));
	char group[64], lib[4096];
	struct zc_error why = {0};
	if (!FOLLOW_EXEC) {
		unsetenv(ZC_GROUP_ENV);
		return 0; /* forked children still count: the group is inherited */
	}
	if (!zc_group_path(group, sizeof(group)) ||
	    zc_beside_program(HOOKS_LIB, lib, sizeof(lib), &why) != 0 || access(lib, R_OK) != 0) {
		unsetenv(ZC_GROUP_ENV);
		if (zc_instrument_allocator_linked())
			fprintf(stderr, "zcbench: programs a strategy starts with exec are not "
					"measured: %s\n",
				why.code ? why.text : "build/lib/libzchooks.so is missing (make)");
		return 0;
	}
	if (setenv(ZC_GROUP_ENV, group, 1) != 0 || preload_first(lib) != 0)
		return zc_error_set(err, ZC_EXIT_NOMEM, "cannot set the environment: out of memory");
	return 0;
}

/*
 * What the children this process reaped so far did: CPU time in microseconds plus page
 * faults, a figure that grows whenever one more reaped child ran (a short one may show no
 * CPU time, but a program always faults).
 */
static long long reaped_work(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_CHILDREN, &ru) != 0)
		return 0;
	return (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec + ru.ru_minflt + ru.ru_majflt;
}

/*
 * Calls fn(pid, zombie, arg) for each child of this process (/proc/PID/stat: its parent and
 * state), as long as
 * fn returns 0; what it returned last. Read with raw calls into the stack: no allocation, no hooked read counted.
 */
static int each_child(int (*fn)(int pid, bool zombie, void *arg), void *arg)
{
	int dir = (int)syscall(SYS_openat, AT_FDCWD, "/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return 0;
	char buf[8192];
	long got;
	int self = getpid(), stop = 0;
	while (!stop && (got = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got && !stop;) {
			const char *name = buf + off + 19; /* d_ino, d_off, d_reclen, d_type */
			unsigned short reclen;
			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			off += reclen;
			if (name[0] < '1' || name[0] > '9')
				continue;
			char path[64], stat[512];
			snprintf(path, sizeof(path), "/proc/%s/stat", name);
			int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			long n = syscall(SYS_read, fd, stat, sizeof(stat) - 1);
			syscall(SYS_close, fd);
			if (n <= 0)
				continue;
			stat[n] = '\0';
			const char *paren = strrchr(stat, ')'); /* then " S PPID" */
			int ppid = 0;
			char state;
			if (paren && sscanf(paren + 1, " %c %d", &state, &ppid) == 2 && ppid == self)
				stop = fn((int)strtol(name, NULL, 10), state == 'Z' || state == 'X',
					  arg);
		}
	}
	syscall(SYS_close, dir);
	return stop;
}

/* Whether this process has a child at all (running or not reaped): no /proc walk without. */
static bool have_children(void)
{
	siginfo_t si;
	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0 || errno != ECHILD;
}

static int note_child(int pid, bool zombie, void *arg)
{
	(void)zombie;
	struct zc_follow_mark *m = arg;
	if (m->nchildren < ZC_FOLLOW_CHILDREN)
		m->child[m->nchildren++] = pid;
	return 0;
}

void zc_follow_mark(struct zc_follow_mark *m)
{
	*m = (struct zc_follow_mark){.joined = zc_group_processes_mark(),
				     .reaped_work = reaped_work()};
	int saved = errno;
	if (have_children())
		each_child(note_child, m);
	errno = saved;
}

static bool at_mark(const struct zc_follow_mark *m, int pid)
{
	for (int i = 0; i < m->nchildren; i++)
		if (m->child[i] == pid)
			return true;
	return false;
}

/* A child started since the mark that still runs (listed or not: one may be joining). */
static int new_running(int pid, bool zombie, void *arg)
{
	return !zombie && !at_mark(arg, pid);
}

bool zc_follow_settle(const struct zc_follow_mark *m)
{
	int saved = errno;
	bool quiet = false;
	for (int waited = 0;; waited++) {
		quiet = zc_group_processes_quiet(m->joined, 0) &&
			!(have_children() && each_child(new_running, (void *)(uintptr_t)m));
		if (quiet || waited >= ZC_FOLLOW_SETTLE_MS)
			break;
		struct timespec ms = {.tv_nsec = 1000000};
		nanosleep(&ms, NULL);
	}
	errno = saved;
	return quiet;
}

/* A child started since the mark that never joined the group (running or not reaped). */
static int unhooked_child(int pid, bool zombie, void *arg)
{
	(void)zombie;
	return !at_mark(arg, pid) && !zc_group_lists(pid);
}

bool zc_follow_unhooked(const struct zc_follow_mark *m)
{
	int saved = errno;
	bool seen = have_children() && each_child(unhooked_child, (void *)(uintptr_t)m);
	/* Reaped children did work, and none joined: they ran without the hooks. */
	seen = seen || (zc_group_processes_mark() == m->joined && reaped_work() > m->reaped_work);
	errno = saved;
	return seen;
}
