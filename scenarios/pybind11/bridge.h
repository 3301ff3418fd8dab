/*
 * bridge.h: the C side's way into the C++ one. The bindings (bindings.cc) are what a pybind11
 * user writes: a module whose functions hand the producer's frame to Python as py::bytes, a
 * py::array_t with a py::capsule owner, a py::memoryview, a std::vector (a list) or a class
 * with the buffer protocol. The consumer (consumer.py) is Python code that calls them, in an
 * interpreter embedded in this process (embed.cc). The strategies (C) reach both only here;
 * no exception crosses this line: each failure is a struct zc_error.
 */
#ifndef ZC_PB_BRIDGE_H
#define ZC_PB_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "producer_api.h"
#include "python_phase.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every frame the bindings took from the producer in this process, and how each came back. */
struct zc_pb_frame_stats {
	uint64_t taken;                        /* take_frame calls: the owner holds the frame */
	uint64_t given_back[ZC_PYTHON_PHASES]; /* release callbacks, by phase */
};

/* The runtime measured. */
struct zc_pb_runtime {
	char python[32];   /* "3.11.2" */
	char numpy[32];    /* "1.24.2" */
	char pybind11[16]; /* "2.10.3", the headers the bindings were built with */
};

/* consumer.py, NUL-terminated (consumer_source.c). */
extern const char zc_pb_consumer_source[];

/*
 * Starts the interpreter in this process (pybind11's initialize_interpreter), isolated from
 * the environment, without signal handlers, imports numpy and loads the consumer. Once per
 * process: later calls return the first call's result. NULL with err: ZC_EXIT_NOMEM when
 * memory ran out, else ZC_EXIT_RUNTIME (numpy missing, say). The calling thread keeps the GIL.
 */
const struct zc_pb_runtime *zc_pb_start(struct zc_error *err);

/* One strategy's consumer: the bindings' source of the producer's frames, and the consumer. */
struct zc_pb_consumer;

/*
 * A consumer of strategy (a function name of the bindings: "bytes", "vector_list") over the
 * producer p of frames of bytes bytes, which api reaches and stays the caller's. NULL with err.
 */
struct zc_pb_consumer *zc_pb_consumer_new(const char *strategy, const struct zc_producer_api *api,
					  struct zcp_producer *p, size_t bytes,
					  struct zc_error *err);

/* What the consumer holds after a take. */
struct zc_pb_taken {
	const unsigned char *data; /* its object's bytes (its buffer); NULL: it has no buffer */
	size_t bytes;
	unsigned char *producer;   /* the producer's frame the bindings handed over */
};

/*
 * The consumer's take: Python calls the bindings' function for frame seq (rendered when
 * render), makes its own object of what it got, checks the stamps through it and keeps it.
 * out says where that object's bytes are (held until the drop). An object without a buffer
 * (a list) has its every item compared with the producer's frame when render. 0, or -1 with
 * err (Python's reason).
 */
int zc_pb_take(struct zc_pb_consumer *c, uint64_t seq, bool render, struct zc_pb_taken *out,
	       struct zc_error *err);

/* Python reads the byte at offset through the consumer's object. 0, or -1 with err. */
int zc_pb_read(struct zc_pb_consumer *c, size_t offset, unsigned char *value,
	       struct zc_error *err);

/* The consumer lets its object go (with it, maybe the last reference to a frame's owner). */
int zc_pb_drop(struct zc_pb_consumer *c, struct zc_error *err);

/* Drops what the consumer holds and frees it; a frame still owned by a cycle is collected. */
void zc_pb_consumer_free(struct zc_pb_consumer *c);

/* The type of the consumer's last object, as Python names it ("list", "numpy.ndarray"). */
const char *zc_pb_consumer_type(const struct zc_pb_consumer *c);

const struct zc_pb_frame_stats *zc_pb_stats(void);

#ifdef __cplusplus
}
#endif

#endif
