/*
 * names.c: a user's program whose call sites zctrace must name with their function and
 * source line (tools/zctrace/e2e_names.sh). mk/zctrace.mk builds it non-PIE and PIE with -g,
 * and stripped, each linked with libzcnames.so (names_lib.c). Three copies from three sites,
 * each found by its size; the line of each copy is marked "site:" for the test:
 *   8 MiB  names_program_copy, a function of the program's own
 *   4 MiB  names_inlined_copy, inlined into main
 *   2 MiB  library_copy, a static function of libzcnames.so (names_library)
 * Prints a sum of what it copied, so that no copy can be optimised away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names_lib.h"

#define MIB ((size_t)1 << 20)

/* Not a tail call: the copy's return address stays in this function. */
__attribute__((noinline)) static unsigned names_program_copy(unsigned char *dst,
							     const unsigned char *src)
{
	memcpy(dst, src, 8 * MIB); /* site: program */
	return dst[0] + dst[8 * MIB - 1];
}

static inline __attribute__((always_inline)) unsigned names_inlined_copy(unsigned char *dst,
									  const unsigned char *src)
{
	memcpy(dst, src, 4 * MIB); /* site: inlined */
	return dst[4 * MIB - 1];
}

int main(void)
{
	unsigned char *src = calloc(1, 8 * MIB), *dst = malloc(8 * MIB);
	if (!src || !dst) {
		fprintf(stderr, "names: out of memory\n");
		return 1;
	}
	src[8 * MIB - 1] = 1;
	src[4 * MIB - 1] = 2;
	src[2 * MIB - 1] = 3;
	unsigned sum = names_program_copy(dst, src);
	sum += names_inlined_copy(dst, src);
	sum += names_library(dst, src);
	printf("names %u\n", sum);
	free(dst);
	free(src);
	return 0;
}
