/*
 * consumer.h: the C++ consumer of the cxx boundary, reached from C (the strategies): it calls
 * the Rust producer through the bridge cxx generated (rust/src/lib.rs) and keeps what it got,
 * as the C++ side of a cxx bridge keeps it, until it drops it. No exception crosses here.
 */
#ifndef ZC_CXX_CONSUMER_H
#define ZC_CXX_CONSUMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How the frame reaches C++: one row each (cxx_strategies.c). */
enum zc_cxx_way {
	ZC_CXX_SLICE,           /* rust::Slice<const uint8_t> over the producer's own frame */
	ZC_CXX_VEC,             /* rust::Vec<uint8_t> returned by value, dropped by C++ */
	ZC_CXX_VECTOR_FILLED,   /* UniquePtr<CxxVector<u8>>: a std::vector Rust made the frame in */
	ZC_CXX_VECTOR_COPIED,   /* the same, the producer's own frame copied into it */
	ZC_CXX_VEC_TO_STD,      /* rust::Vec<uint8_t> made into a std::vector by C++ */
};

struct zc_cxx_consumer;

/* A consumer of frames of bytes, the way given, with its producer; NULL with err. */
struct zc_cxx_consumer *zc_cxx_open(size_t bytes, enum zc_cxx_way way, struct zc_error *err);

/*
 * Frame seq from the producer, kept: *data the bytes C++ holds, *producer the producer's
 * bytes of it (the write-through probe's). 0, or -1 with err (out of memory).
 */
int zc_cxx_take(struct zc_cxx_consumer *c, uint64_t seq, bool render, const unsigned char **data,
		unsigned char **producer, struct zc_error *err);

/* Drops what the last take kept (a Vec, a vector), as its C++ owner goes out of scope. */
void zc_cxx_drop(struct zc_cxx_consumer *c);

/* Drops everything, the producer too. c may be NULL. */
void zc_cxx_close(struct zc_cxx_consumer *c);

#ifdef __cplusplus
}
#endif

#endif
