/*
 * grow.h: room for one more element in a growing array (doubling), the one way every list
 * in the tree grows.
 */
#ifndef ZC_GROW_H
#define ZC_GROW_H

#include <stddef.h>

/*
 * Makes sure the array at *@array (a pointer to any element type, passed as its address)
 * has room for element @n: when @n == *@cap it is reallocated to twice *@cap elements of
 * @elem bytes, or @first when empty. Returns 0, or -1 with errno ENOMEM and the array as it
 * was.
 */
int zc_grow(void *array, size_t *cap, size_t n, size_t elem, size_t first);

#endif
