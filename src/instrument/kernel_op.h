/*
 * kernel_op.h: what a read- or write-like system call did with the bytes it moved, as the
 * interposers tell it to the counters (instrument.h) and to the tracer (tools/zctrace/).
 */
#ifndef ZC_KERNEL_OP_H
#define ZC_KERNEL_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

enum zc_kernel_op {
	ZC_KERNEL_READ,     /* copied into this process's memory */
	ZC_KERNEL_WRITE,    /* copied out of it */
	ZC_KERNEL_MOVE,     /* between descriptors, no user memory: splice, sendfile... */
	ZC_KERNEL_HANDOVER, /* vmsplice into a pipe: the pipe references the pages */
};

/*
 * The user memory a kernel call moved bytes to or from: one buffer, or iovcnt iovecs, whose
 * first bytes, in order, are those the call moved; neither for a move. process: the call's
 * descriptor is a process's id (process_vm_*), remote its memory the call read or wrote.
 * to_fd: a move's destination (-1). len: the bytes a write-like call was asked to send from
 * buf (0 when not told: a read).
 */
struct zc_kernel_mem {
	const void *buf;
	size_t len;
	const struct iovec *iov;
	size_t iovcnt;
	bool process;
	const struct iovec *remote;
	size_t remotecnt;
	int to_fd;
};

#endif
