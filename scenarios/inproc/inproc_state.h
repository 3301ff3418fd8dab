/*
 * inproc_state.h: what inproc's strategy files share (inproc_strategies.c, and the test-only
 * adversarial_strategies.c): a row's argument, the state setup makes from it, and the hooks
 * the move family has in common. Internal to scenarios/inproc/.
 */
#ifndef ZC_INPROC_STATE_H
#define ZC_INPROC_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "producer_api.h"
#include "strategy.h"

/* A row's argument (struct zc_strategy.arg): what zc__inproc_setup makes its state from. */
struct zc__inproc_row {
	const struct zc_producer_api *producer; /* the C library's functions, or the Rust cdylib's */
	unsigned pool_slots;                    /* pool: the ring's frames; 0 for the others */
	bool buffer;                            /* a frame-sized buffer of the consumer's own */
};

struct state {
	const struct zc_producer_api *api; /* the producer's functions */
	struct zcp_producer *producer;
	size_t bytes;
	uint64_t seq;
	unsigned char *buffer;     /* copy_into's reused receiver buffer; move's injected copy */
	zcp_release_fn release;    /* move: how the frame in flight goes back, and its context */
	void *release_ctx;
};

/* The C producer's row with a buffer (copy_into's argument). */
extern const struct zc__inproc_row zc__inproc_with_buffer;

/* setup for every row: arg is a struct zc__inproc_row. NULL with err. */
void *zc__inproc_setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err);
void zc__inproc_teardown(void *st);
/* move's hand-over: the producer's frame taken with its release callback. 0, or -1 with errno. */
int zc__inproc_take(struct state *s, bool render, struct zc_view *v);
void zc__inproc_move_release(void *st, struct zc_view *v);

#ifdef ZCBENCH_ADVERSARIAL
/* The test-only rows (adversarial_strategies.c), listed after the others. */
extern const struct zc_strategy zc__inproc_hidden_memcpy, zc__inproc_hidden_chunks,
	zc__inproc_hidden_word_loop, zc__inproc_hidden_inline, zc__inproc_hidden_pipe,
	zc__inproc_hidden_strdup, zc__inproc_remap_realloc, zc__inproc_render_ahead,
	zc__inproc_hidden_stack, zc__inproc_hidden_reserve, zc__inproc_hidden_uffd,
	zc__inproc_hidden_io_uring;
#define ZC__INPROC_ADVERSARIES &zc__inproc_hidden_memcpy, &zc__inproc_hidden_chunks, \
	&zc__inproc_hidden_word_loop, &zc__inproc_hidden_inline, &zc__inproc_hidden_pipe, \
	&zc__inproc_hidden_strdup, &zc__inproc_remap_realloc, &zc__inproc_render_ahead, \
	&zc__inproc_hidden_stack, &zc__inproc_hidden_reserve, &zc__inproc_hidden_uffd, \
	&zc__inproc_hidden_io_uring
/* adversarial_provenance.c: bytes that are not the frame's, and copies of it off the beaten path. */
extern const struct zc_strategy zc__inproc_other_buffer, zc__inproc_metadata, zc__inproc_urandom,
	zc__inproc_hidden_stpncpy, zc__inproc_hidden_strcat, zc__inproc_hidden_strncat,
	zc__inproc_hidden_wmempcpy, zc__inproc_hidden_wcsncpy, zc__inproc_hidden_wcscpy,
	zc__inproc_hidden_wcpcpy, zc__inproc_hidden_splice_memfd,
	zc__inproc_hidden_copy_file_range, zc__inproc_hidden_process_vm,
	zc__inproc_copy_in_release;
#define ZC__INPROC_PROVENANCE_ADVERSARIES &zc__inproc_other_buffer, &zc__inproc_metadata, \
	&zc__inproc_urandom, &zc__inproc_hidden_stpncpy, &zc__inproc_hidden_strcat, \
	&zc__inproc_hidden_strncat, &zc__inproc_hidden_wmempcpy, &zc__inproc_hidden_wcsncpy, \
	&zc__inproc_hidden_wcscpy, &zc__inproc_hidden_wcpcpy, &zc__inproc_hidden_splice_memfd, \
	&zc__inproc_hidden_copy_file_range, &zc__inproc_hidden_process_vm, \
	&zc__inproc_copy_in_release
/* adversarial_lifetime.c: copies into memory that goes, or made after the hand-over. */
extern const struct zc_strategy zc__inproc_copy_then_unmap, zc__inproc_copy_then_madvise,
	zc__inproc_copy_then_wipe, zc__inproc_copy_then_free, zc__inproc_late_worker,
	zc__inproc_every_eighth;
#define ZC__INPROC_LIFETIME_ADVERSARIES &zc__inproc_copy_then_unmap, \
	&zc__inproc_copy_then_madvise, &zc__inproc_copy_then_wipe, &zc__inproc_copy_then_free, \
	&zc__inproc_late_worker, &zc__inproc_every_eighth
extern const struct zc_strategy zc__inproc_forked_copy, zc__inproc_forked_late,
	zc__inproc_forked_readv, zc__inproc_spawned_tail, zc__inproc_spawned_static;
#define ZC__INPROC_PROCESS_ADVERSARIES &zc__inproc_forked_copy, &zc__inproc_forked_late, \
	&zc__inproc_forked_readv, &zc__inproc_spawned_tail, &zc__inproc_spawned_static
#endif

#endif
