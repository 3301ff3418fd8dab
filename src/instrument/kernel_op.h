/*
 * kernel_op.h: what a read- or write-like system call did with the bytes it moved, as the
 * interposers tell it to the counters (instrument.h) and to the tracer (tools/zctrace/).
 */
#ifndef ZC_KERNEL_OP_H
#define ZC_KERNEL_OP_H

enum zc_kernel_op {
	ZC_KERNEL_READ,     /* copied into this process's memory */
	ZC_KERNEL_WRITE,    /* copied out of it */
	ZC_KERNEL_MOVE,     /* between descriptors, no user memory: splice, sendfile... */
	ZC_KERNEL_HANDOVER, /* vmsplice into a pipe: the pipe references the pages */
};

#endif
