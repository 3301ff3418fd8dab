/*
 * frame.h: the frames zcbench moves: geometry with overflow checks, the sequence stamp at the
 * first and last bytes, a full-frame checksum, and the deterministic content a producer renders,
 * recognised wherever a copy puts it.
 */
#ifndef ZC_FRAME_H
#define ZC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define ZC_BYTES_PER_PIXEL 4u          /* RGBA */
#define ZC_STAMP_BYTES 8u              /* a little-endian uint64 at each end */
#define ZC_FRAME_MIN_BYTES (2u * ZC_STAMP_BYTES)
#define ZC_FRAME_MAX_SIDE 65536u

struct zc_frame_geom {
	uint32_t width;
	uint32_t height;
	uint32_t bytes_per_pixel;
	size_t bytes;
};

/*
 * Fills g for width x height RGBA. Returns 0, or -1 with the reason in err (ZC_EXIT_USAGE)
 * when a side is 0 or above ZC_FRAME_MAX_SIDE, the byte count overflows size_t, or the frame
 * is smaller than ZC_FRAME_MIN_BYTES.
 */
int zc_frame_geom_init(struct zc_frame_geom *g, uint64_t width, uint64_t height,
		       struct zc_error *err);

/* Parses "WxH" (decimal, no sign, no spaces) into g. Same errors as zc_frame_geom_init. */
int zc_frame_parse(struct zc_frame_geom *g, const char *text, struct zc_error *err);

/* Writes seq at the first and last ZC_STAMP_BYTES of the frame. bytes >= ZC_FRAME_MIN_BYTES. */
void zc_frame_stamp(void *frame, size_t bytes, uint64_t seq);

/* True when both stamps read seq. */
bool zc_frame_stamp_ok(const void *frame, size_t bytes, uint64_t seq);

/*
 * Renders the whole frame, then the stamps. Every 64-byte cell says which frame (seq mod
 * 2^32) and which cell it is, with a keyed tag over both and filler made from the tag
 * (frame.c): the content depends on seq and the offset only. Not timed.
 */
void zc_frame_render(void *frame, size_t bytes, uint64_t seq);

/*
 * How many of the @len bytes at @p are rendered content of frame @seq (of any frame when
 * @any_seq), wherever it lies: each cell is found at any byte alignment, and the alignment may
 * change inside the range (two copies side by side). A run starts at a cell whose 24-byte
 * header verifies and runs while the next cells follow byte for byte. Partial cells count by
 * their bytes: at a run's start the end of the cell before, at its end the first bytes of the
 * next (a range's edges, a copy that stops mid-cell, a cell the stamps overwrote in part).
 * Content with no whole header in the range is not seen (a range or a copy of under 87
 * bytes may hold none), and a copy of frame seq + 2^32 counts as one of seq. Fast enough for
 * every page written: on data that is no frame, a header is rarely even tried.
 */
size_t zc_frame_bytes_held(const unsigned char *p, size_t len, uint64_t seq, bool any_seq);

/*
 * The runs zc_frame_bytes_held counts, each told with its frame: each(seq mod 2^32, bytes,
 * arg), in order. For a caller that learns which frame it looks for only later.
 */
typedef void (*zc_frame_run_fn)(uint32_t seq, size_t bytes, void *arg);
void zc_frame_runs(const unsigned char *p, size_t len, zc_frame_run_fn each, void *arg);

/*
 * Bytes of [p, p + len) that hold rendered frame content, of any seq, by sampling: each 4 KiB
 * chunk counts whole when the 128 bytes at its start hold a cell (zc_frame_bytes_held). The
 * hooks' test for copies out of memory no frame was made in (src/instrument/provenance.h).
 */
size_t zc_frame_content_sampled(const unsigned char *p, size_t len);

/* A 64-bit checksum of every byte (FNV-1a over 64-bit words, then the tail). */
uint64_t zc_frame_checksum(const void *frame, size_t bytes);

#endif
