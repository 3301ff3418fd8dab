/*
 * kernel_io.h: the kernel's own I/O accounting of a process, /proc/PID/io: rchar and wchar,
 * the bytes of its read- and write-like system calls, whatever made them (stdio inside libc,
 * raw syscall(), a process without zcbench's hooks), summed over all its threads.
 *
 * A cross-check of the hooks' kernel counts (instrument.h), not a replacement: on Linux 6.x
 * rchar/wchar count read/write/readv/pread on pipes and files, sendfile and copy_file_range
 * (on both sides), but not send/recv/sendmsg/recvmsg on sockets, splice, vmsplice, nor
 * process_vm_readv/writev; and they include every file the process reads, /proc among them.
 * Reading this file adds its own length to the reader's rchar: a diff of two samples of this
 * process takes that back out, so nothing done between them reads as 0.
 */
#ifndef ZC_KERNEL_IO_H
#define ZC_KERNEL_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct zc_kernel_io {
	uint64_t rchar;       /* bytes returned by read-like calls */
	uint64_t wchar;       /* bytes passed to write-like calls */
	uint64_t syscr;       /* read-like calls */
	uint64_t syscw;       /* write-like calls */
	uint64_t read_bytes;  /* of those, bytes fetched from storage */
	uint64_t write_bytes; /* bytes sent to storage */
	uint64_t self_rchar;  /* what taking this sample added to rchar (0 for another process) */
	uint64_t self_syscr;  /* ... and to syscr */
};

/*
 * Samples /proc/PID/io (pid 0: this process) into io. Returns 0, or -1 with the reason in err
 * (ZC_EXIT_RUNTIME: no such process, no permission, kernel without
 * CONFIG_TASK_IO_ACCOUNTING).
 */
int zc_kernel_io_read(pid_t pid, struct zc_kernel_io *io, struct zc_error *err);

/* out = after - before, field by field, less what taking before added. */
void zc_kernel_io_diff(struct zc_kernel_io *out, const struct zc_kernel_io *after,
		       const struct zc_kernel_io *before);

#endif
