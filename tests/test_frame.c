/*
 * test_frame.c: frame geometry (overflow included), parsing, stamps, checksums, statistics.
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

/* A page of a rendered frame is recognised at any offset and seq, stamps and all; others not. */
static void frame_bytes_recognised(void **unused)
{
	(void)unused;
	size_t bytes = 64 * 4096;
	unsigned char *f = malloc(bytes), *other = malloc(4096);
	assert_non_null(f);
	assert_non_null(other);
	zc_frame_render(f, bytes, 42);
	for (size_t off = 0; off + 4096 <= bytes; off += 4096 + 17)
		assert_true(zc_frame_bytes_like(f + off, 4096));
	assert_true(zc_frame_bytes_like(f, 4096)); /* the head stamp's page */
	assert_true(zc_frame_bytes_like(f + bytes - 4096, 4096));
	memset(other, 0, 4096);
	assert_false(zc_frame_bytes_like(other, 4096));
	for (size_t i = 0; i < 4096; i++)
		other[i] = (unsigned char)(i * 2654435761u >> 13);
	assert_false(zc_frame_bytes_like(other, 4096));
	memcpy(other, f, 2048); /* half a page of frame: not a copy of the page */
	assert_false(zc_frame_bytes_like(other, 4096));
	free(f);
	free(other);
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
		cmocka_unit_test(frame_bytes_recognised),
		cmocka_unit_test(summary_statistics),
	};
	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
