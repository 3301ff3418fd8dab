/*
 * probe_demo: a small program of the zctrace tests, built like a user's program (plain libc,
 * no zcbench code; only include/zc_probe.h). Each mode moves 1920x1080 RGBA frames
 * (8,294,400 bytes) one way and marks both sides with the probe API:
 *   copy        the consumer gets a memcpy of the producer's frame        -> one copy, "copied"
 *   view        the consumer gets a pointer to the producer's frame       -> no copy, "shared"
 *   changed     the producer overwrites its frame before the second mark -> "changed"
 *   fork        copy in the parent and once more in a forked child (two records)
 *   frames N    N copies into fresh buffers (the benchmark's copy-heavy load; no marks)
 * Prints a checksum of what the consumer holds, so the copies cannot be optimised away.
 */
#include <stdint.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zc_probe.h"

#define FRAME_BYTES ((size_t)1920 * 1080 * 4)

static unsigned char *render(uint64_t seed)
{
	unsigned char *f = malloc(FRAME_BYTES);
	if (!f) {
		fprintf(stderr, "probe_demo: out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < FRAME_BYTES; i += 4096)
		f[i] = (unsigned char)(seed + i / 4096);
	return f;
}

static uint64_t sum(const unsigned char *f)
{
	uint64_t s = 0;
	for (size_t i = 0; i < FRAME_BYTES; i += 4096)
		s += f[i];
	return s;
}

/* The consumer's side of the bridge: receives a copy of the producer's frame. */
__attribute__((noinline)) static unsigned char *receive_copy(const unsigned char *frame)
{
	unsigned char *mine = malloc(FRAME_BYTES);
	if (mine)
		memcpy(mine, frame, FRAME_BYTES);
	return mine;
}

static int mode_copy(void)
{
	unsigned char *f = render(1);
	zc_probe("frame:producer", f, FRAME_BYTES);
	unsigned char *mine = receive_copy(f);
	if (!mine)
		return 1;
	zc_probe("frame:consumer", mine, FRAME_BYTES);
	printf("copy %llu\n", (unsigned long long)sum(mine));
	free(mine);
	free(f);
	return 0;
}

static int mode_view(void)
{
	unsigned char *f = render(2);
	zc_probe("frame:producer", f, FRAME_BYTES);
	const unsigned char *view = f;
	zc_probe("frame:consumer", view, FRAME_BYTES);
	printf("view %llu\n", (unsigned long long)sum(view));
	free(f);
	return 0;
}

static int mode_changed(void)
{
	unsigned char *f = render(3);
	zc_probe("frame:producer", f, FRAME_BYTES);
	f[FRAME_BYTES / 2] ^= 0xff;
	zc_probe("frame:consumer", f, FRAME_BYTES);
	printf("changed %llu\n", (unsigned long long)sum(f));
	free(f);
	return 0;
}

/*
 * The reuse trap: a frame marked, written to a file, freed; the allocator hands the same
 * address back, the file is read into it and marked again. Same address, same bytes, but
 * the bytes crossed a file: not shared. Prints whether the address came back.
 */
static int mode_reuse(const char *path)
{
	/* frames from the heap, which gives a freed block straight back (mmapped ones move) */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	unsigned char *f = render(5);
	zc_probe("frame:producer", f, FRAME_BYTES);
	FILE *out = fopen(path, "wb");
	if (!out || fwrite(f, 1, FRAME_BYTES, out) != FRAME_BYTES || fclose(out) != 0)
		return 1;
	free(f);
	unsigned char *again = malloc(FRAME_BYTES);
	FILE *in = fopen(path, "rb");
	if (!again || !in || fread(again, 1, FRAME_BYTES, in) != FRAME_BYTES)
		return 1;
	fclose(in);
	zc_probe("frame:consumer", again, FRAME_BYTES);
	printf("reuse %llu %s\n", (unsigned long long)sum(again),
	       again == f ? "same-address" : "new-address");
	free(again);
	return 0;
}

/* A copy no hook sees: the consumer's side copies with a loop of its own. */
static int mode_loop(void)
{
	unsigned char *f = render(6);
	zc_probe("frame:producer", f, FRAME_BYTES);
	volatile unsigned char *mine = malloc(FRAME_BYTES);
	if (!mine)
		return 1;
	for (size_t i = 0; i < FRAME_BYTES; i++)
		mine[i] = f[i];
	zc_probe("frame:consumer", (const void *)mine, FRAME_BYTES);
	printf("loop %llu\n", (unsigned long long)sum((const unsigned char *)mine));
	free((void *)mine);
	free(f);
	return 0;
}

static int mode_fork(void)
{
	if (mode_copy() != 0)
		return 1;
	fflush(stdout);
	pid_t child = fork();
	if (child == 0)
		exit(mode_copy());
	int status = 1;
	waitpid(child, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int mode_frames(long n)
{
	unsigned char *f = render(4);
	uint64_t s = 0;
	for (long i = 0; i < n; i++) {
		unsigned char *mine = receive_copy(f);
		if (!mine)
			return 1;
		s += sum(mine);
		free(mine);
	}
	printf("frames %ld %llu\n", n, (unsigned long long)s);
	free(f);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "copy"))
		return mode_copy();
	if (!strcmp(mode, "view"))
		return mode_view();
	if (!strcmp(mode, "changed"))
		return mode_changed();
	if (!strcmp(mode, "fork"))
		return mode_fork();
	if (!strcmp(mode, "loop"))
		return mode_loop();
	if (!strcmp(mode, "reuse") && argc > 2)
		return mode_reuse(argv[2]);
	if (!strcmp(mode, "frames") && argc > 2)
		return mode_frames(atol(argv[2]));
	fprintf(stderr, "usage: probe_demo copy|view|changed|fork|loop|frames N|reuse FILE\n");
	return 2;
}
