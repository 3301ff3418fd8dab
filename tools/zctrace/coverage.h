/*
 * coverage.h: what zctrace cannot see, said once under every summary (the tracer's own, and
 * the wrapper's for a process tree).
 */
#ifndef ZC_TRACE_COVERAGE_H
#define ZC_TRACE_COVERAGE_H

#define ZCT_NOT_SEEN                                                                        \
	"not seen: copies gcc inlined or a loop made (--pages counts the pages they write), "  \
	"system calls made inside libc (stdio) or with syscall(), io_uring, static and "       \
	"setuid programs"

#endif
