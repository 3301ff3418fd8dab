/*
 * out.c: the buffered writer behind the tracer's JSON; write(2) only, no stdio, no malloc.
 */
#include "out.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void zct_out_init(struct zct_out *o, int fd)
{
	o->fd = fd;
	o->bad = false;
	o->len = 0;
}

int zct_out_flush(struct zct_out *o)
{
	size_t done = 0;
	while (done < o->len && !o->bad) {
		ssize_t n = write(o->fd, o->buf + done, o->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			o->bad = true;
		else
			done += (size_t)n;
	}
	o->len = 0;
	return o->bad ? -1 : 0;
}

static void put(struct zct_out *o, const char *s, size_t n)
{
	while (n > 0) {
		if (o->len == sizeof(o->buf) && zct_out_flush(o) != 0)
			return;
		size_t room = sizeof(o->buf) - o->len;
		size_t k = n < room ? n : room;
		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
	}
}

void zct_out_str(struct zct_out *o, const char *s)
{
	put(o, s, strlen(s));
}

void zct_out_fmt(struct zct_out *o, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void zct_out_json_str(struct zct_out *o, const char *s)
{
	put(o, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			char esc[2] = {'\\', (char)c};
			put(o, esc, 2);
		} else if (c < 0x20) {
			zct_out_fmt(o, "\\u%04x", c);
		} else {
			put(o, s, 1);
		}
	}
	put(o, "\"", 1);
}

void zct_out_json_ptr(struct zct_out *o, const void *p)
{
	zct_out_fmt(o, "\"0x%llx\"", (unsigned long long)(uintptr_t)p);
}

const char *zct_child_record(char *buf, size_t len, const char *out, const char *dir,
			     const char *pid)
{
	const char *slash = strrchr(out, '/');
	const char *name = dir && *dir ? (slash ? slash + 1 : out) : out;
	size_t n = strlen(name);
	size_t stem = n >= 5 && strcmp(name + n - 5, ".json") == 0 ? n - 5 : n;
	int w = snprintf(buf, len, "%s%s%.*s.%s%s", dir && *dir ? dir : "", dir && *dir ? "/" : "",
			 (int)stem, name, pid, name + stem);
	if (w < 0 || (size_t)w >= len)
		buf[0] = '\0';
	return buf;
}

const char *zct_thousands(uint64_t v, char *buf, size_t len)
{
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	size_t j = 0;
	for (int i = 0; i < n && j + 2 < len; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[j++] = ',';
		buf[j++] = digits[i];
	}
	buf[j] = '\0';
	return buf;
}
