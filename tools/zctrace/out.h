/*
 * out.h: a small buffered writer onto a file descriptor, with JSON helpers. The tracer writes
 * its record with it at exit, when stdio's buffers may be gone and malloc must not be needed.
 */
#ifndef ZC_TRACE_OUT_H
#define ZC_TRACE_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct zct_out {
	int fd;
	bool bad;      /* a write failed: the file is incomplete */
	size_t len;
	char buf[16384];
};

void zct_out_init(struct zct_out *o, int fd);
void zct_out_str(struct zct_out *o, const char *s);
/* printf into the buffer; a single item longer than 1 KiB is cut. */
void zct_out_fmt(struct zct_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s as a JSON string, quotes included. */
void zct_out_json_str(struct zct_out *o, const char *s);
/* p as a JSON string "0x7f...". */
void zct_out_json_ptr(struct zct_out *o, const void *p);
/* Flushes; returns 0, or -1 when anything could not be written. */
int zct_out_flush(struct zct_out *o);

/*
 * The record of a run's process other than its first (which writes out): out with ".PID"
 * before ".json" (or at the end), in dir when dir is set, else beside out. pid is a string,
 * so that "[0-9]*" makes the glob pattern of them all. Returns buf ("" when it is too long).
 */
const char *zct_child_record(char *buf, size_t len, const char *out, const char *dir,
			     const char *pid);

/* 8294400 -> "8,294,400" into buf. */
const char *zct_thousands(uint64_t v, char *buf, size_t len);

#endif
