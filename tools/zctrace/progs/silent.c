/*
 * silent.c: the programs zctrace must not pass over in silence (docs/zctrace.md, "Never
 * silent"). Built twice: silent (dynamic) and silent-static (-static, which LD_PRELOAD
 * cannot reach).
 *
 *   silent copy          copies 8 MiB with memcpy and exits
 *   silent abort         copies 8 MiB with memcpy, then abort()s
 *   silent fwrite FILE   fwrite()s 8 MiB to FILE (stdio's write is made inside libc)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BYTES (8u << 20)

static volatile unsigned char sink; /* keeps the copy alive */

static unsigned char *copied(void)
{
	unsigned char *src = malloc(BYTES), *dst = malloc(BYTES);
	if (!src || !dst) {
		fprintf(stderr, "silent: out of memory\n");
		exit(1);
	}
	memset(src, 7, BYTES);
	memcpy(dst, src, BYTES);
	sink = dst[BYTES - 1];
	free(src);
	return dst;
}

static int write_file(const char *path)
{
	unsigned char *buf = copied();
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, BYTES, f) != BYTES || fclose(f) != 0) {
		fprintf(stderr, "silent: cannot write '%s'\n", path);
		return 1;
	}
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "copy")) {
		free(copied());
		return 0;
	}
	if (!strcmp(mode, "abort")) {
		copied();
		abort();
	}
	if (!strcmp(mode, "fwrite") && argc > 2)
		return write_file(argv[2]);
	fprintf(stderr, "usage: silent copy | abort | fwrite FILE\n");
	return 2;
}
