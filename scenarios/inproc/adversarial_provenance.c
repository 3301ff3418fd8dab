/*
 * adversarial_provenance.c: inproc's test-only rows on provenance, built only under
 * -DZCBENCH_ADVERSARIAL (tests/e2e_provenance.sh runs them). Each hands the producer's frame
 * over like move, so the write-through probe sees sharing, and then:
 *   - false alarms: moves bytes that are NOT the frame's (another frame-sized buffer, 100 KiB
 *     of metadata, bytes from /dev/urandom); each must stay zero-copy, its bytes reported in
 *     copies.other_bytes_per_transfer;
 *   - copies of the frame by the string family (stpncpy, strcat, strncat, wcscpy, wcsncpy,
 *     wmempcpy, wcpcpy), by the kernel on paths that touch no user memory on one side
 *     (vmsplice + splice into a memfd, write + copy_file_range between memfds), by
 *     process_vm_readv, and in release(): each must be judged a copy with the frame bytes
 *     it made.
 * The copies are of the frame's bytes after its first stamp (8 bytes): the stamps hold
 * zeros that end a string.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>
#include <wchar.h>

#include "frame.h"
#include "gbench.h"
#include "inproc_state.h"

#define METADATA_BYTES (100u * 1024u)
#define URANDOM_BYTES (1024u * 1024u)
#define PIPE_CHUNK (64u * 1024u)

/* A frame-sized buffer of other bytes (not rendered content), made once. */
static unsigned char *other_buf;
static size_t other_len;

static unsigned char *other_bytes(size_t bytes)
{
	if (other_len < bytes) {
		free(other_buf);
		other_buf = malloc(bytes);
		other_len = other_buf ? bytes : 0;
		if (other_buf)
			memset(other_buf, 0x5a, bytes);
	}
	return other_buf;
}

__attribute__((destructor)) static void free_other(void)
{
	free(other_buf);
}

/*
 * The string rows need the frame's rendered content, whose zero bytes end the pieces: the
 * timed loop's frames are only stamped (production, not transfer, so not timed here).
 */
static void rendered(const struct state *s, bool render, const struct zc_view *v)
{
	if (!render)
		zc_frame_render((void *)v->data, s->bytes, v->seq);
}

/* Another frame-sized buffer, not the frame, copied into the consumer's buffer. */
static int other_buffer_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	unsigned char *other = other_bytes(s->bytes);
	if (!other || zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, other ? errno : ENOMEM);
	memcpy(s->buffer, other, s->bytes);
	zc_do_not_optimize(s->buffer);
	return 0;
}

/* 100 KiB of metadata (over a hundredth of the frame) copied beside the hand-over. */
static int metadata_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	unsigned char *other = other_bytes(s->bytes);
	if (!other || zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, other ? errno : ENOMEM);
	memcpy(s->buffer, other, METADATA_BYTES);
	zc_do_not_optimize(s->buffer);
	return 0;
}

/* 1 MiB read from /dev/urandom into the consumer's buffer: the kernel's bytes, not the frame. */
static int urandom_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return zc_error_errno(err, errno);
	size_t got = 0;
	while (got < URANDOM_BYTES) {
		ssize_t n = read(fd, s->buffer + got, URANDOM_BYTES - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return got == URANDOM_BYTES ? 0 : zc_error_errno(err, EIO);
}

/*
 * The string family, over the frame's bytes after its first stamp: each call copies one
 * zero-terminated piece (a rendered frame has a zero byte about every 256), terminator
 * included, so that the pieces make the frame. STRING_COPY(name, call) defines name's
 * transfer, call copying the piece of len bytes at src (its terminator at src[len]) to dst.
 */
#define STRING_COPY(name, call)                                                           \
	static int name##_transfer(void *st, bool render, struct zc_view *v,              \
				   struct zc_error *err)                                  \
	{                                                                                 \
		struct state *s = st;                                                     \
		if (zc__inproc_take(s, render, v) != 0)                                   \
			return zc_error_errno(err, errno);                                \
		rendered(s, render, v);                                                   \
		const size_t end = s->bytes - ZC_STAMP_BYTES;                             \
		for (size_t off = ZC_STAMP_BYTES; off < end;) {                           \
			char *dst = (char *)s->buffer + off;                              \
			const char *src = (const char *)v->data + off;                    \
			size_t len = strnlen(src, end - off - 1);                         \
			call;                                                             \
			off += len + 1;                                                   \
		}                                                                         \
		zc_do_not_optimize(s->buffer);                                            \
		return 0;                                                                 \
	}
STRING_COPY(hidden_stpncpy, stpncpy(dst, src, len + 1))
STRING_COPY(hidden_strcat, (dst[0] = '\0', strcat(dst, src)))
STRING_COPY(hidden_strncat, (dst[0] = '\0', strncat(dst, src, len + 1)))

/*
 * The wide family: a rendered frame's bytes step by 131, so four zero bytes in a row (a
 * wide zero) come only at the stamps: one call copies the frame between them.
 */
static size_t wide_chars(const struct state *s)
{
	return (s->bytes - 2 * ZC_STAMP_BYTES) / sizeof(wchar_t);
}

#define WIDE_COPY(name, call)                                                             \
	static int name##_transfer(void *st, bool render, struct zc_view *v,              \
				   struct zc_error *err)                                  \
	{                                                                                 \
		struct state *s = st;                                                     \
		if (zc__inproc_take(s, render, v) != 0)                                   \
			return zc_error_errno(err, errno);                                \
		rendered(s, render, v);                                                   \
		wchar_t *dst = (wchar_t *)(void *)(s->buffer + ZC_STAMP_BYTES);           \
		const wchar_t *src = (const wchar_t *)(const void *)(v->data + ZC_STAMP_BYTES); \
		size_t n = wide_chars(s);                                                 \
		(void)n;                                                                  \
		call;                                                                     \
		zc_do_not_optimize(s->buffer);                                            \
		return 0;                                                                 \
	}
WIDE_COPY(hidden_wmempcpy, wmempcpy(dst, src, n))
WIDE_COPY(hidden_wcsncpy, wcsncpy(dst, src, n))
WIDE_COPY(hidden_wcscpy, wcscpy(dst, src))
WIDE_COPY(hidden_wcpcpy, wcpcpy(dst, src))

/*
 * The kernel copies the frame into a memfd without touching user memory on that side:
 * vmsplice hands the frame's pages to a pipe, splice moves them into the memfd's page cache.
 */
static int hidden_splice_memfd_transfer(void *st, bool render, struct zc_view *v,
					struct zc_error *err)
{
	struct state *s = st;
	int fds[2], mfd = -1, rc = -1;
	if (zc__inproc_take(s, render, v) != 0 || pipe(fds) != 0)
		return zc_error_errno(err, errno);
	mfd = memfd_create("zc-splice", MFD_CLOEXEC);
	for (size_t off = 0; mfd >= 0 && off < s->bytes;) {
		size_t n = s->bytes - off < PIPE_CHUNK ? s->bytes - off : PIPE_CHUNK;
		struct iovec iov = {.iov_base = (void *)(v->data + off), .iov_len = n};
		ssize_t in = vmsplice(fds[1], &iov, 1, 0);
		ssize_t out = in > 0 ? splice(fds[0], NULL, mfd, NULL, (size_t)in, 0) : -1;
		if (out != in || out <= 0)
			break;
		off += (size_t)out;
		rc = off == s->bytes ? 0 : -1;
	}
	int saved = errno;
	close(fds[0]);
	close(fds[1]);
	if (mfd >= 0)
		close(mfd);
	return rc ? zc_error_errno(err, saved ? saved : EIO) : 0;
}

/* Written into one memfd, copied to another by copy_file_range: two copies of the frame. */
static int hidden_copy_file_range_transfer(void *st, bool render, struct zc_view *v,
					   struct zc_error *err)
{
	struct state *s = st;
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	int a = memfd_create("zc-cfr-a", MFD_CLOEXEC), b = memfd_create("zc-cfr-b", MFD_CLOEXEC);
	int rc = a >= 0 && b >= 0 ? 0 : -1;
	for (size_t off = 0; rc == 0 && off < s->bytes;) {
		ssize_t n = pwrite(a, v->data + off, s->bytes - off, (off_t)off);
		rc = n > 0 ? 0 : -1;
		off += n > 0 ? (size_t)n : 0;
	}
	loff_t in = 0, out = 0;
	for (size_t moved = 0; rc == 0 && moved < s->bytes;) {
		ssize_t n = copy_file_range(a, &in, b, &out, s->bytes - moved, 0);
		rc = n > 0 ? 0 : -1;
		moved += n > 0 ? (size_t)n : 0;
	}
	int saved = errno;
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	return rc ? zc_error_errno(err, saved ? saved : EIO) : 0;
}

/* The frame read out of this very process by process_vm_readv, into the consumer's buffer. */
static int hidden_process_vm_transfer(void *st, bool render, struct zc_view *v,
				      struct zc_error *err)
{
	struct state *s = st;
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	struct iovec local = {.iov_base = s->buffer, .iov_len = s->bytes};
	struct iovec remote = {.iov_base = (void *)v->data, .iov_len = s->bytes};
	ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	return n == (ssize_t)s->bytes ? 0 : zc_error_errno(err, n < 0 ? errno : EIO);
}

/* The hand-over is clean; the copy is made when the consumer gives the frame back. */
static int move_only_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	return zc__inproc_take(s, render, v) != 0 ? zc_error_errno(err, errno) : 0;
}

static void copy_in_release(void *st, struct zc_view *v)
{
	struct state *s = st;
	memcpy(s->buffer, v->data, s->bytes);
	zc_do_not_optimize(s->buffer);
	zc__inproc_move_release(st, v);
}

#define PROVENANCE_ROW(id, transfer_fn, release_fn, what)                                  \
	const struct zc_strategy zc__inproc_##id = {                                       \
		.name = #id, .mirrors = "test only: move plus " what,                       \
		.expect_zero_copy = true, .arg = &zc__inproc_with_buffer,                   \
		.setup = zc__inproc_setup, .transfer = transfer_fn, .release = release_fn, \
		.teardown = zc__inproc_teardown,                                            \
	}
#define COPY_ROW(id, what) PROVENANCE_ROW(id, id##_transfer, zc__inproc_move_release, what)
COPY_ROW(other_buffer, "a copy of another frame-sized buffer");
COPY_ROW(metadata, "100 KiB of metadata copied");
COPY_ROW(urandom, "1 MiB read from /dev/urandom");
COPY_ROW(hidden_stpncpy, "the frame copied piece by piece with stpncpy");
COPY_ROW(hidden_strcat, "the frame copied piece by piece with strcat");
COPY_ROW(hidden_strncat, "the frame copied piece by piece with strncat");
COPY_ROW(hidden_wmempcpy, "the frame copied with wmempcpy");
COPY_ROW(hidden_wcsncpy, "the frame copied with wcsncpy");
COPY_ROW(hidden_wcscpy, "the frame copied with wcscpy");
COPY_ROW(hidden_wcpcpy, "the frame copied with wcpcpy");
COPY_ROW(hidden_splice_memfd, "vmsplice and splice into a memfd");
COPY_ROW(hidden_copy_file_range, "a memfd written and copied by copy_file_range");
COPY_ROW(hidden_process_vm, "the frame read back with process_vm_readv");
PROVENANCE_ROW(copy_in_release, move_only_transfer, copy_in_release, "a copy in release()");
