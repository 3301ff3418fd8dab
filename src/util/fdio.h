/*
 * fdio.h: whole reads and writes on a blocking descriptor, retried across EINTR and short
 * counts (the measuring process's result pipe, the process consumer's data path).
 */
#ifndef ZC_FDIO_H
#define ZC_FDIO_H

#include <stddef.h>

/* Writes all n bytes. Returns 0, or -1 (errno set; 0 written means the reader is gone). */
int zc_write_all(int fd, const void *buf, size_t n);

/* Reads exactly n bytes. Returns 0, or -1 on an error or an end of file before n. */
int zc_read_all(int fd, void *buf, size_t n);

/*
 * Reads until the end of file into a new buffer, NUL-terminated (not counted in *len).
 * Returns it (free it), or NULL with errno set.
 */
char *zc_read_whole(int fd, size_t *len);

#endif
