/*
 * test_kernel_copies.c: the bytes the kernel moves for read- and write-like system calls,
 * counted by the hooks on libc's wrappers (instrument.h) and by the kernel's own accounting
 * (/proc/PID/io, kernel_io.h): exact figures for a frame through a pipe, a socket, vmsplice,
 * splice, and what each instrument cannot see.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"
#include "gbench.h"
#include "instrument.h"
#include "kernel_io.h"

#define FRAME_BYTES 8294400u /* 1920 x 1080 x 4 */
#define PAGE 4096u

static unsigned char *frame, *dst;

static int setup(void **unused)
{
	(void)unused;
	frame = aligned_alloc(PAGE, FRAME_BYTES);
	dst = aligned_alloc(PAGE, FRAME_BYTES);
	for (size_t i = 0; i < FRAME_BYTES; i++)
		frame[i] = (unsigned char)(i * 7 + 3);
	memset(dst, 0, FRAME_BYTES);
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	free(frame);
	free(dst);
	return 0;
}

/* The hooks are in every test program, unless built with COUNTING=0. */
static void require_hooks(void)
{
	if (zc_instrument_allocator_linked())
		return;
	print_message("kernel-copy hooks not linked (COUNTING=0)\n");
	skip();
}

static void sample(struct zc_kernel_io *io)
{
	struct zc_error err = {0};
	if (zc_kernel_io_read(0, io, &err) != 0) {
		print_message("/proc/self/io unavailable: %s\n", err.text);
		skip();
	}
}

struct writer {
	int fd;
	const unsigned char *buf;
	size_t n;
	int rc;
};

static void *write_all(void *arg)
{
	struct writer *w = arg;
	w->rc = zc_write_all(w->fd, w->buf, w->n);
	return NULL;
}

/* vmsplice the whole buffer into the pipe, as many calls as the pipe needs. */
static void *vmsplice_all(void *arg)
{
	struct writer *w = arg;
	size_t done = 0;
	while (done < w->n) {
		struct iovec iov = {(void *)(w->buf + done), w->n - done};
		ssize_t r = vmsplice(w->fd, &iov, 1, 0);
		if (r <= 0) {
			w->rc = -1;
			return NULL;
		}
		done += (size_t)r;
	}
	w->rc = 0;
	return NULL;
}

/* Sends n bytes of buf into fd from a thread while this one reads them into dst. */
static void through(int wfd, int rfd, size_t n, void *(*send_fn)(void *))
{
	struct writer w = {.fd = wfd, .buf = frame, .n = n, .rc = -1};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, send_fn, &w), 0);
	assert_int_equal(zc_read_all(rfd, dst, n), 0);
	pthread_join(t, NULL);
	assert_int_equal(w.rc, 0);
	assert_memory_equal(dst, frame, n);
}

static void counted(struct zc_counts *d, void (*fn)(void))
{
	struct zc_counts a, b;
	zc_counts_snapshot(&a);
	fn();
	zc_counts_snapshot(&b);
	zc_counts_diff(d, &b, &a);
}

static int pipe_fds[2];

static void frame_through_pipe(void)
{
	through(pipe_fds[1], pipe_fds[0], FRAME_BYTES, write_all);
}

/* The kernel copies twice: write() into the pipe, read() out of it. */
static void pipe_frame_is_two_kernel_copies(void **unused)
{
	(void)unused;
	require_hooks();
	assert_int_equal(pipe2(pipe_fds, O_CLOEXEC), 0);
	struct zc_counts d;
	counted(&d, frame_through_pipe);
	assert_true(d.kernel_write_bytes == FRAME_BYTES);
	assert_true(d.kernel_read_bytes == FRAME_BYTES);
	assert_true(d.kernel_writes >= 1 && d.kernel_reads >= 1);
	assert_true(d.kernel_move_bytes == 0 && d.kernel_handover_bytes == 0);
	assert_true(zc_counts_kernel_copy_bytes(&d) == 2ull * FRAME_BYTES);
	assert_true(zc_counts_kernel_calls(&d) == d.kernel_reads + d.kernel_writes);
	/* no memcpy saw any of it */
	assert_int_equal(d.hook_copies, 0);
	assert_int_equal(d.copies, 0);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

static void pipe_frame_in_proc_self_io(void **unused)
{
	(void)unused;
	assert_int_equal(pipe2(pipe_fds, O_CLOEXEC), 0);
	struct zc_kernel_io a, b, c, d;
	sample(&a);
	sample(&b);
	zc_kernel_io_diff(&d, &b, &a);
	assert_int_equal(d.rchar, 0); /* the first sample's own read is taken back out */
	assert_int_equal(d.syscr, 0);
	assert_int_equal(d.wchar, 0);
	frame_through_pipe();
	sample(&c);
	zc_kernel_io_diff(&d, &c, &b);
	assert_true(d.rchar == FRAME_BYTES);
	assert_true(d.wchar == FRAME_BYTES);
	assert_true(d.syscr >= 1 && d.syscw >= 1);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

static int sock[2];

static void frame_through_socket(void)
{
	through(sock[0], sock[1], FRAME_BYTES, write_all);
}

static void *send_all(void *arg)
{
	struct writer *w = arg;
	size_t done = 0;
	while (done < w->n) {
		ssize_t r = send(w->fd, w->buf + done, w->n - done, MSG_NOSIGNAL);
		if (r <= 0)
			return NULL;
		done += (size_t)r;
	}
	w->rc = 0;
	return NULL;
}

static void frame_sent_and_received(void)
{
	size_t got = 0;
	struct writer w = {.fd = sock[0], .buf = frame, .n = FRAME_BYTES, .rc = -1};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, send_all, &w), 0);
	while (got < FRAME_BYTES) {
		ssize_t r = recv(sock[1], dst + got, FRAME_BYTES - got, 0);
		assert_true(r > 0);
		got += (size_t)r;
	}
	pthread_join(t, NULL);
	assert_int_equal(w.rc, 0);
}

/* send/recv on a socket: the hooks count them, /proc/self/io does not. */
static void socket_frame_is_seen_by_the_hooks_only(void **unused)
{
	(void)unused;
	require_hooks();
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock), 0);
	struct zc_counts d;
	struct zc_kernel_io a, b, io;
	counted(&d, frame_through_socket); /* write/read on a socket */
	assert_true(d.kernel_write_bytes == FRAME_BYTES && d.kernel_read_bytes == FRAME_BYTES);
	sample(&a);
	counted(&d, frame_sent_and_received);
	sample(&b);
	zc_kernel_io_diff(&io, &b, &a);
	assert_true(d.kernel_write_bytes == FRAME_BYTES && d.kernel_read_bytes == FRAME_BYTES);
	assert_true(io.rchar == 0 && io.wchar == 0);
	close(sock[0]);
	close(sock[1]);
}

static void frame_vmspliced(void)
{
	through(pipe_fds[1], pipe_fds[0], FRAME_BYTES, vmsplice_all);
}

/* vmsplice hands the pages to the pipe: no copy there; the reader's read() is the one copy. */
static void vmsplice_is_a_hand_over(void **unused)
{
	(void)unused;
	require_hooks();
	assert_int_equal(pipe2(pipe_fds, O_CLOEXEC), 0);
	struct zc_counts d;
	struct zc_kernel_io a, b, io;
	sample(&a);
	counted(&d, frame_vmspliced);
	sample(&b);
	zc_kernel_io_diff(&io, &b, &a);
	assert_true(d.kernel_handover_bytes == FRAME_BYTES);
	assert_true(d.kernel_handovers >= 1);
	assert_true(d.kernel_read_bytes == FRAME_BYTES);
	assert_int_equal(d.kernel_write_bytes, 0);
	assert_true(zc_counts_kernel_copy_bytes(&d) == FRAME_BYTES);
	assert_true(io.wchar == 0 && io.rchar == FRAME_BYTES); /* the kernel sees the read only */
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

/* The evidence: a write after vmsplice is what the reader gets; the pipe held the page. */
static void vmsplice_shares_the_page_and_its_read_end_copies(void **unused)
{
	(void)unused;
	require_hooks();
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	memset(dst, 'a', PAGE);
	struct iovec iov = {dst, PAGE};
	struct zc_counts a, b, d;
	zc_counts_snapshot(&a);
	assert_int_equal(vmsplice(p[1], &iov, 1, 0), PAGE);
	memset(dst, 'b', PAGE);
	char got[PAGE];
	assert_int_equal(read(p[0], got, PAGE), PAGE);
	assert_int_equal(got[0], 'b');
	assert_int_equal(write(p[1], frame, PAGE), PAGE);
	struct iovec out = {got, PAGE};
	assert_int_equal(vmsplice(p[0], &out, 1, 0), PAGE); /* out of the pipe: a copy */
	zc_counts_snapshot(&b);
	zc_counts_diff(&d, &b, &a);
	assert_memory_equal(got, frame, PAGE);
	assert_int_equal(d.kernel_handovers, 1);
	assert_int_equal(d.kernel_handover_bytes, PAGE);
	assert_int_equal(d.kernel_reads, 2);
	assert_int_equal(d.kernel_read_bytes, 2 * PAGE);
	assert_int_equal(d.kernel_writes, 1);
	assert_int_equal(d.kernel_write_bytes, PAGE);
	close(p[0]);
	close(p[1]);
}

/* splice, tee, sendfile, copy_file_range move bytes between descriptors: no user memory. */
static void moves_between_descriptors_are_not_copies(void **unused)
{
	(void)unused;
	require_hooks();
	int f = memfd_create("zc-kernel-copies", MFD_CLOEXEC);
	int g = memfd_create("zc-kernel-copies-2", MFD_CLOEXEC);
	int p[2], q[2];
	assert_true(f >= 0 && g >= 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(pipe2(q, O_CLOEXEC), 0);
	assert_int_equal(zc_write_all(f, frame, 4 * PAGE), 0);
	struct zc_counts a, b, d;
	zc_counts_snapshot(&a);
	off_t off = 0;
	assert_int_equal(sendfile(p[1], f, &off, 2 * PAGE), 2 * PAGE);       /* file -> pipe */
	assert_int_equal(tee(p[0], q[1], PAGE, 0), PAGE);                     /* pipe -> pipe */
	assert_int_equal(splice(p[0], NULL, g, NULL, 2 * PAGE, 0), 2 * PAGE); /* pipe -> file */
	loff_t in = 0, at = 2 * PAGE;
	assert_int_equal(copy_file_range(f, &in, g, &at, PAGE, 0), PAGE);     /* file -> file */
	zc_counts_snapshot(&b);
	zc_counts_diff(&d, &b, &a);
	assert_int_equal(d.kernel_moves, 4);
	assert_int_equal(d.kernel_move_bytes, 6 * PAGE);
	assert_int_equal(zc_counts_kernel_copy_bytes(&d), 0);
	assert_int_equal(zc_counts_kernel_calls(&d), 4);
	close(f), close(g), close(p[0]), close(p[1]), close(q[0]), close(q[1]);
}

/* Each wrapper of the family, with exact sizes. */
static void every_wrapper_is_counted(void **unused)
{
	(void)unused;
	require_hooks();
	int s[2], f = memfd_create("zc-kernel-copies", MFD_CLOEXEC);
	assert_true(f >= 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, s), 0);
	struct iovec two[2] = {{frame, 100}, {frame + 100, 200}};
	struct iovec into[2] = {{dst, 100}, {dst + 100, 200}};
	struct msghdr msg = {.msg_iov = two, .msg_iovlen = 2};
	struct msghdr rmsg = {.msg_iov = into, .msg_iovlen = 2};
	struct mmsghdr mm[2] = {{.msg_hdr = msg}, {.msg_hdr = msg}};
	struct mmsghdr rmm[2] = {{.msg_hdr = rmsg}, {.msg_hdr = rmsg}};
	struct iovec self_l = {dst, 1000}, self_r = {frame, 1000};
	struct zc_counts a, b, d;
	zc_counts_snapshot(&a);
	assert_int_equal(pwrite(f, frame, 10, 0), 10);
	assert_int_equal(pwrite64(f, frame, 20, 10), 20);
	assert_int_equal(writev(f, two, 2), 300);
	assert_int_equal(pwritev(f, two, 2, 0), 300);
	assert_int_equal(pwritev2(f, two, 2, 0, 0), 300);
	assert_int_equal(pread(f, dst, 10, 0), 10);
	assert_int_equal(pread64(f, dst, 20, 0), 20);
	assert_int_equal(readv(f, into, 2), 0); /* at the end of the file: nothing moved */
	assert_int_equal(preadv(f, into, 2, 0), 300);
	assert_int_equal(preadv2(f, into, 2, 0, 0), 300);
	assert_int_equal(send(s[0], frame, 50, 0), 50);
	assert_int_equal(recv(s[1], dst, 50, 0), 50);
	assert_int_equal(sendto(s[0], frame, 60, 0, NULL, 0), 60);
	assert_int_equal(recvfrom(s[1], dst, 60, 0, NULL, NULL), 60);
	assert_int_equal(sendmsg(s[0], &msg, 0), 300);
	assert_int_equal(recvmsg(s[1], &rmsg, 0), 300);
	assert_int_equal(sendmmsg(s[0], mm, 2, 0), 2);
	assert_int_equal(recvmmsg(s[1], rmm, 2, 0, NULL), 2);
	assert_int_equal(process_vm_readv(getpid(), &self_l, 1, &self_r, 1, 0), 1000);
	assert_int_equal(process_vm_writev(getpid(), &self_r, 1, &self_l, 1, 0), 1000);
	zc_counts_snapshot(&b);
	zc_counts_diff(&d, &b, &a);
	assert_int_equal(d.kernel_writes, 11); /* sendmmsg: one a message */
	assert_int_equal(d.kernel_write_bytes, 10 + 20 + 300 * 3 + 50 + 60 + 300 + 600 + 1000);
	assert_int_equal(d.kernel_reads, 10); /* the empty readv does not count; recvmmsg: 2 */
	assert_int_equal(d.kernel_read_bytes, 10 + 20 + 300 * 2 + 50 + 60 + 300 + 600 + 1000);
	close(f), close(s[0]), close(s[1]);
}

/* A failed call moves nothing, and its errno survives the hook. */
static void failed_calls_count_nothing(void **unused)
{
	(void)unused;
	require_hooks();
	struct zc_counts a, b, d;
	char c;
	zc_counts_snapshot(&a);
	errno = 0;
	assert_int_equal(read(-1, &c, 1), -1);
	assert_int_equal(errno, EBADF);
	errno = 0;
	assert_int_equal(write(-1, &c, 1), -1);
	assert_int_equal(errno, EBADF);
	zc_counts_snapshot(&b);
	zc_counts_diff(&d, &b, &a);
	assert_int_equal(zc_counts_kernel_calls(&d), 0);
	assert_int_equal(d.kernel_read_bytes + d.kernel_write_bytes, 0);
}

/* stdio writes inside libc: /proc/self/io sees them, the hooks do not. */
static void stdio_is_seen_by_proc_io_only(void **unused)
{
	(void)unused;
	require_hooks();
	FILE *f = tmpfile();
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	struct zc_counts a, b, d;
	struct zc_kernel_io ia, ib, io;
	sample(&ia);
	zc_counts_snapshot(&a);
	assert_int_equal(fwrite(frame, 1, 3 * PAGE, f), 3 * PAGE);
	zc_counts_snapshot(&b);
	sample(&ib);
	zc_counts_diff(&d, &b, &a);
	zc_kernel_io_diff(&io, &ib, &ia);
	assert_int_equal(d.kernel_write_bytes, 0);
	assert_int_equal(io.wchar, 3 * PAGE);
	fclose(f);
}

/* The child writes the frame into data, then raises *done: no system call of its own. */
static void child_writes_a_frame(int go, int data, volatile int *done)
{
	char c;
	if (zc_read_all(go, &c, 1) != 0 || zc_write_all(data, frame, FRAME_BYTES) != 0)
		_exit(1);
	*done = 1; /* write() has returned: its bytes are in the child's accounting */
	if (zc_read_all(go, &c, 1) != 0)
		_exit(1);
	_exit(0);
}

/* Another process's accounting, sampled by pid: what its calls moved, not the sampler's. */
static void another_process_by_pid(void **unused)
{
	(void)unused;
	int go[2], data[2];
	volatile int *done = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				  -1, 0);
	assert_true(done != MAP_FAILED);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(data), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child_writes_a_frame(go[0], data[1], done);
	close(data[1]);
	struct zc_kernel_io a, b, io;
	assert_int_equal(zc_kernel_io_read(pid, &a, NULL), 0);
	assert_int_equal(a.self_rchar, 0);
	assert_int_equal(zc_write_all(go[1], "g", 1), 0);
	assert_int_equal(zc_read_all(data[0], dst, FRAME_BYTES), 0);
	while (!*done)
		usleep(100);
	assert_int_equal(zc_kernel_io_read(pid, &b, NULL), 0);
	assert_int_equal(zc_write_all(go[1], "g", 1), 0);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	zc_kernel_io_diff(&io, &b, &a);
	assert_true(io.wchar == FRAME_BYTES);
	assert_int_equal(io.rchar, 1); /* the go byte */
	close(go[0]), close(go[1]), close(data[0]);
	munmap((void *)done, PAGE);
}

static void missing_process_gives_a_reason(void **unused)
{
	(void)unused;
	struct zc_kernel_io io;
	struct zc_error err = {0};
	assert_int_equal(zc_kernel_io_read(0x3fffffff, &io, &err), -1);
	assert_int_equal(err.code, ZC_EXIT_RUNTIME);
	assert_string_equal(err.text, "kernel io: cannot open '/proc/1073741823/io': "
				      "No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pipe_frame_is_two_kernel_copies),
		cmocka_unit_test(pipe_frame_in_proc_self_io),
		cmocka_unit_test(socket_frame_is_seen_by_the_hooks_only),
		cmocka_unit_test(vmsplice_is_a_hand_over),
		cmocka_unit_test(vmsplice_shares_the_page_and_its_read_end_copies),
		cmocka_unit_test(moves_between_descriptors_are_not_copies),
		cmocka_unit_test(every_wrapper_is_counted),
		cmocka_unit_test(failed_calls_count_nothing),
		cmocka_unit_test(stdio_is_seen_by_proc_io_only),
		cmocka_unit_test(another_process_by_pid),
		cmocka_unit_test(missing_process_gives_a_reason),
	};
	return cmocka_run_group_tests_name("kernel_copies", tests, setup, teardown);
}
