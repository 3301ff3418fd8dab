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
 * The rendered content is a row of 64-byte cells. Cell c, at offset 64 c of frame seq, holds
 * eight 64-bit little-endian words:
 *   0    its id: (seq mod 2^32) << 32 | c
 *   1    its tag: a keyed mix of the id (a fixed key: not a secret, it keeps other data from
 *        verifying by accident)
 *   2    the tag inverted: a search finds a header by this pair before it mixes anything
 *   3-7  the tag xor a constant each
 * A cell cut by the frame's end keeps its first bytes. The constants have no zero byte
 * (word 3's) and no two neighbours differ by 0xff in a byte, so that no other pair of words
 * reads as a tag and its inverse at any byte offset.
 */
#define CELL 64u
#define CELL_WORDS 8u
#define CELL_HEADER 24u /* id, tag, inverted tag: what a search verifies */
#define FRAME_KEY 0x7a63626e63682127u
static const uint64_t FILL[CELL_WORDS - 3] = {
	0x9e3779b97f4a7c15u, 0xc2b2ae3d27d4eb4fu, 0x165667b19e3779f9u,
	0xd6e8feb86659fd93u, 0xa0761d6478bd642fu,
};

static inline uint64_t load_le64(const unsigned char *p)
{
	uint64_t w;
	memcpy(&w, p, sizeof(w));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

static inline void store_le64(unsigned char *p, uint64_t w)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	memcpy(p, &w, sizeof(w));
}

static inline uint64_t cell_id(uint64_t seq, size_t cell)
{
	return (uint64_t)(uint32_t)seq << 32 | (uint32_t)cell;
}

/* splitmix64's finaliser over the keyed id: each bit of the id flips half the tag's. */
static inline uint64_t cell_tag(uint64_t id)
{
	uint64_t x = id ^ FRAME_KEY;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	return x ^ (x >> 31);
}

static inline void cell_words(uint64_t id, uint64_t w[CELL_WORDS])
{
	uint64_t tag = cell_tag(id);
	w[0] = id;
	w[1] = tag;
	w[2] = ~tag;
	for (unsigned k = 3; k < CELL_WORDS; k++)
		w[k] = tag ^ FILL[k - 3];
}

/* Byte i of the cell whose words are w. */
static inline unsigned char cell_byte(const uint64_t w[CELL_WORDS], size_t i)
{
	return (unsigned char)(w[i / 8] >> (i % 8 * 8));
}

/*
 * Sampled: FRAME_SAMPLE bytes at the start of each FRAME_CHUNK of the range, enough to hold
 * one whole cell (and its header) at any alignment.
 */
#define FRAME_CHUNK 4096u
#define FRAME_SAMPLE 128u

static size_t find_header(const unsigned char *p, size_t len, size_t at);

size_t zc_frame_content_sampled(const unsigned char *p, size_t len)
{
	size_t held = 0;
	for (size_t off = 0; off < len; off += FRAME_CHUNK) {
		size_t chunk = len - off < FRAME_CHUNK ? len - off : FRAME_CHUNK;
		size_t window = chunk < FRAME_SAMPLE ? chunk : FRAME_SAMPLE;
		/* One verified header is enough for a sample: a keyed tag no other data makes. */
		if (find_header(p + off, window, 0) < window)
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
	size_t cells = bytes / CELL, rest = bytes % CELL;
	uint64_t w[CELL_WORDS];
	for (size_t c = 0; c < cells; c++) {
		cell_words(cell_id(seq, c), w);
		for (unsigned k = 0; k < CELL_WORDS; k++)
			store_le64(b + c * CELL + k * 8, w[k]);
	}
	/* Byte by byte from the words' values: not a copy loop gcc would make a memcpy call. */
	cell_words(cell_id(seq, cells), w);
	for (size_t i = 0; i < rest; i++)
		b[cells * CELL + i] = cell_byte(w, i);
	zc_frame_stamp(frame, bytes, seq);
}

/* Whether a cell's header (its id, tag and inverted tag) starts at p: 24 bytes readable. */
static inline bool header_ok(const unsigned char *p)
{
	uint64_t tag = load_le64(p + 8);
	return (tag ^ load_le64(p + 16)) == UINT64_MAX && tag == cell_tag(load_le64(p));
}

/*
 * The first offset from at where a header verifies with its 24 bytes before len; len when
 * none does. A header's tag and inverted tag make 8 bytes r in a row with p[r] == ~p[r + 8],
 * one of them at r = k + 7 for a k on the 8-byte grid from at: only the 8 offsets before such
 * a k are tried.
 */
static size_t find_header(const unsigned char *p, size_t len, size_t at)
{
	for (size_t k = at; k + 16 <= len; k += 8) {
		if ((load_le64(p + k) ^ load_le64(p + k + 8)) >> 56 != 0xffu)
			continue;
		for (size_t q = k >= at + 8 ? k - 8 : at; q < k && q + CELL_HEADER <= len; q++)
			if (header_ok(p + q))
				return q;
	}
	return len;
}

/* How many of the first avail (at most CELL) bytes at p are the first bytes of cell id. */
static size_t prefix_held(const unsigned char *p, size_t avail, uint64_t id)
{
	uint64_t w[CELL_WORDS];
	size_t n = 0;
	cell_words(id, w);
	for (unsigned k = 0; k < CELL_WORDS && n + 8 <= avail; k++, n += 8) {
		uint64_t diff = load_le64(p + n) ^ w[k];
		if (diff)
			return n + (size_t)__builtin_ctzll(diff) / 8;
	}
	while (n < avail && p[n] == cell_byte(w, n))
		n++;
	return n;
}

/* How many of the bytes [from, to) (at most CELL) that end at to are the last ones of cell id. */
static size_t suffix_held(const unsigned char *p, size_t from, size_t to, uint64_t id)
{
	uint64_t w[CELL_WORDS];
	size_t n = 0;
	cell_words(id, w);
	while (n < to - from && p[to - 1 - n] == cell_byte(w, CELL - 1 - n))
		n++;
	return n;
}

void zc_frame_runs(const unsigned char *p, size_t len, zc_frame_run_fn each, void *arg)
{
	size_t done = 0; /* the bytes before done belong to a run already */
	for (size_t q = find_header(p, len, 0); q < len; q = find_header(p, len, done)) {
		uint64_t id = load_le64(p + q);
		/* The run's first bytes: the end of the cell before, back to the last run. */
		size_t from = q - done > CELL ? q - CELL : done;
		size_t run = (uint32_t)id ? suffix_held(p, from, q, id - 1) : 0;
		size_t at = q, n;
		while ((n = prefix_held(p + at, len - at < CELL ? len - at : CELL, id)) == CELL) {
			at += CELL;
			id++;
		}
		run += at + n - q;
		each((uint32_t)(id >> 32), run, arg);
		done = at + n;
	}
}

/* zc_frame_bytes_held's account: the runs of one frame, or of any. */
struct held_of {
	uint32_t seq;
	bool any_seq;
	size_t held;
};

static void add_run(uint32_t seq, size_t bytes, void *arg)
{
	struct held_of *h = arg;
	if (h->any_seq || seq == h->seq)
		h->held += bytes;
}

size_t zc_frame_bytes_held(const unsigned char *p, size_t len, uint64_t seq, bool any_seq)
{
	struct held_of h = {.seq = (uint32_t)seq, .any_seq = any_seq};
	zc_frame_runs(p, len, add_run, &h);
	return h.held;
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
