/*
 * grow.c: zc_grow, the doubling growth of every array in the tree.
 */
#include "grow.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int zc_grow(void *array, size_t *cap, size_t n, size_t elem, size_t first)
{
	void *old, *bigger;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? 2 * *cap : first;
	if (elem == 0 || ncap > SIZE_MAX / elem) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(&old, array, sizeof(old)); /* the caller's pointer, whatever its element type */
	bigger = realloc(old, ncap * elem);
	if (!bigger)
		return -1;
	memcpy(array, &bigger, sizeof(bigger));
	*cap = ncap;
	return 0;
}
