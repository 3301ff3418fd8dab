/*
 * zctrace: runs a program with libzctrace.so preloaded, says where it copied large buffers
 * and whether each pair of probe marks was shared or copied, and, in CI, checks what the
 * command line expects (--expect, --max-copy-bytes).
 *
 *   zctrace [OPTIONS] -- PROGRAM ARGS...      (cli.h, cli.c; docs/zctrace.md)
 *
 * The tracer library is found at ../lib/libzctrace.so beside this program (or at
 * $ZCTRACE_LIB). Options reach it through the environment (record.c lists it). Every run gets
 * an id that each of its records holds, so that records left by an earlier run with the
 * same names are never read as this run's. Exit status: the program's own (128 + signal when
 * a signal ended it), or zctrace's own (cli.h, ZCT_EXITS).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "pairs.h"
#include "trace.h"
#include "tree.h"
#include "untraced.h"

/* Where this run's records go, made absolute. */
struct paths {
	char prog[PATH_MAX], lib[PATH_MAX];
	char out[PATH_MAX];     /* the first process's record */
	char dir[PATH_MAX];     /* the others' folder; "" beside out */
	char run[40];           /* the run's id */
};

/* The status for a program that cannot be run: not found (127) or found but refused (126). */
static int cannot_run(const char *name, int err)
{
	fprintf(stderr, "zctrace: cannot run '%s': %s\n", name, strerror(err));
	return err == ENOENT ? ZCT_EXIT_NOT_FOUND : ZCT_EXIT_CANNOT_RUN;
}

/* libzctrace.so: $ZCTRACE_LIB, else ../lib beside this program. */
static int find_library(char *buf, size_t len)
{
	const char *env = getenv("ZCTRACE_LIB");
	if (env && *env) {
		snprintf(buf, len, "%s", env);
	} else {
		char exe[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n <= 0)
			return -1;
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		if ((size_t)snprintf(buf, len, "%s/../lib/libzctrace.so", exe) >= len)
			return -1;
	}
	char real[PATH_MAX];
	if (!realpath(buf, real))
		return -1;
	snprintf(buf, len, "%s", real);
	return 0;
}

/* path made absolute into buf, so that a program that changes directory writes it here. */
static int absolute(const char *path, char *buf, size_t len)
{
	char cwd[PATH_MAX];
	if (path[0] == '/') {
		snprintf(buf, len, "%s", path);
		return 0;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	if ((size_t)snprintf(buf, len, "%s/%s", cwd, path) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* The folder of path (a file's) is writable. */
static int writable_beside(const char *path)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	return access(dir[0] ? dir : "/", W_OK);
}

/* --out and --out-dir made absolute (the folder made); 0, or -1 said. */
static int record_paths(const struct zct_cli *c, struct paths *p)
{
	char given[PATH_MAX];
	p->dir[0] = '\0';
	if (c->out_dir) {
		if (absolute(c->out_dir, p->dir, sizeof(p->dir)) != 0 ||
		    (mkdir(p->dir, 0777) != 0 && errno != EEXIST) || access(p->dir, W_OK) != 0) {
			fprintf(stderr, "zctrace: cannot write in --out-dir '%s': %s\n", c->out_dir,
				strerror(errno));
			return -1;
		}
	}
	if (c->out)
		snprintf(given, sizeof(given), "%s", c->out);
	else
		snprintf(given, sizeof(given), "%s%szctrace.json", c->out_dir ? c->out_dir : "",
			 c->out_dir ? "/" : "");
	if (absolute(given, p->out, sizeof(p->out)) != 0 || writable_beside(p->out) != 0) {
		fprintf(stderr, "zctrace: cannot write '%s': %s\n", given, strerror(errno));
		return -1;
	}
	return 0;
}

/* A new id for this run: 16 hex digits from getrandom, else the pid and the clock. */
static void new_run_id(char *buf, size_t len)
{
	unsigned long long r;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		r = (unsigned long long)t.tv_nsec ^ ((unsigned long long)t.tv_sec << 20) ^
		    (unsigned long long)getpid() << 44;
	}
	snprintf(buf, len, "%016llx", r);
}

/*
 * In the child, before exec: a program the tracer cannot enter (untraced.h) gets a record
 * of its own that says why, in place of the one it cannot write.
 */
static void mark_untraced(const struct zct_cli *c, const struct paths *p)
{
	struct zct_untraced u = {.pid = (int)getpid(), .ppid = (int)getppid(),
				 .root_pid = (int)getpid(), .run = p->run, .exe = p->prog,
				 .argv = c->argv, .reason = zct_untraced_reason(p->prog),
				 .min_bytes = c->min_bytes ? strtoull(c->min_bytes, NULL, 10) : 0};
	if (!u.reason)
		return;
	if (!u.min_bytes)
		u.min_bytes = ZCT_DEFAULT_MIN_BYTES;
	if (zct_untraced_write(p->out, &u) != 0)
		fprintf(stderr, "zctrace: cannot write '%s': %s\n", p->out, strerror(errno));
}

/* In the child: the environment for the tracer, then exec; reports errno on fd if exec fails. */
static void exec_traced(const struct zct_cli *c, const struct paths *p, int fd)
{
	char pid[16], preload[2 * PATH_MAX];
	const char *old = getenv("LD_PRELOAD");
	/* the tracer first, so that it sees the calls before another preloaded allocator does */
	snprintf(preload, sizeof(preload), "%s%s%s", p->lib, old && *old ? ":" : "",
		 old ? old : "");
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("LD_PRELOAD", preload, 1);
	setenv("ZCTRACE_OUT", p->out, 1);
	setenv("ZCTRACE_RUN", p->run, 1);
	setenv("ZCTRACE_ROOT_PID", pid, 1);
	setenv("ZCTRACE_BACKTRACE", c->backtrace ? "1" : "0", 1);
	setenv("ZCTRACE_PAGES", c->pages ? "1" : "0", 1);
	setenv("ZCTRACE_QUIET", "1", 1); /* one summary for the whole tree, printed here */
	if (p->dir[0])
		setenv("ZCTRACE_OUT_DIR", p->dir, 1);
	else
		unsetenv("ZCTRACE_OUT_DIR");
	if (c->min_bytes)
		setenv("ZCTRACE_MIN_BYTES", c->min_bytes, 1);
	else
		unsetenv("ZCTRACE_MIN_BYTES");
	mark_untraced(c, p);
	execvp(c->argv[0], c->argv);
	int err = errno;
	if (write(fd, &err, sizeof(err)) != (ssize_t)sizeof(err))
		_exit(127);
	_exit(127);
}

/*
 * Starts the program and waits for it: 0 with its wait status in *status, or zctrace's own
 * exit status (said) when it could not be started.
 */
static int start_and_wait(const struct zct_cli *c, const struct paths *p, int *status)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		fprintf(stderr, "zctrace: cannot create a pipe: %s\n", strerror(errno));
		return ZCT_EXIT_USAGE;
	}
	pid_t child = fork();
	if (child < 0) {
		fprintf(stderr, "zctrace: cannot fork: %s\n", strerror(errno));
		return ZCT_EXIT_USAGE;
	}
	if (child == 0) {
		close(pipefd[0]);
		exec_traced(c, p, pipefd[1]);
	}
	close(pipefd[1]);
	/* like system(): the terminal's ^C is for the program; zctrace waits for it */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	int err = 0;
	ssize_t got = read(pipefd[0], &err, sizeof(err));
	close(pipefd[0]);
	while (waitpid(child, status, 0) < 0 && errno == EINTR)
		;
	return got == (ssize_t)sizeof(err) ? cannot_run(c->argv[0], err) : 0;
}

/*
 * Reads the run's records back, prints the summary and the pairs, checks the expectations
 * and completes the root record. Returns how many expectations failed.
 */
static size_t finish(const struct zct_cli *c, const struct paths *p, int status)
{
	struct zct_tree t;
	json_t *pairs = NULL, *results = NULL;
	bool have = zct_tree_load(&t, p->out, p->dir[0] ? p->dir : NULL, p->run) == 0;
	if (have) {
		zct_tree_name(&t, stderr);
		pairs = zct_pairs_make(&t);
		zct_tree_print(&t, p->out, pairs, stderr);
	} else if (!WIFSIGNALED(status)) {
		fprintf(stderr, "zctrace: no record of this run in '%s' (a static or setuid "
				"program, or one that exec'd one)\n", p->out);
	}
	if (WIFSIGNALED(status))
		fprintf(stderr, "zctrace: '%s' was killed by signal %d; %s\n", c->argv[0],
			WTERMSIG(status), have ? "its record was written before" : "no record written");
	size_t failed = zct_expect_check(&c->expect, have ? &t : NULL, pairs, stderr, &results);
	if (have) {
		json_object_set(t.r[0].doc, "probe_pairs", pairs ? pairs : json_null());
		json_object_set(t.r[0].doc, "expectations", results);
		zct_tree_write(&t, p->out, stderr);
		zct_tree_free(&t);
	}
	json_decref(pairs);
	json_decref(results);
	return failed;
}

/* The program's status, or --expect-exit's when it exited 0 and an expectation failed. */
static int exit_status(const struct zct_cli *c, int status, size_t failed)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	int code = WEXITSTATUS(status);
	if (failed && code != 0)
		fprintf(stderr, "zctrace: '%s' exited %d: its status is passed on, not "
				"--expect-exit's %d\n", c->argv[0], code, c->expect_exit);
	return failed && code == 0 ? c->expect_exit : code;
}

int main(int argc, char **argv)
{
	struct zct_cli c;
	static struct paths p;
	int status = 0;
	if (zct_cli_parse(argc, argv, &c) != 0) /* one line said why: no usage after it */
		return ZCT_EXIT_USAGE;
	if (zct_find_program(c.argv[0], p.prog, sizeof(p.prog)) != 0)
		return cannot_run(c.argv[0], errno);
	if (find_library(p.lib, sizeof(p.lib)) != 0) {
		fprintf(stderr, "zctrace: cannot find the tracer library '%s': %s\n", p.lib,
			strerror(errno));
		return ZCT_EXIT_USAGE;
	}
	if (record_paths(&c, &p) != 0)
		return ZCT_EXIT_USAGE;
	/* records left from an earlier run must not pass for this one's */
	unlink(p.out);
	zct_tree_remove_stale(p.out, p.dir[0] ? p.dir : NULL);
	new_run_id(p.run, sizeof(p.run));
	int rc = start_and_wait(&c, &p, &status);
	if (rc != 0)
		return rc;
	return exit_status(&c, status, finish(&c, &p, status));
}
