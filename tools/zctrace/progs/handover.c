/*
 * handover: a small program of the zctrace tests (tools/zctrace/e2e_zctrace.sh), built like a
 * user's program (plain libc and include/zc_probe.h). A 1920x1080 RGBA frame (8,294,400
 * bytes) goes from one process to another, each side marking it with the probe API:
 *   pipe        the parent marks "frame:parent" and writes the frame into a pipe; a child
 *               (this program again, exec'd: "receive") reads it and marks "frame:child"
 *               -> copied, by the child's reads from a pipe
 *   memfd       the parent renders into a memfd it maps shared and marks; a forked child maps
 *               the same memfd anew and marks it -> shared, on the same physical pages
 *   sendfile F  F's first 1 MiB sent into a pipe with sendfile and read back: a kernel move
 *               from a file to a pipe (no marks)
 * Exits 0 when every side saw the frame's bytes.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zc_probe.h"

#define FRAME_BYTES ((size_t)1920 * 1080 * 4)

static void render(unsigned char *f)
{
	for (size_t i = 0; i < FRAME_BYTES; i++)
		f[i] = (unsigned char)(i * 13 + 1);
}

static int check(const unsigned char *f)
{
	for (size_t i = 0; i < FRAME_BYTES; i++)
		if (f[i] != (unsigned char)(i * 13 + 1))
			return 1;
	return 0;
}

/* n bytes from fd into buf, however many reads that takes; 0, or -1. */
static int read_all(int fd, unsigned char *buf, size_t n)
{
	for (size_t done = 0; done < n;) {
		ssize_t got = read(fd, buf + done, n - done);
		if (got <= 0)
			return -1;
		done += (size_t)got;
	}
	return 0;
}

static int write_all(int fd, const unsigned char *buf, size_t n)
{
	for (size_t done = 0; done < n;) {
		ssize_t put = write(fd, buf + done, n - done);
		if (put <= 0)
			return -1;
		done += (size_t)put;
	}
	return 0;
}

/* The child of "pipe": the frame from stdin, marked. */
static int receive(void)
{
	unsigned char *f = malloc(FRAME_BYTES);
	if (!f || read_all(STDIN_FILENO, f, FRAME_BYTES) != 0)
		return 1;
	zc_probe("frame:child", f, FRAME_BYTES);
	int rc = check(f);
	free(f);
	return rc;
}

static int wait_for(pid_t child)
{
	int status = 1;
	if (child < 0 || waitpid(child, &status, 0) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int mode_pipe(const char *self)
{
	int p[2];
	unsigned char *f = malloc(FRAME_BYTES);
	if (!f || pipe(p) != 0)
		return 1;
	render(f);
	zc_probe("frame:parent", f, FRAME_BYTES);
	pid_t child = fork();
	if (child == 0) {
		dup2(p[0], STDIN_FILENO);
		close(p[0]);
		close(p[1]);
		execl(self, self, "receive", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	int rc = write_all(p[1], f, FRAME_BYTES);
	close(p[1]);
	free(f);
	return wait_for(child) || rc;
}

static int mode_memfd(void)
{
	int fd = memfd_create("frame", 0);
	if (fd < 0 || ftruncate(fd, (off_t)FRAME_BYTES) != 0)
		return 1;
	unsigned char *f = mmap(NULL, FRAME_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (f == MAP_FAILED)
		return 1;
	render(f);
	zc_probe("frame:parent", f, FRAME_BYTES);
	pid_t child = fork();
	if (child == 0) {
		/* a mapping of its own, at another address: the pages are what is shared */
		unsigned char *g = mmap(NULL, FRAME_BYTES, PROT_READ, MAP_SHARED, fd, 0);
		if (g == MAP_FAILED)
			_exit(1);
		zc_probe("frame:child", g, FRAME_BYTES);
		_exit(check(g));
	}
	int rc = wait_for(child);
	munmap(f, FRAME_BYTES);
	close(fd);
	return rc;
}

static int mode_sendfile(const char *path)
{
	enum { N = 1 << 20 };
	static unsigned char back[N];
	int p[2], in = open(path, O_RDONLY);
	if (in < 0 || pipe(p) != 0 || fcntl(p[1], F_SETPIPE_SZ, N) < N)
		return 1;
	ssize_t sent = sendfile(p[1], in, NULL, N);
	close(p[1]);
	int rc = sent != N || read_all(p[0], back, N) != 0;
	close(p[0]);
	close(in);
	return rc;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "pipe")) {
		/* the program's own path: the child's record names its code by it */
		static char self[4096];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		return n > 0 ? mode_pipe(self) : 1;
	}
	if (!strcmp(mode, "receive"))
		return receive();
	if (!strcmp(mode, "memfd"))
		return mode_memfd();
	if (!strcmp(mode, "sendfile") && argc > 2)
		return mode_sendfile(argv[2]);
	fprintf(stderr, "usage: handover pipe|memfd|sendfile FILE\n");
	return 2;
}
