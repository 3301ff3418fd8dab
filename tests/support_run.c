/*
 * support_run.c: running scenario programs from the tests.
 */
#include "support_run.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *support_build_path(char *buf, size_t len, const char *rel)
{
	const char *build = getenv("BUILD");
	snprintf(buf, len, "%s/%s", build && *build ? build : "build", rel);
	return buf;
}

static void child_exec(const char *const argv[], const char *const env[], int errfd)
{
	int null = open("/dev/null", O_WRONLY);
	if (null >= 0)
		dup2(null, STDOUT_FILENO);
	dup2(errfd, STDERR_FILENO);
	for (size_t i = 0; env && env[i]; i++)
		putenv((char *)env[i]);
	execv(argv[0], (char *const *)argv);
	fprintf(stderr, "cannot run '%s': %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Reads fd to its end, keeping the first cap - 1 bytes in buf, NUL-terminated. */
static void read_all(int fd, char *buf, size_t cap)
{
	size_t got = 0;
	char sink[512];
	for (;;) {
		bool room = got + 1 < cap;
		ssize_t n = read(fd, room ? buf + got : sink, room ? cap - 1 - got : sizeof(sink));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (room)
			got += (size_t)n;
	}
	buf[got] = '\0';
}

int support_run(const char *const argv[], const char *const env[], struct support_run *out)
{
	int p[2];
	memset(out, 0, sizeof(*out));
	if (pipe(p) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[0]);
		child_exec(argv, env, p[1]);
	}
	close(p[1]);
	read_all(p[0], out->err, sizeof(out->err));
	close(p[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	out->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}

const char *support_tmpdir(char *buf, size_t len)
{
	const char *base = getenv("TMPDIR");
	snprintf(buf, len, "%s/zcbench-test.XXXXXX", base && *base ? base : "/tmp");
	return mkdtemp(buf);
}

void support_rmdir(const char *dir)
{
	char cmd[4200];
	if (strncmp(dir, "/", 1) != 0 || strstr(dir, "zcbench-test.") == NULL)
		return; /* only what support_tmpdir made */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove '%s'\n", dir);
}

json_t *support_load_json(const char *path)
{
	json_error_t e;
	json_t *doc = json_load_file(path, 0, &e);
	if (!doc)
		fprintf(stderr, "cannot load '%s': %s (line %d)\n", path, e.text, e.line);
	return doc;
}

json_t *support_result(json_t *doc, const char *strategy)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(doc, "results"), i, r)
	{
		const char *name = json_string_value(json_object_get(r, "strategy"));
		if (name && strcmp(name, strategy) == 0)
			return r;
	}
	return NULL;
}
