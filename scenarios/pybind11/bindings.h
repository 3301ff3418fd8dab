/*
 * bindings.h: what the bindings (bindings.cc) and the embedding (embed.cc) share, in C++: the
 * C++ object the module wraps, and the phase the frames go back in.
 */
#ifndef ZC_PB_BINDINGS_H
#define ZC_PB_BINDINGS_H

#ifndef __cplusplus
#error "bindings.h is C++: the strategies reach the bindings through bridge.h"
#endif

#include <cstddef>

#include "bridge.h"

/* The module's name in Python: "import zcbridge". */
#define ZC_PB_MODULE "zcbridge"

namespace zcpb {

/*
 * The producer's frames as the bindings reach them: the C++ object a pybind11 user exposes
 * (zcbridge.Source), its methods the strategies. The embedding owns it and sets render.
 */
struct Source {
	const zc_producer_api *api;
	zcp_producer *producer;
	std::size_t bytes;
	bool render;         /* the next frame rendered whole, not only stamped */
	unsigned char *last; /* the producer's frame handed over last */
};

/* The phase the program enters (the embedding says so around the consumer's calls). */
void set_phase(zc_python_phase phase);

} // namespace zcpb

#endif
