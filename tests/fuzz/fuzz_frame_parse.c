/*
 * fuzz_frame_parse.c: libFuzzer target for zc_frame_parse, the --frame parser.
 *
 * Any text either parses into a geometry that holds its invariants and survives a round trip
 * through "WxH", or is refused with a one-line reason.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1); /* exactly sized: an over-read is caught */
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct zc_frame_geom g, again;
	struct zc_error err = {0};
	char round[64];
	if (zc_frame_parse(&g, text, &err) == 0) {
		assert(g.width >= 1 && g.width <= ZC_FRAME_MAX_SIDE);
		assert(g.height >= 1 && g.height <= ZC_FRAME_MAX_SIDE);
		assert(g.bytes_per_pixel == ZC_BYTES_PER_PIXEL);
		assert(g.bytes == (size_t)g.width * g.height * ZC_BYTES_PER_PIXEL);
		assert(g.bytes >= ZC_FRAME_MIN_BYTES);
		snprintf(round, sizeof(round), "%ux%u", g.width, g.height);
		assert(zc_frame_parse(&again, round, &err) == 0);
		assert(again.width == g.width && again.height == g.height && again.bytes == g.bytes);
	} else {
		assert(err.code == ZC_EXIT_USAGE);
		assert(one_printable_line(err.text));
	}
	free(text);
	return 0;
}
