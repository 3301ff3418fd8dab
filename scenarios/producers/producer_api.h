/*
 * producer_api.h: the C ABI of the producer library, the "other language" side of the
 * in-process boundary (think of a Rust cdylib called through Dart FFI). The scenario loads it
 * with dlopen and reaches every function through this table, as a real FFI caller would.
 *
 * The producer owns its frames; each call that hands one over says how it comes back. Two
 * producers implement it: zcproducer.c in C, and scenarios/producers/rust/, a Rust cdylib
 * whose struct ZcProducerApi (rust/src/lib.rs) must keep this table's order.
 */
#ifndef ZC_PRODUCER_API_H
#define ZC_PRODUCER_API_H

#include <stddef.h>
#include <stdint.h>

struct zcp_producer;  /* the producer's state: a frame it renders into, a pool, an Arc */
struct zcp_arc;       /* a reference-counted frame (Rust Arc<[u8]> behind a handle) */

/* Frees a frame handed over by zcp_take_frame: the release callback of the move contract. */
typedef void (*zcp_release_fn)(void *ctx, unsigned char *data);

struct zc_producer_api {
	struct zcp_producer *(*open)(size_t bytes, unsigned pool_slots);
	void (*close)(struct zcp_producer *p);
	/* The producer's own frame, stamped (rendered when render != 0), which it keeps. */
	unsigned char *(*next_frame)(struct zcp_producer *p, uint64_t seq, int render);
	/* A fresh frame whose ownership passes to the caller, who must call release once. */
	unsigned char *(*take_frame)(struct zcp_producer *p, uint64_t seq, int render,
				     zcp_release_fn *release, void **ctx);
	/* The frame encoded into a new message (length prefix + bytes, one byte at a time). */
	unsigned char *(*encode_frame)(struct zcp_producer *p, uint64_t seq, int render,
				       size_t *len);
	void (*free_message)(unsigned char *msg);
	/* A new reference to the producer's shared frame. */
	struct zcp_arc *(*share_frame)(struct zcp_producer *p, uint64_t seq, int render);
	unsigned char *(*arc_data)(struct zcp_arc *a);
	void (*arc_drop)(struct zcp_arc *a);
	/* A view of the producer's frame valid until end_lend (JNI Get/ReleasePrimitiveArrayCritical). */
	unsigned char *(*lend_frame)(struct zcp_producer *p, uint64_t seq, int render);
	void (*end_lend)(struct zcp_producer *p);
	/* Fills a free pool slot; returns the slot index or -1 when every slot is out. */
	int (*pool_fill)(struct zcp_producer *p, uint64_t seq, int render, unsigned char **data);
	void (*pool_return)(struct zcp_producer *p, int slot);
	/*
	 * A Vec<u8> handed over as its parts: the frame's bytes at the start of a block of
	 * *capacity bytes, ownership passing to the caller, who gives the three parts back to
	 * release_vec once (Vec::from_raw_parts). On entry *capacity is the capacity wanted, at
	 * least the frame's bytes, or 0 for what growing by doubling leaves (the next power of
	 * two); on return, the block's.
	 */
	unsigned char *(*take_vec)(struct zcp_producer *p, uint64_t seq, int render,
				   size_t *capacity);
	void (*release_vec)(struct zcp_producer *p, unsigned char *data, size_t bytes,
			    size_t capacity);
	/*
	 * The same block (capacity as take_vec's on entry) shrunk to the frame first
	 * (Vec::shrink_to_fit, a realloc that the allocator may serve by moving the bytes),
	 * then handed over like take_frame.
	 */
	unsigned char *(*take_shrunk)(struct zcp_producer *p, uint64_t seq, int render,
				      size_t capacity, zcp_release_fn *release, void **ctx);
	/* The frames handed over (take_frame, take_vec, take_shrunk) not given back yet. */
	long (*frames_out)(struct zcp_producer *p);
};

/* The one symbol the library exports: fills api. Returns 0, or -1 on an ABI mismatch. */
#define ZC_PRODUCER_ABI 2
typedef int (*zcp_get_api_fn)(unsigned abi, struct zc_producer_api *api);
#define ZCP_GET_API_SYMBOL "zcp_get_api"

#endif
