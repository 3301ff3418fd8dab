/*
 * bridge.h: what the C side and the pyo3 module (module/src/lib.rs, an extension module the
 * embedded interpreter imports) share. The module reaches the Rust producer's frames only
 * through the zc_py3_* functions below, which source.c implements over the producer's C ABI
 * (producer_api.h) and the program exports (-rdynamic); Python hands the module the address
 * of a struct zc_py3_source (zcpyo3.Source(address)). Every frame the module takes from the
 * producer is counted, and every frame it gives back, by the phase the program was in.
 */
#ifndef ZC_PY3_BRIDGE_H
#define ZC_PY3_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include "producer_api.h"
#include "python_phase.h"

/* The module's name in Python, and where it is, beside the program. */
#define ZC_PY3_MODULE "zcpyo3"
#define ZC_PY3_MODULE_PATH "../lib/pyo3/zcpyo3.so"

/* Every frame the module took from the producer in this process, and how each came back. */
struct zc_py3_frame_stats {
	uint64_t taken;                        /* take_frame calls: a Frame owns the frame */
	uint64_t given_back[ZC_PYTHON_PHASES]; /* Frame drops, by phase */
};

/* The producer as the module reaches it: a producer of frames of bytes bytes. */
struct zc_py3_source {
	const struct zc_producer_api *api;
	struct zcp_producer *producer;
	size_t bytes;
	unsigned char *last; /* the producer's frame handed over last */
};

/* The producer's own frame seq (rendered when render), which it keeps. NULL: none. */
unsigned char *zc_py3_next_frame(struct zc_py3_source *s, uint64_t seq, int render);
/* A frame taken from the producer (counted), given back with *release(*ctx, frame). */
unsigned char *zc_py3_take_frame(struct zc_py3_source *s, uint64_t seq, int render,
				 zcp_release_fn *release, void **ctx);
size_t zc_py3_frame_bytes(const struct zc_py3_source *s);
/* A taken frame was given back (counted by the phase the program is in). */
void zc_py3_given_back(void);

/* Where the program is now, which a frame given back is counted by. */
void zc_py3_set_phase(enum zc_python_phase phase);
const struct zc_py3_frame_stats *zc_py3_stats(void);

#endif
