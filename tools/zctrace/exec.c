/*
 * exec.c: libzctrace.so's exec and spawn interposers. A traced process that starts a program
 * the tracer cannot enter (untraced.h: a static or setuid program) leaves a record that names
 * it and says why, where that process's record would be, so that the wrapper's process tree
 * lists it instead of leaving it out: before execve (removed again when the exec fails), after
 * posix_spawn (the child's pid is known then). The other exec functions of glibc reach the
 * kernel without calling execve: execv, execvp, execvpe, execl, execle and execlp are
 * interposed too.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "trace.h"
#include "untraced.h"

#define ZC_HOOK_API __attribute__((visibility("default")))

extern char **environ;

/* True when envp preloads the tracer and names the run: the new program joins it. */
static bool joins_run(char *const envp[])
{
	bool preload = false, run = false;
	for (size_t i = 0; envp && envp[i]; i++) {
		if (!strncmp(envp[i], "LD_PRELOAD=", 11))
			preload = strstr(envp[i], "libzctrace.so") != NULL;
		else if (!strncmp(envp[i], "ZCTRACE_RUN=", 12))
			run = !strcmp(envp[i] + 12, zct.run);
	}
	return preload && run;
}

/*
 * The record of pid, which runs or is about to run path with envp, written when path cannot
 * be traced or envp drops the tracer (env -i, a sanitised environment).
 */
static bool mark(int pid, int ppid, const char *path, char *const argv[], char *const envp[],
		 char *record, size_t len)
{
	bool was = zct_busy(), marked = false;
	zct_set_busy(true);
	const char *why = zct_untraced_reason(path);
	if (!why && !joins_run(envp))
		why = "program without LD_PRELOAD";
	if (why) {
		struct zct_untraced u = {.pid = pid, .ppid = ppid, .root_pid = zct.root_pid,
					 .run = zct.run, .exe = path, .argv = argv,
					 .reason = why, .min_bytes = zc__trace_min_bytes};
		zct_record_path(pid, record, len);
		marked = zct_untraced_write(record, &u) == 0;
	}
	zct_set_busy(was);
	return marked;
}

/* name found as execvp finds it, into buf; name itself when it is not found. */
static const char *found(const char *name, char *buf, size_t len)
{
	int err = errno;
	const char *path = zct_find_program(name, buf, len) == 0 ? buf : name;
	errno = err;
	return path;
}

typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			const posix_spawnattr_t *, char *const[], char *const[]);

/* The next definition of name, a function pointer of type T. */
#define NEXT(T, name)                                                                      \
	((union {                                                                         \
		void *obj;                                                                \
		T fn;                                                                     \
	}){.obj = dlsym(RTLD_NEXT, name)}).fn

/* exec through the next execve-shaped function name, marking path first. */
static int exec_marked(const char *name, const char *path, const char *run_as,
		       char *const argv[], char *const envp[])
{
	char record[PATH_MAX];
	execve_fn next = NEXT(execve_fn, name);
	if (!next) {
		errno = ENOSYS;
		return -1;
	}
	bool marked = mark(getpid(), getppid(), path, argv, envp, record, sizeof(record));
	int rc = next(run_as, argv, envp);
	if (marked) {
		int err = errno;
		unlink(record);
		errno = err;
	}
	return rc;
}

ZC_HOOK_API int execve(const char *path, char *const argv[], char *const envp[])
{
	return exec_marked("execve", path, path, argv, envp);
}

ZC_HOOK_API int execv(const char *path, char *const argv[])
{
	return exec_marked("execve", path, path, argv, environ);
}

ZC_HOOK_API int execvpe(const char *file, char *const argv[], char *const envp[])
{
	char buf[PATH_MAX];
	return exec_marked("execvpe", found(file, buf, sizeof(buf)), file, argv, envp);
}

ZC_HOOK_API int execvp(const char *file, char *const argv[])
{
	char buf[PATH_MAX];
	return exec_marked("execvpe", found(file, buf, sizeof(buf)), file, argv, environ);
}

static int spawn_marked(const char *name, pid_t *pid, const char *path, const char *run_as,
			const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
			char *const argv[], char *const envp[])
{
	char record[PATH_MAX];
	pid_t child;
	spawn_fn next = NEXT(spawn_fn, name);
	if (!next)
		return ENOSYS;
	int rc = next(&child, run_as, fa, attr, argv, envp);
	if (rc == 0)
		mark((int)child, (int)getpid(), path, argv, envp, record, sizeof(record));
	if (rc == 0 && pid)
		*pid = child;
	return rc;
}

ZC_HOOK_API int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
			    const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return spawn_marked("posix_spawn", pid, path, path, fa, attr, argv, envp);
}

ZC_HOOK_API int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			     const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	char buf[PATH_MAX];
	return spawn_marked("posix_spawnp", pid, found(file, buf, sizeof(buf)), file, fa, attr,
			    argv, envp);
}

/*
 * The execl functions' arguments, up to the null pointer, as an argv in pages of their own
 * (mmap and munmap are async-signal-safe, as execl is; a thread-local array would add its
 * size to every thread's static TLS, and a thread with a small stack would fail to start).
 */
struct list_argv {
	char **argv;
	size_t len;
};

/* argv from arg0 and ap, counted in count first; false (errno set) when it cannot be made. */
static bool list_argv(struct list_argv *l, const char *arg0, va_list count, va_list ap)
{
	size_t n = 1;
	for (const char *a = arg0; a; a = va_arg(count, const char *))
		n++;
	l->len = n * sizeof(char *);
	void *p = mmap(NULL, l->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return false;
	l->argv = p;
	l->argv[0] = (char *)arg0;
	for (size_t i = 1; l->argv[i - 1]; i++)
		l->argv[i] = va_arg(ap, char *);
	return true;
}

/* Returns rc with its errno, once the argv is unmapped (after a failed exec). */
static int list_release(struct list_argv *l, int rc)
{
	int err = errno;
	munmap(l->argv, l->len);
	errno = err;
	return rc;
}

ZC_HOOK_API int execl(const char *path, const char *arg, ...)
{
	struct list_argv l;
	va_list count, ap;
	va_start(count, arg);
	va_start(ap, arg);
	bool ok = list_argv(&l, arg, count, ap);
	va_end(count);
	va_end(ap);
	if (!ok)
		return -1;
	return list_release(&l, exec_marked("execve", path, path, l.argv, environ));
}

ZC_HOOK_API int execlp(const char *file, const char *arg, ...)
{
	struct list_argv l;
	char buf[PATH_MAX];
	va_list count, ap;
	va_start(count, arg);
	va_start(ap, arg);
	bool ok = list_argv(&l, arg, count, ap);
	va_end(count);
	va_end(ap);
	if (!ok)
		return -1;
	return list_release(&l, exec_marked("execvpe", found(file, buf, sizeof(buf)), file,
					     l.argv, environ));
}

ZC_HOOK_API int execle(const char *path, const char *arg, ...)
{
	struct list_argv l;
	va_list count, ap;
	va_start(count, arg);
	va_start(ap, arg);
	bool ok = list_argv(&l, arg, count, ap);
	char *const *envp = ok ? va_arg(ap, char *const *) : NULL;
	va_end(count);
	va_end(ap);
	if (!ok)
		return -1;
	return list_release(&l, exec_marked("execve", path, path, l.argv, envp));
}
