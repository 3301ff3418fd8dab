/*
 * kernel_io.c: /proc/PID/io, read with one raw pread so that the kernel-copy hooks do not
 * count it and its own cost on rchar is known exactly: the bytes that call returned.
 */
#include "kernel_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The number on the line "key: N" of text; false when absent. */
static bool field(const char *text, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);
	for (const char *line = text; line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (strncmp(line, key, klen) != 0 || line[klen] != ':')
			continue;
		char *end;
		errno = 0;
		unsigned long long v = strtoull(line + klen + 1, &end, 10);
		if (errno || end == line + klen + 1)
			return false;
		*out = v;
		return true;
	}
	return false;
}

static int parse(const char *text, struct zc_kernel_io *io)
{
	static const struct {
		const char *key;
		size_t off;
	} fields[] = {
		{"rchar", offsetof(struct zc_kernel_io, rchar)},
		{"wchar", offsetof(struct zc_kernel_io, wchar)},
		{"syscr", offsetof(struct zc_kernel_io, syscr)},
		{"syscw", offsetof(struct zc_kernel_io, syscw)},
		{"read_bytes", offsetof(struct zc_kernel_io, read_bytes)},
		{"write_bytes", offsetof(struct zc_kernel_io, write_bytes)},
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint64_t v;
		if (!field(text, fields[i].key, &v))
			return -1;
		memcpy((char *)io + fields[i].off, &v, sizeof(v));
	}
	return 0;
}

int zc_kernel_io_read(pid_t pid, struct zc_kernel_io *io, struct zc_error *err)
{
	char path[64], text[1024];
	bool self = pid == 0 || pid == getpid();
	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/self/io");
	else
		snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "kernel io: cannot open '%s': %s", path,
				    strerror(errno));
	long n = syscall(SYS_pread64, fd, text, sizeof(text) - 1, 0);
	int e = errno;
	close(fd);
	if (n < 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "kernel io: cannot read '%s': %s", path,
				    strerror(e));
	text[n] = '\0';
	if (parse(text, io) < 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "kernel io: cannot parse '%s'", path);
	io->self_rchar = self ? (uint64_t)n : 0;
	io->self_syscr = self ? 1 : 0;
	return 0;
}

void zc_kernel_io_diff(struct zc_kernel_io *out, const struct zc_kernel_io *after,
		       const struct zc_kernel_io *before)
{
	struct zc_kernel_io d = {
		.rchar = after->rchar - before->rchar - before->self_rchar,
		.wchar = after->wchar - before->wchar,
		.syscr = after->syscr - before->syscr - before->self_syscr,
		.syscw = after->syscw - before->syscw,
		.read_bytes = after->read_bytes - before->read_bytes,
		.write_bytes = after->write_bytes - before->write_bytes,
	};
	*out = d;
}
