/*
 * names_lib.c: libzcnames.so, whose copy site zctrace must name in a shared library (names.c).
 */
#include "names_lib.h"

#include <string.h>

#define MIB ((size_t)1 << 20)

/* Static (no dynamic symbol): only .symtab and DWARF name it. Not a tail call. */
__attribute__((noinline)) static unsigned library_copy(unsigned char *dst,
						       const unsigned char *src)
{
	memcpy(dst, src, 2 * MIB); /* site: library */
	return dst[2 * MIB - 1];
}

unsigned names_library(unsigned char *dst, const unsigned char *src)
{
	return library_copy(dst, src) + 0u;
}
