/*
 * content_copy.c: a copy that no hook sees, for the search by content (zctrace --pages).
 * Marks an 8 MiB random buffer ("buf:first"), writes between the marks, marks it again
 * ("buf:second", same address):
 *   copy     a word loop copies it to a misaligned destination (dst + 3): found by content,
 *            and the pair is copied
 *   control  8 MiB of other bytes are written instead: nothing is found, the pair is shared
 * The loops are built so that gcc cannot turn them into calls to memcpy or memset.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zc_probe.h"

#define BYTES (8u * 1024 * 1024)

typedef uint64_t __attribute__((may_alias, aligned(1))) word;

static volatile uint64_t sink;

__attribute__((noinline, optimize("no-tree-loop-distribute-patterns")))
static void word_copy(unsigned char *dst, const unsigned char *src, size_t n)
{
	for (size_t i = 0; i + 8 <= n; i += 8)
		*(word *)(dst + i) = *(const word *)(src + i);
}

__attribute__((noinline, optimize("no-tree-loop-distribute-patterns")))
static void fill(unsigned char *p, size_t n, uint64_t seed)
{
	for (size_t i = 0; i + 8 <= n; i += 8) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		*(word *)(p + i) = seed ^ (seed >> 29);
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "copy";
	unsigned char *src = malloc(BYTES), *dst = malloc(BYTES + 8);
	if (!src || !dst)
		return 1;
	fill(src, BYTES, 42);
	zc_probe("buf:first", src, BYTES);
	if (!strcmp(mode, "copy"))
		word_copy(dst + 3, src, BYTES);
	else if (!strcmp(mode, "control"))
		fill(dst + 3, BYTES, 7);
	else {
		fprintf(stderr, "content_copy: unknown mode '%s' (copy, control)\n", mode);
		return 2;
	}
	zc_probe("buf:second", src, BYTES);
	sink = dst[BYTES / 2] ^ dst[BYTES - 1];
	if (!strcmp(mode, "copy") && memcmp(dst + 3, src, BYTES) != 0) {
		fprintf(stderr, "content_copy: the word loop copied wrongly\n");
		return 1;
	}
	free(src);
	free(dst);
	return 0;
}
