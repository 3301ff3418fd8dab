/*
 * test_frame.c: frame geometry (overflow included), parsing, stamps, checksums, the rendered
 * fingerprint and its recogniser, statistics.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "stats.h"

static void geometry_of_1080p(void **unused)
{
	(void)unused;
	struct zc_frame_geom g;
	struct zc_error err = {0};
	assert_int_equal(zc_frame_parse(&g, "1920x1080", &err), 0);
	assert_int_equal(err.code, 0);
	assert_int_equal(g.width, 1920);
	assert_int_equal(g.height, 1080);
	assert_int_equal(g.bytes_per_pixel, 4);
	assert_int_equal(g.bytes, 8294400);
}

static void bad_sizes_are_refused(void **unused)
{
	(void)unused;
	const char *bad[] = {"0x0", "-5x10", "1920x", "x1080", "abc", "1920x1080x4", "",
			     "1920 x1080", "+5x5", "0x10", "10x0", "99999999999x2", "1x1",
			     "65537x1", "4294967296x1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct zc_frame_geom g;
		struct zc_error err = {0};
		assert_int_equal(zc_frame_parse(&g, bad[i], &err), -1);
		assert_int_equal(err.code, ZC_EXIT_USAGE);
		assert_true(strlen(err.text) > 0);
		assert_null(strchr(err.text, '\n'));
	}
}

static void overflow_is_caught(void **unused)
{
	(void)unused;
	struct zc_frame_geom g;
	struct zc_error err = {0};
	/* 65536 x 65536 x 4 = 16 GiB fits size_t on 64-bit; the geometry must still be exact. */
	assert_int_equal(zc_frame_geom_init(&g, 65536, 65536, &err), 0);
	assert_true(g.bytes == (size_t)65536 * 65536 * 4);
	/* Sides over the limit, including ones whose product overflows 64 bits. */
	assert_int_equal(zc_frame_geom_init(&g, UINT64_MAX, 2, &err), -1);
	assert_non_null(strstr(err.text, "side"));
	err = (struct zc_error){0};
	assert_int_equal(zc_frame_geom_init(&g, (uint64_t)1 << 33, (uint64_t)1 << 33, &err), -1);
	assert_non_null(strstr(err.text, "side"));
}

static void error_names_the_value(void **unused)
{
	(void)unused;
	struct zc_frame_geom g;
	struct zc_error err = {0};
	assert_int_equal(zc_frame_parse(&g, "1920x", &err), -1);
	assert_non_null(strstr(err.text, "'1920x'"));
}

static void stamps_round_trip(void **unused)
{
	(void)unused;
	unsigned char buf[64] = {0};
	zc_frame_stamp(buf, sizeof(buf), 42);
	assert_true(zc_frame_stamp_ok(buf, sizeof(buf), 42));
	assert_false(zc_frame_stamp_ok(buf, sizeof(buf), 43));
	buf[sizeof(buf) - 1] ^= 1; /* the tail stamp alone is wrong */
	assert_false(zc_frame_stamp_ok(buf, sizeof(buf), 42));
}

static void checksum_sees_every_byte(void **unused)
{
	(void)unused;
	size_t n = 4099; /* not a multiple of 8: the tail counts too */
	unsigned char *a = malloc(n), *b = malloc(n);
	assert_non_null(a);
	assert_non_null(b);
	zc_frame_render(a, n, 7);
	memcpy(b, a, n);
	assert_true(zc_frame_checksum(a, n) == zc_frame_checksum(b, n));
	for (size_t i = 0; i < n; i += 997) {
		b[i] ^= 0x10;
		assert_true(zc_frame_checksum(a, n) != zc_frame_checksum(b, n));
		b[i] ^= 0x10;
	}
	b[n - 1] ^= 1;
	assert_true(zc_frame_checksum(a, n) != zc_frame_checksum(b, n));
	free(a);
	free(b);
}

static void render_depends_on_seq(void **unused)
{
	(void)unused;
	unsigned char a[256], b[256];
	zc_frame_render(a, sizeof(a), 1);
	zc_frame_render(b, sizeof(b), 2);
	assert_true(zc_frame_stamp_ok(a, sizeof(a), 1));
	assert_true(zc_frame_checksum(a, sizeof(a)) != zc_frame_checksum(b, sizeof(b)));
}

/* cmocka 1.1's assert_float_equal works in float: compare doubles here. */
#define assert_close(a, b, eps) assert_true(fabs((a) - (b)) <= (eps))

/* Fills p with bytes no frame renders (xorshift64, from a fixed seed). */
static void fill_random(unsigned char *p, size_t len)
{
	uint64_t x = 0x9e3779b97f4a7c15u;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (unsigned char)(x >> 24);
	}
}

#define HELD_SLACK 128 /* a partial cell at each edge of a copy, at most */

static bool held_about(size_t held, size_t want)
{
	return held + HELD_SLACK >= want && held <= want + HELD_SLACK;
}

/* A frame holds itself for its seq and for any seq, all but its stamps; not for another. */
static void frame_cells_verify_for_their_seq(void **unused)
{
	(void)unused;
	size_t bytes = 64 * 4096 + 36; /* a cell cut by the end */
	unsigned char *f = malloc(bytes);
	assert_non_null(f);
	zc_frame_render(f, bytes, 42);
	assert_true(zc_frame_stamp_ok(f, bytes, 42));
	size_t held = zc_frame_bytes_held(f, bytes, 42, false);
	assert_true(held <= bytes && held + 2 * ZC_STAMP_BYTES >= bytes);
	assert_int_equal(zc_frame_bytes_held(f, bytes, 0, true), held);
	assert_int_equal(zc_frame_bytes_held(f, bytes, 43, false), 0);
	assert_int_equal(zc_frame_bytes_held(f, bytes, 41, false), 0);
	free(f);
}

/* Content depends on seq and offset only: two renders agree, and so do their checksums. */
static void render_is_deterministic(void **unused)
{
	(void)unused;
	size_t bytes = 3 * 4096 + 4;
	unsigned char *a = malloc(bytes), *b = malloc(bytes);
	assert_non_null(a);
	assert_non_null(b);
	memset(a, 0x11, bytes);
	memset(b, 0xee, bytes);
	zc_frame_render(a, bytes, 9);
	zc_frame_render(b, bytes, 9);
	assert_memory_equal(a, b, bytes);
	assert_true(zc_frame_checksum(a, bytes) == zc_frame_checksum(b, bytes));
	free(a);
	free(b);
}

/*
 * 10,000 bytes of a frame copied to every alignment 0..63, between random bytes, count as
 * 10,000 within a partial cell at each end; so does a copy cut at the range's edges.
 */
static void copy_found_at_any_alignment(void **unused)
{
	(void)unused;
	size_t bytes = 64 * 1024, from = 12345, n = 10000;
	unsigned char *f = malloc(bytes), *buf = malloc(n + 256);
	assert_non_null(f);
	assert_non_null(buf);
	zc_frame_render(f, bytes, 7);
	for (size_t align = 0; align < 64; align++) {
		fill_random(buf, n + 256);
		memcpy(buf + 64 + align, f + from, n);
		size_t held = zc_frame_bytes_held(buf, n + 256, 7, false);
		if (!held_about(held, n))
			fail_msg("alignment %zu: %zu bytes held of %zu", align, held, n);
		assert_true(held_about(zc_frame_bytes_held(buf + 64 + align, n, 7, false), n));
		assert_int_equal(zc_frame_bytes_held(buf, n + 256, 8, false), 0);
	}
	free(f);
	free(buf);
}

/* A copy of 1,000 bytes of a page counts as 1,000; pages of a copy add up to the frame. */
static void partial_and_paged_copies_count_their_bytes(void **unused)
{
	(void)unused;
	size_t bytes = 64 * 4096;
	unsigned char *f = malloc(bytes), *page = malloc(4096), *copy = malloc(bytes + 4096);
	assert_non_null(f);
	assert_non_null(page);
	assert_non_null(copy);
	zc_frame_render(f, bytes, 3);
	fill_random(page, 4096);
	memcpy(page + 1001, f + 77777, 1000);
	assert_true(held_about(zc_frame_bytes_held(page, 4096, 3, false), 1000));
	/* At an allocator's offset, counted a page at a time as the evidence pass does. */
	memset(copy, 0, bytes + 4096);
	memcpy(copy + 16, f, bytes);
	size_t held = 0;
	for (size_t off = 0; off < bytes + 4096; off += 4096)
		held += zc_frame_bytes_held(copy + off, 4096, 3, false);
	assert_true(held <= bytes && held_about(held, bytes)); /* the last page has no header */
	free(f);
	free(page);
	free(copy);
}

/* Random bytes, zeros and another frame hold none of frame 5; half and half holds half. */
static void other_content_holds_nothing(void **unused)
{
	(void)unused;
	size_t bytes = 16 * 4096;
	unsigned char *f = malloc(bytes), *other = malloc(bytes);
	assert_non_null(f);
	assert_non_null(other);
	fill_random(other, bytes);
	assert_int_equal(zc_frame_bytes_held(other, bytes, 5, false), 0);
	assert_int_equal(zc_frame_bytes_held(other, bytes, 5, true), 0);
	memset(other, 0, bytes);
	assert_int_equal(zc_frame_bytes_held(other, bytes, 5, true), 0);
	memset(other, 0xff, bytes);
	assert_int_equal(zc_frame_bytes_held(other, bytes, 5, true), 0);
	zc_frame_render(other, bytes, 6); /* the next frame, rendered ahead */
	assert_int_equal(zc_frame_bytes_held(other, bytes, 5, false), 0);
	zc_frame_render(f, bytes, 5);
	fill_random(other, bytes);
	for (size_t off = 0; off < bytes; off += 2 * 4096) /* a frame page, a random page */
		memcpy(other + off, f + off, 4096);
	assert_true(held_about(zc_frame_bytes_held(other, bytes, 5, false), bytes / 2));
	free(f);
	free(other);
}

/* Two copies side by side at different alignments: the alignment may change mid-range. */
static void alignment_changes_inside_a_range(void **unused)
{
	(void)unused;
	size_t bytes = 16 * 1024;
	unsigned char *f = malloc(bytes), *buf = malloc(4096);
	assert_non_null(f);
	assert_non_null(buf);
	zc_frame_render(f, bytes, 11);
	fill_random(buf, 4096);
	memcpy(buf + 3, f + 100, 2000);
	memcpy(buf + 2003, f + 8000 + 29, 2000);
	size_t held = zc_frame_bytes_held(buf, 4096, 11, false);
	assert_true(held_about(held, 4000));
	free(f);
	free(buf);
}

static void summary_statistics(void **unused)
{
	(void)unused;
	double s[] = {5, 1, 3, 2, 4};
	struct zc_summary sum;
	zc_summarize(s, 5, &sum);
	assert_close(sum.median, 3.0, 1e-12);
	assert_close(sum.mean, 3.0, 1e-12);
	assert_close(sum.min, 1.0, 1e-12);
	assert_close(sum.max, 5.0, 1e-12);
	assert_close(sum.stddev, 1.5811388300841898, 1e-12);
	assert_close(sum.cv, 1.5811388300841898 / 3.0, 1e-12);
	double even[] = {4, 1, 3, 2};
	zc_summarize(even, 4, &sum);
	assert_close(sum.median, 2.5, 1e-12);
	assert_close(zc_percentile(even, 4, 100), 4.0, 1e-12);
	double one = 7;
	zc_summarize(&one, 1, &sum);
	assert_close(sum.stddev, 0.0, 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(geometry_of_1080p),
		cmocka_unit_test(bad_sizes_are_refused),
		cmocka_unit_test(overflow_is_caught),
		cmocka_unit_test(error_names_the_value),
		cmocka_unit_test(stamps_round_trip),
		cmocka_unit_test(checksum_sees_every_byte),
		cmocka_unit_test(render_depends_on_seq),
		cmocka_unit_test(frame_cells_verify_for_their_seq),
		cmocka_unit_test(render_is_deterministic),
		cmocka_unit_test(copy_found_at_any_alignment),
		cmocka_unit_test(partial_and_paged_copies_count_their_bytes),
		cmocka_unit_test(other_content_holds_nothing),
		cmocka_unit_test(alignment_changes_inside_a_range),
		cmocka_unit_test(summary_statistics),
	};
	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
