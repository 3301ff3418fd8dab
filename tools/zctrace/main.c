/*
 * zctrace: runs a program with libzctrace.so preloaded and says where it copied large
 * buffers and where it allocated them.
 *
 *   zctrace [--min-bytes N] [--out FILE] [--backtrace] [--pages] -- PROGRAM ARGS...
 *
 * The tracer library is found at ../lib/libzctrace.so beside this program (or at
 * $ZCTRACE_LIB). Options reach it through the environment (ZCTRACE_OUT, ZCTRACE_MIN_BYTES,
 * ZCTRACE_BACKTRACE, ZCTRACE_ROOT_PID). Exit status: the program's own (128 + signal when a
 * signal ended it), or zctrace's own (error.h): ZC_EXIT_USAGE when the program, the tracer
 * library or the record's directory is not there, ZC_EXIT_RUNTIME when it cannot start the
 * program (no pipe, no fork).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "tree.h"

/* What zctrace itself exits with, when the program's own status is not there to pass on, and
 * what each means for zctrace (the scenarios' meanings of the same codes are not zctrace's). */
static const struct {
	enum zc_exit code;
	const char *meaning;
} exits[] = {
	{ ZC_EXIT_USAGE, "bad usage: an option or no program; or the program, the tracer\n"
			 "      library or the record's directory is not there" },
	{ ZC_EXIT_RUNTIME, "the program could not be started (no pipe, no fork)" },
};

struct options {
	const char *min_bytes;
	const char *out;
	int backtrace;
	int pages;
	char **argv; /* the program and its arguments */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: zctrace [--min-bytes N] [--out FILE] [--backtrace] [--pages] -- PROGRAM "
		   "ARGS...\n"
		   "  --min-bytes N   record copies and allocations of at least N bytes "
		   "(default 1048576)\n"
		   "  --out FILE      the program's record (default zctrace.json); a child process\n"
		   "                  writes FILE with .<pid> before .json\n"
		   "  --backtrace     keep up to 16 callers per event (slower)\n"
		   "  --pages         count the pages written, whoever wrote them (Linux 6.7+;\n"
		   "                  each first write to a page faults once)\n"
		   "exit status: the program's own (128 + N when signal N ended it), or\n"
		   "zctrace's own:\n");
	for (size_t i = 0; i < sizeof(exits) / sizeof(exits[0]); i++)
		fprintf(f, "  %-3d %s\n", (int)exits[i].code, exits[i].meaning);
}

static int parse_options(int argc, char **argv, struct options *o)
{
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(ZC_EXIT_OK);
		} else if (!strcmp(a, "--backtrace")) {
			o->backtrace = 1;
		} else if (!strcmp(a, "--pages")) {
			o->pages = 1;
		} else if ((!strcmp(a, "--min-bytes") || !strcmp(a, "--out")) && i + 1 < argc) {
			*(a[2] == 'm' ? &o->min_bytes : &o->out) = argv[++i];
		} else if (a[0] == '-') {
			fprintf(stderr, "zctrace: unknown option '%s' (see zctrace --help)\n", a);
			return -1;
		} else {
			break;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "zctrace: no program to run (see zctrace --help)\n");
		return -1;
	}
	o->argv = argv + i;
	if (o->min_bytes) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(o->min_bytes, &end, 10);
		if (errno || *end || n == 0 || o->min_bytes[0] == '-') {
			fprintf(stderr, "zctrace: cannot parse --min-bytes '%s'\n", o->min_bytes);
			return -1;
		}
	}
	return 0;
}

/* True when path names an executable regular file; errno says why not. */
static int runnable(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return 0;
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return 0;
	}
	return access(path, X_OK) == 0;
}

/* Finds name as execvp would; 0, or -1 with errno. */
static int find_program(const char *name, char *buf, size_t len)
{
	if (strchr(name, '/')) {
		snprintf(buf, len, "%s", name);
		return runnable(buf) ? 0 : -1;
	}
	const char *path = getenv("PATH");
	int err = ENOENT;
	for (const char *p = path ? path : "/usr/bin:/bin"; ; p++) {
		size_t n = strcspn(p, ":");
		snprintf(buf, len, "%.*s%s%s", (int)n, p, n ? "/" : "", name);
		if (runnable(buf))
			return 0;
		if (errno != ENOENT)
			err = errno;
		p += n;
		if (!*p)
			break;
	}
	errno = err;
	return -1;
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

/* The record's path made absolute, so that a program that changes directory writes it here. */
static int absolute_out(const char *out, char *buf, size_t len)
{
	char cwd[PATH_MAX];
	if (out[0] == '/') {
		snprintf(buf, len, "%s", out);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			return -1;
		if ((size_t)snprintf(buf, len, "%s/%s", cwd, out) >= len) {
			errno = ENAMETOOLONG;
			return -1;
		}
	}
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", buf);
	*strrchr(dir, '/') = '\0';
	return access(dir[0] ? dir : "/", W_OK);
}

/* In the child: the environment for the tracer, then exec; reports errno on fd if exec fails. */
static void exec_traced(const struct options *o, const char *lib, const char *out, int fd)
{
	char pid[16], preload[2 * PATH_MAX];
	const char *old = getenv("LD_PRELOAD");
	/* the tracer first, so that it sees the calls before another preloaded allocator does */
	snprintf(preload, sizeof(preload), "%s%s%s", lib, old && *old ? ":" : "", old ? old : "");
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("LD_PRELOAD", preload, 1);
	setenv("ZCTRACE_OUT", out, 1);
	setenv("ZCTRACE_ROOT_PID", pid, 1);
	setenv("ZCTRACE_BACKTRACE", o->backtrace ? "1" : "0", 1);
	setenv("ZCTRACE_PAGES", o->pages ? "1" : "0", 1);
	setenv("ZCTRACE_QUIET", "1", 1); /* one summary for the whole tree, printed here */
	if (o->min_bytes)
		setenv("ZCTRACE_MIN_BYTES", o->min_bytes, 1);
	else
		unsetenv("ZCTRACE_MIN_BYTES");
	execvp(o->argv[0], o->argv);
	int err = errno;
	if (write(fd, &err, sizeof(err)) != (ssize_t)sizeof(err))
		_exit(127);
	_exit(127);
}

static int run(const struct options *o, const char *lib, const char *out)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		fprintf(stderr, "zctrace: cannot create a pipe: %s\n", strerror(errno));
		return ZC_EXIT_RUNTIME;
	}
	pid_t child = fork();
	if (child < 0) {
		fprintf(stderr, "zctrace: cannot fork: %s\n", strerror(errno));
		return ZC_EXIT_RUNTIME;
	}
	if (child == 0) {
		close(pipefd[0]);
		exec_traced(o, lib, out, pipefd[1]);
	}
	close(pipefd[1]);
	/* like system(): the terminal's ^C is for the program; zctrace waits for it */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	int err = 0, status;
	ssize_t got = read(pipefd[0], &err, sizeof(err));
	close(pipefd[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (got == (ssize_t)sizeof(err)) {
		fprintf(stderr, "zctrace: cannot run '%s': %s\n", o->argv[0], strerror(err));
		return ZC_EXIT_USAGE;
	}
	if (access(out, F_OK) == 0) /* unlinked at the start: this run's */
		zct_tree_gather(out, stderr);
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "zctrace: '%s' was killed by signal %d; %s\n", o->argv[0],
			WTERMSIG(status),
			access(out, F_OK) == 0 ? "its record may be from an earlier run"
					       : "no record written");
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	struct options o = {0};
	char prog[PATH_MAX], lib[PATH_MAX], out[PATH_MAX];
	if (parse_options(argc, argv, &o) != 0) /* one line said why: no usage after it */
		return ZC_EXIT_USAGE;
	if (find_program(o.argv[0], prog, sizeof(prog)) != 0) {
		fprintf(stderr, "zctrace: cannot run '%s': %s\n", o.argv[0], strerror(errno));
		return ZC_EXIT_USAGE;
	}
	if (find_library(lib, sizeof(lib)) != 0) {
		fprintf(stderr, "zctrace: cannot find the tracer library '%s': %s\n", lib,
			strerror(errno));
		return ZC_EXIT_USAGE;
	}
	if (absolute_out(o.out ? o.out : "zctrace.json", out, sizeof(out)) != 0) {
		fprintf(stderr, "zctrace: cannot write '%s': %s\n", o.out ? o.out : "zctrace.json",
			strerror(errno));
		return ZC_EXIT_USAGE;
	}
	unlink(out); /* a record left from an earlier run must not pass for this one */
	return run(&o, lib, out);
}
