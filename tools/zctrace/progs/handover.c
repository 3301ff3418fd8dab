/*
 * handover: a small program of the zctrace tests (tools/zctrace/e2e_zctrace.sh), built like a
 * user's program (plain libc and include/zc_probe.h). A 1920x1080 RGBA frame (8,294,400
 * bytes) goes from one process to another, each side marking it with the probe API:
 *   pipe        the parent marks "frame:parent" and writes the frame into a pipe; a child
 *               (this program again, exec'd: "receive") reads it and marks "frame:child"
 *               -> copied, by the child's reads from a pipe
 *   memfd       the parent renders into a memfd it maps shared and marks; a forked child maps
 *               the same memfd anew and marks it -> shared, on the same physical pages
 *   stream N    pipe, N frames one after the other: each parent mark pairs with the child's
 *               mark of the same frame, even when the parent marks the next one first
 *   workers     two forked workers each mark a frame of their own on both sides
 *               ("frame:py", then "frame:rust" on the same buffer: shared), in the order
 *               worker 1, worker 2, worker 2, worker 1: each pair stays in its worker
 *   readback F  one process: the frame marked, written to file F and read back into the
 *               same buffer, marked again -> copied, by the read (same address, same bytes)
 *   reread F    one process: the frame read from F, marked twice, then read again into the
 *               same buffer -> shared (the read after the marks is not between them)
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

/* The child of "pipe" and "stream": n frames from stdin, each marked. */
static int receive(long n)
{
	int rc = 0;
	for (long i = 0; i < n && !rc; i++) {
		unsigned char *f = malloc(FRAME_BYTES);
		if (!f || read_all(STDIN_FILENO, f, FRAME_BYTES) != 0)
			return 1;
		zc_probe("frame:child", f, FRAME_BYTES);
		rc = check(f);
		free(f);
	}
	return rc;
}

static int wait_for(pid_t child)
{
	int status = 1;
	if (child < 0 || waitpid(child, &status, 0) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* n frames, each marked and written into a pipe that a child (self "receive" n) reads. */
static int mode_pipe(const char *self, const char *n)
{
	int p[2], rc = 0;
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
		execl(self, self, "receive", n, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	for (long i = 0; i < atol(n) && !rc; i++) {
		if (i)
			zc_probe("frame:parent", f, FRAME_BYTES);
		rc = write_all(p[1], f, FRAME_BYTES);
	}
	close(p[1]);
	free(f);
	return wait_for(child) || rc;
}

/* A worker: marks its frame each time the parent says go (a byte on in), then says done. */
static int worker(int in, int out)
{
	static const char *const tags[] = {"frame:py", "frame:rust"};
	unsigned char *f = malloc(FRAME_BYTES);
	char go;
	if (!f)
		return 1;
	render(f);
	for (int step = 0; step < 2; step++) {
		if (read(in, &go, 1) != 1)
			return 1;
		zc_probe(tags[step], f, FRAME_BYTES);
		if (write(out, &go, 1) != 1)
			return 1;
	}
	free(f);
	return 0;
}

static int mode_workers(void)
{
	int go[2][2], done[2][2];
	pid_t w[2];
	for (int k = 0; k < 2; k++) {
		if (pipe(go[k]) != 0 || pipe(done[k]) != 0)
			return 1;
		w[k] = fork();
		if (w[k] == 0)
			_exit(worker(go[k][0], done[k][1]));
	}
	static const int order[] = {0, 1, 1, 0}; /* worker 1's pair spans worker 2's */
	char c = 'g';
	for (int i = 0; i < 4; i++)
		if (write(go[order[i]][1], &c, 1) != 1 || read(done[order[i]][0], &c, 1) != 1)
			return 1;
	return wait_for(w[0]) || wait_for(w[1]);
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

/* The frame written to path and read back into f, which is left at the file's start. */
static int through_file(const char *path, unsigned char *f)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write_all(fd, f, FRAME_BYTES) != 0 || lseek(fd, 0, SEEK_SET) != 0 ||
	    read_all(fd, f, FRAME_BYTES) != 0)
		return -1;
	return fd;
}

static int mode_readback(const char *path)
{
	unsigned char *f = malloc(FRAME_BYTES);
	if (!f)
		return 1;
	render(f);
	zc_probe("frame:sent", f, FRAME_BYTES);
	int fd = through_file(path, f);
	if (fd < 0)
		return 1;
	zc_probe("frame:back", f, FRAME_BYTES);
	close(fd);
	int rc = check(f);
	free(f);
	return rc;
}

static int mode_reread(const char *path)
{
	unsigned char *f = malloc(FRAME_BYTES);
	if (!f)
		return 1;
	render(f);
	int fd = through_file(path, f);
	if (fd < 0)
		return 1;
	zc_probe("frame:reader", f, FRAME_BYTES);
	zc_probe("frame:viewer", f, FRAME_BYTES);
	int rc = lseek(fd, 0, SEEK_SET) != 0 || read_all(fd, f, FRAME_BYTES) != 0 || check(f);
	close(fd);
	free(f);
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
	if (!strcmp(mode, "pipe") || (!strcmp(mode, "stream") && argc > 2)) {
		/* the program's own path: the child's record names its code by it */
		static char self[4096];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		return n > 0 ? mode_pipe(self, argc > 2 ? argv[2] : "1") : 1;
	}
	if (!strcmp(mode, "receive") && argc > 2)
		return receive(atol(argv[2]));
	if (!strcmp(mode, "workers"))
		return mode_workers();
	if (!strcmp(mode, "memfd"))
		return mode_memfd();
	if (!strcmp(mode, "sendfile") && argc > 2)
		return mode_sendfile(argv[2]);
	if (!strcmp(mode, "readback") && argc > 2)
		return mode_readback(argv[2]);
	if (!strcmp(mode, "reread") && argc > 2)
		return mode_reread(argv[2]);
	fprintf(stderr, "usage: handover pipe|stream N|workers|memfd|readback FILE|reread FILE|"
			"sendfile FILE\n");
	return 2;
}
