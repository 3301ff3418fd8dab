/*
 * test_provenance.c: whose bytes a copy moves (src/instrument/provenance.h), through the hooks
 * linked into this program as into every scenario program: copies out of a frame and out of
 * a copy of one count as the frame's, to the byte; other bytes are counted apart; taint goes
 * with freed memory and with memory overwritten by something else; rendered content is
 * recognised where no frame was made; a pipe gives back the frame bytes written into it;
 * a move into a memfd is a copy.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "frame.h"
#include "gbench.h"
#include "instrument.h"
#include "provenance.h"
#include "support.h"

#define N (1024u * 1024u)

/* n, as gcc cannot see it: the copy is a call the hooks see, never inlined. */
static size_t opaque(size_t n)
{
	volatile size_t v = n;
	return v;
}

struct seen {
	uint64_t frame_user, frame_kernel, other;
};

static struct zc_counts mark;

/*
 * Bytes that were not the frame's: exactly these, but under a sanitizer its runtime's own
 * copies are seen too (a few hundred bytes, never the frame's).
 */
static void assert_other(uint64_t got, uint64_t want)
{
	if (ZT_SANITIZER_BUILD)
		assert_true(got >= want && got < want + 64 * 1024);
	else
		assert_int_equal(got, want);
}

static void start(void)
{
	zc_counts_snapshot(&mark);
}

static struct seen since(void)
{
	struct zc_counts now, d;
	zc_counts_snapshot(&now);
	zc_counts_diff(&d, &now, &mark);
	return (struct seen){.frame_user = zc_counts_user_frame_bytes(&d),
			     .frame_kernel = zc_counts_kernel_frame_bytes(&d),
			     .other = zc_counts_other_bytes(&d)};
}

static unsigned char *filled(size_t n, int byte)
{
	unsigned char *p = malloc(n);
	assert_non_null(p);
	memset(p, byte, opaque(n));
	return p;
}

static void copies_of_a_frame_and_of_its_copies_count(void **unused)
{
	(void)unused;
	unsigned char *frame = filled(N, 0), *a = filled(N, 1), *b = filled(N, 2);
	zc_frame_stamp(frame, N, 7); /* a frame only stamped: known by where it is */
	start();
	memcpy(a, frame, opaque(N));
	memcpy(b, a, opaque(N)); /* a copy of the copy */
	struct seen s = since();
	assert_int_equal(s.frame_user, 2 * N);
	assert_other(s.other, 0);
	free(frame);
	free(a);
	free(b);
	assert_int_equal(zc_provenance_lost(), 0);
}

static void other_bytes_are_counted_apart(void **unused)
{
	(void)unused;
	unsigned char *src = filled(N, 0x5a), *dst = filled(N, 0);
	start();
	memcpy(dst, src, opaque(N));
	memmove(dst, src + 100, opaque(N - 100));
	struct seen s = since();
	assert_int_equal(s.frame_user, 0);
	assert_other(s.other, 2 * N - 100);
	free(src);
	free(dst);
}

/* A copy that straddles the frame's end counts the frame's part, and taints only that. */
static void a_partial_copy_counts_what_it_holds(void **unused)
{
	(void)unused;
	unsigned char *x = filled(2 * N, 0x33), *y = filled(8192, 0), *z = filled(8192, 0);
	zc_frame_stamp(x, N, 3); /* the first half is the frame */
	start();
	memcpy(y, x + N - 1000, opaque(4000));
	memcpy(z, y, opaque(4000));
	memcpy(z, y + 1000, opaque(3000)); /* none of it the frame's */
	struct seen s = since();
	assert_int_equal(s.frame_user, 2000);
	assert_other(s.other, 3000 + 3000 + 3000);
	free(x);
	free(y);
	free(z);
}

static void overwritten_and_freed_memory_is_no_longer_the_frame(void **unused)
{
	(void)unused;
	unsigned char *frame = filled(N, 0), *a = filled(N, 1), *b = filled(N, 0);
	unsigned char *other = filled(N, 0x5a);
	zc_frame_stamp(frame, N, 1);
	memcpy(a, frame, opaque(N));
	memcpy(a, other, opaque(N)); /* a holds other bytes now */
	start();
	memcpy(b, a, opaque(N));
	assert_int_equal(since().frame_user, 0);
	free(frame); /* gone: a block given out again at its address is not the frame */
	unsigned char *again = filled(N, 0x5a);
	start();
	memcpy(b, again, opaque(N));
	assert_int_equal(since().frame_user, 0);
	free(again);
	free(a);
	free(b);
	free(other);
}

/* Memory no frame was made in, holding rendered content: recognised by its content. */
static void rendered_content_is_recognised_anywhere(void **unused)
{
	(void)unused;
	unsigned char *r = filled(N, 0), *dst = filled(N + 64, 0);
	zc_frame_render(r, N, 11);
	zc_provenance_forget(r, N); /* as if another process had made it */
	start();
	memcpy(dst + 13, r, opaque(N)); /* to an odd address */
	struct seen s = since();
	assert_int_equal(s.frame_user, N);
	/* Below the minimum, content is not read. */
	start();
	memcpy(dst, r, opaque(ZC_PROVENANCE_CONTENT_MIN - 1));
	assert_int_equal(since().frame_user, 0);
	free(r);
	free(dst);
}

static void a_pipe_gives_back_the_frame_bytes_written_into_it(void **unused)
{
	(void)unused;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	unsigned char *frame = filled(N, 0), *got = filled(N, 0), *other = filled(4096, 0x5a);
	zc_frame_stamp(frame, N, 5);
	start();
	assert_int_equal(write(fds[1], frame, 4096), 4096);
	assert_int_equal(write(fds[1], other, 4096), 4096);
	assert_int_equal(read(fds[0], got, 8192), 8192); /* the first 4096 were the frame's */
	struct seen s = since();
	assert_int_equal(s.frame_kernel, 2 * 4096);
	assert_other(s.other, 4096 + 4096);
	/* What landed is the frame's from there on. */
	unsigned char *copy = filled(4096, 0);
	start();
	memcpy(copy, got, opaque(4096));
	assert_int_equal(since().frame_user, 4096);
	close(fds[0]);
	close(fds[1]);
	free(frame);
	free(got);
	free(other);
	free(copy);
}

static void devices_bytes_are_not_the_frame(void **unused)
{
	(void)unused;
	int fd = open("/dev/urandom", O_RDONLY);
	assert_true(fd >= 0);
	unsigned char *buf = filled(N, 0);
	start();
	assert_int_equal(read(fd, buf, 65536), 65536);
	struct seen s = since();
	assert_int_equal(s.frame_kernel, 0);
	assert_other(s.other, 65536);
	close(fd);
	free(buf);
}

/* vmsplice into a pipe hands pages over; splice into a memfd makes the kernel copy them. */
static void a_move_into_a_memfd_is_a_copy(void **unused)
{
	(void)unused;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	int mfd = memfd_create("zc-test", 0);
	assert_true(mfd >= 0);
	unsigned char *frame = aligned_alloc(4096, 65536); /* whole pages: one vmsplice takes all */
	assert_non_null(frame);
	memset(frame, 0, opaque(65536));
	zc_frame_stamp(frame, 65536, 9);
	start();
	struct iovec iov = {.iov_base = frame, .iov_len = 65536};
	assert_int_equal(vmsplice(fds[1], &iov, 1, 0), 65536);
	assert_int_equal(splice(fds[0], NULL, mfd, NULL, 65536, 0), 65536);
	struct seen s = since();
	assert_int_equal(s.frame_kernel, 65536);
	assert_other(s.other, 0);
	close(fds[0]);
	close(fds[1]);
	close(mfd);
	free(frame);
}

/* strncpy's padding is written, counted, and never the frame's; its terminator is the source's. */
static void string_padding_is_written_not_copied(void **unused)
{
	(void)unused;
	char *frame = (char *)filled(4096, 'a'), *dst = (char *)filled(8192, 0);
	frame[99] = '\0';
	zc_frame_stamp(frame, 4096, 0x6161616161616161u); /* stamps of 'a' keep the text */
	start();
	strncpy(dst, frame, opaque(1000));
	struct seen s = since();
	assert_int_equal(s.frame_user, 100);
	assert_other(s.other, 900);
	free(frame);
	free(dst);
}

/* A realloc that moves the block by copying carries the frame's bytes, and their taint. */
static void a_realloc_that_moves_copies_the_frame(void **unused)
{
	(void)unused;
	unsigned char *block = filled(10000, 0), *wall = filled(10000, 1);
	zc_frame_stamp(block, 10000, 2);
	start();
	unsigned char *moved = realloc(block, opaque(60000)); /* wall is in the way */
	assert_non_null(moved);
	assert_ptr_not_equal(moved, block);
	struct seen s = since();
	assert_int_equal(s.frame_user, 10000);
	unsigned char *copy = filled(10000, 0);
	start();
	memcpy(copy, moved, opaque(10000));
	assert_int_equal(since().frame_user, 10000);
	free(moved);
	free(wall);
	free(copy);
}

/*
 * The table stays packed as ranges come and go (a removal moves the last entry into its
 * hole, a split appends): every range left is still found, to the byte, whatever the order
 * they went in. Ranges of a static area, apart so that none touches another.
 */
#define RANGES 48u
#define STRIDE 8192u
#define PIECE 4096u
static unsigned char area[RANGES * STRIDE];
static unsigned char scratch[PIECE];

/* The frame bytes a copy out of range i moves (scratch is cleared again after). */
static size_t frame_bytes_of(unsigned i)
{
	size_t f = zc_provenance_copy(scratch, area + i * STRIDE, PIECE);
	zc_provenance_forget(scratch, sizeof(scratch));
	return f;
}

static void ranges_are_found_as_the_table_packs_them(void **unused)
{
	(void)unused;
	uint64_t lost = zc_provenance_lost();
	bool gone[RANGES] = {false};
	for (unsigned i = 0; i < RANGES; i++)
		zc_provenance_frame(area + i * STRIDE, PIECE);
	/* Every third one goes, from both ends inwards: holes in the middle and at the end. */
	for (unsigned k = 0; k < RANGES; k++) {
		unsigned i = k % 2 ? RANGES - 1 - k / 2 : k / 2;
		if (i % 3 == 0) {
			zc_provenance_forget(area + i * STRIDE, PIECE);
			gone[i] = true;
		}
	}
	zc_provenance_forget(area + 1 * STRIDE + 1000, 96); /* a hole inside: a split */
	for (unsigned i = 0; i < RANGES; i++)
		assert_int_equal(frame_bytes_of(i), gone[i] ? 0 : i == 1 ? PIECE - 96 : PIECE);
	zc_provenance_forget(area, sizeof(area));
	for (unsigned i = 0; i < RANGES; i++)
		assert_int_equal(frame_bytes_of(i), 0);
	assert_int_equal(zc_provenance_lost(), lost);
}

/*
 * A copy of the whole frame into memory that holds it already (copy_into's buffer, every
 * transfer) leaves the table as it is: the copy counts, its destination stays the frame's.
 */
static void a_copy_over_a_copy_keeps_its_taint(void **unused)
{
	(void)unused;
	unsigned char *frame = filled(N, 0), *a = filled(N, 1), *b = filled(N, 2);
	zc_frame_stamp(frame, N, 5);
	start();
	memcpy(a, frame, opaque(N));
	memcpy(a, frame, opaque(N)); /* a holds the frame already */
	free(frame);
	memcpy(b, a, opaque(N)); /* a is still the frame's once the frame is gone */
	memcpy(a + N / 2, b, opaque(N / 2)); /* a part over a part: still all of it */
	memcpy(b, a, opaque(N));
	struct seen s = since();
	assert_int_equal(s.frame_user, 4 * N + N / 2);
	assert_other(s.other, 0);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(copies_of_a_frame_and_of_its_copies_count),
		cmocka_unit_test(other_bytes_are_counted_apart),
		cmocka_unit_test(a_partial_copy_counts_what_it_holds),
		cmocka_unit_test(overwritten_and_freed_memory_is_no_longer_the_frame),
		cmocka_unit_test(rendered_content_is_recognised_anywhere),
		cmocka_unit_test(a_pipe_gives_back_the_frame_bytes_written_into_it),
		cmocka_unit_test(devices_bytes_are_not_the_frame),
		cmocka_unit_test(a_move_into_a_memfd_is_a_copy),
		cmocka_unit_test(string_padding_is_written_not_copied),
		cmocka_unit_test(a_realloc_that_moves_copies_the_frame),
		cmocka_unit_test(ranges_are_found_as_the_table_packs_them),
		cmocka_unit_test(a_copy_over_a_copy_keeps_its_taint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
