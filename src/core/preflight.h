/*
 * preflight.h: checks made before anything is measured, so that bad input fails at once with
 * exit 2 and nothing written: the output directory, and whether the frames fit in memory.
 * Both fail with ZC_EXIT_USAGE (ZC_EXIT_NOMEM when they cannot even check).
 */
#ifndef ZC_PREFLIGHT_H
#define ZC_PREFLIGHT_H

#include <stddef.h>

#include "error.h"
#include "frame.h"

/* A strategy holds at most this many frames at once (pool ring, producer frame, copies). */
#define ZC_FRAMES_IN_FLIGHT 8

/* The directory of path exists and is writable. Returns 0, or -1 with the reason in err. */
int zc_preflight_out_path(const char *path, struct zc_error *err);

/* ZC_FRAMES_IN_FLIGHT frames fit in MemAvailable. Returns 0, or -1 with the reason in err. */
int zc_preflight_memory(const struct zc_frame_geom *g, struct zc_error *err);

#endif
