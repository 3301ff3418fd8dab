/*
 * coverage.h: the summary's wording shared by the tracer's own summary and the wrapper's for
 * a process tree: the headline's figures, and what zctrace cannot see, said under every one.
 */
#ifndef ZC_TRACE_COVERAGE_H
#define ZC_TRACE_COVERAGE_H

/*
 * After "zctrace: PROGRAM [pid N]": the bytes and number of the call sites the lines below
 * list (summary.site_copies), the allocations, the threshold.
 */
#define ZCT_HEADLINE                                                                        \
	"%s bytes copied at %llu call site%s, %llu allocation%s (call sites and allocations "  \
	"of at least %s bytes)"

#define ZCT_NOT_SEEN                                                                        \
	"not seen: copies gcc inlined or a loop made (--pages counts the pages they write), "  \
	"system calls made inside libc (stdio) or with syscall(), io_uring, inside static "   \
	"and setuid programs (named, not traced)"

#endif
