/*
 * frame.c: frame geometry, stamps, rendering and checksums.
 */
#include "frame.h"
#include "quote.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int zc_frame_geom_init(struct zc_frame_geom *g, uint64_t width, uint64_t height,
		       struct zc_error *err)
{
	if (width == 0 || height == 0)
		return zc_error_set(err, ZC_EXIT_USAGE,
				    "frame '%" PRIu64 "x%" PRIu64 "' has no pixels", width, height);
	if (width > ZC_FRAME_MAX_SIDE || height > ZC_FRAME_MAX_SIDE)
		return zc_error_set(err, ZC_EXIT_USAGE,
				    "frame '%" PRIu64 "x%" PRIu64 "' has a side over %u pixels",
				    width, height, ZC_FRAME_MAX_SIDE);
	size_t pixels, bytes;
	if (__builtin_mul_overflow((size_t)width, (size_t)height, &pixels) ||
	    __builtin_mul_overflow(pixels, (size_t)ZC_BYTES_PER_PIXEL, &bytes))
		return zc_error_set(err, ZC_EXIT_USAGE,
				    "frame '%" PRIu64 "x%" PRIu64 "' overflows the byte count",
				    width, height);
	if (bytes < ZC_FRAME_MIN_BYTES)
		return zc_error_set(err, ZC_EXIT_USAGE,
				    "frame '%" PRIu64 "x%" PRIu64 "' is %zu bytes, below the %u a "
				    "stamp needs", width, height, bytes, ZC_FRAME_MIN_BYTES);
	g->width = (uint32_t)width;
	g->height = (uint32_t)height;
	g->bytes_per_pixel = ZC_BYTES_PER_PIXEL;
	g->bytes = bytes;
	return 0;
}

/*
 * Parses an unsigned decimal at *p, advancing it past every digit; -1 on no digits. A value
 * past 2^32 is kept as UINT64_MAX: the caller refuses it as a side that is too large.
 */
static int parse_side(const char **p, uint64_t *out)
{
	uint64_t v = 0;
	const char *s = *p;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v > UINT32_MAX ? UINT64_MAX : v * 10 + (uint64_t)(*s - '0');
	*p = s;
	*out = v;
	return 0;
}

int zc_frame_parse(struct zc_frame_geom *g, const char *text, struct zc_error *err)
{
	const char *p = text;
	uint64_t w, h;
	char q[96];
	bool ok = parse_side(&p, &w) == 0 && (*p == 'x' || *p == 'X');
	if (ok) {
		p++;
		ok = parse_side(&p, &h) == 0 && *p == '\0';
	}
	if (!ok)
		return zc_error_set(err, ZC_EXIT_USAGE,
				    "cannot parse frame size '%s': expected WIDTHxHEIGHT",
				    zc_quote(text, q, sizeof(q)));
	if (w > ZC_FRAME_MAX_SIDE || h > ZC_FRAME_MAX_SIDE)
		return zc_error_set(err, ZC_EXIT_USAGE, "frame size '%s' has a side over %u pixels",
				    zc_quote(text, q, sizeof(q)), ZC_FRAME_MAX_SIDE);
	return zc_frame_geom_init(g, w, h, err);
}

/*
 * The producer made a frame here: the hooks' provenance (src/instrument/provenance.h) counts
 * copies out of it as the frame's. Weak: a producer library loaded into a process without
 * the hooks (a plain JVM, Python or Node.js) renders frames all the same.
 */
extern void zc_provenance_frame(const void *p, size_t len) __attribute__((weak));
extern void zc_provenance_recognise(size_t (*test)(const unsigned char *, size_t))
	__attribute__((weak));

static void made_frame(const void *frame, size_t bytes)
{
	if (zc_provenance_frame)
		zc_provenance_frame(frame, bytes);
}

void zc_frame_stamp(void *frame, size_t bytes, uint64_t seq)
{
	assert(bytes >= ZC_FRAME_MIN_BYTES);
	made_frame(frame, bytes);
	unsigned char *b = frame;
	memcpy(b, &seq, ZC_STAMP_BYTES);
	memcpy(b + bytes - ZC_STAMP_BYTES, &seq, ZC_STAMP_BYTES);
}

bool zc_frame_stamp_ok(const void *frame, size_t bytes, uint64_t seq)
{
	const unsigned char *b = frame;
	uint64_t head, tail;
	memcpy(&head, b, ZC_STAMP_BYTES);
	memcpy(&tail, b + bytes - ZC_STAMP_BYTES, ZC_STAMP_BYTES);
	return head == seq && tail == seq;
}

/*
 * Rendered bytes step by FRAME_STEP from one to the next (and one more every 4 KiB):
 * zc_frame_bytes_like looks for that step, which no offset or seq changes.
 */
#define FRAME_STEP 131u

bool zc_frame_bytes_like(const unsigned char *p, size_t len)
{
	if (len < 2)
		return false;
	size_t steps = 0;
	for (size_t i = 1; i < len; i++)
		steps += (unsigned char)(p[i] - p[i - 1]) == FRAME_STEP;
	return steps >= (len - 1) / 8 * 7; /* the stamps and a page's edge break a few */
}

/* Sampled: a window of FRAME_SAMPLE bytes at the start of each FRAME_CHUNK of the range. */
#define FRAME_CHUNK 4096u
#define FRAME_SAMPLE 64u

size_t zc_frame_content_sampled(const unsigned char *p, size_t len)
{
	size_t held = 0;
	for (size_t off = 0; off < len; off += FRAME_CHUNK) {
		size_t chunk = len - off < FRAME_CHUNK ? len - off : FRAME_CHUNK;
		size_t window = chunk < FRAME_SAMPLE ? chunk : FRAME_SAMPLE;
		if (window >= FRAME_SAMPLE / 4 && zc_frame_bytes_like(p + off, window))
			held += chunk;
	}
	return held;
}

/* Every program that links frames can tell their content where it lands (provenance.h). */
__attribute__((constructor)) static void recognise_frames(void)
{
	if (zc_provenance_recognise)
		zc_provenance_recognise(zc_frame_content_sampled);
}

void zc_frame_render(void *frame, size_t bytes, uint64_t seq)
{
	unsigned char *b = frame;
	/* A gradient that moves with seq: every byte depends on its offset and the frame. */
	for (size_t i = 0; i < bytes; i++)
		b[i] = (unsigned char)((i * FRAME_STEP + seq * 7u + (i >> 12)) & 0xffu);
	zc_frame_stamp(frame, bytes, seq);
}

uint64_t zc_frame_checksum(const void *frame, size_t bytes)
{
	const unsigned char *b = frame;
	uint64_t h = 0xcbf29ce484222325u;
	size_t i = 0;
	for (; i + 8 <= bytes; i += 8) {
		uint64_t w;
		memcpy(&w, b + i, 8);
		h = (h ^ w) * 0x100000001b3u;
	}
	for (; i < bytes; i++)
		h = (h ^ b[i]) * 0x100000001b3u;
	return h;
}
