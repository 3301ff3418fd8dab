/*
 * fdio.c: whole reads and writes.
 */
#include "fdio.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "grow.h"

/* All n bytes of p written (writing) or read: 0, or -1 at an error or end of file. */
static int whole(int fd, char *p, size_t n, bool writing)
{
	while (n > 0) {
		ssize_t k = writing ? write(fd, p, n) : read(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int zc_write_all(int fd, const void *buf, size_t n)
{
	return whole(fd, (char *)buf, n, true); /* write() does not store through it */
}

int zc_read_all(int fd, void *buf, size_t n)
{
	return whole(fd, buf, n, false);
}

char *zc_read_whole(int fd, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0, n = 0;

	for (;;) {
		if (zc_grow(&buf, &cap, n + 1, 1, 1 << 16) != 0)
			goto out_free;
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto out_free;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	return buf;

out_free:
	free(buf);
	return NULL;
}
