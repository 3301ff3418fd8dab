/* string.h for wasm32 without a libc: the producer's own memcpy and memset (producer.c). */
#ifndef ZCW_STRING_H
#define ZCW_STRING_H
#include <stddef.h>
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
#endif
