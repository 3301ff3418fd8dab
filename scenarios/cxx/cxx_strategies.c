/*
 * cxx_strategies.c: Slice_view, Vec_returned, CxxVector_filled, CxxVector_copied and
 * Vec_to_std_vector: the ways a cxx bridge hands a Rust producer's frame to C++ code, each
 * with the C++ consumer of consumer.cc, in this process.
 *
 * A transfer: the consumer calls the bridge's function of the row, keeps what it returned and
 * gives the runner the bytes it holds (the runner checks the stamps, the checksum and the
 * write-through probe there); the release drops it. Whether anything was copied is left to
 * the interposers and the pages written, whatever Rust, cxx or C++ did.
 */
#include "cxx_strategies.h"

#include <errno.h>
#include <stdlib.h>

#include "consumer.h"
#include "instrument.h"

/* A row's argument: the way, and the copies cxx's documentation says it makes (declared). */
struct row {
	enum zc_cxx_way way;
	unsigned documented_copies;
};

struct state {
	const struct row *row;
	struct zc_cxx_consumer *consumer;
	size_t bytes;
	uint64_t seq;
};

static void *setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	struct state *s = calloc(1, sizeof(*s));
	if (!s) {
		zc_error_errno(err, ENOMEM);
		return NULL;
	}
	s->row = arg;
	s->bytes = g->bytes;
	s->consumer = zc_cxx_open(g->bytes, s->row->way, err);
	if (!s->consumer) {
		free(s);
		return NULL;
	}
	return s;
}

static int transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	const unsigned char *data;
	unsigned char *producer;
	if (zc_cxx_take(s->consumer, ++s->seq, render, &data, &producer, err) != 0)
		return -1;
	zc_count_copy(s->row->documented_copies * s->bytes); /* the documented, not seen */
	*v = (struct zc_view){.data = data, .bytes = s->bytes, .seq = s->seq, .producer = producer};
	return 0;
}

static void release(void *st, struct zc_view *v)
{
	struct state *s = st;
	(void)v;
	zc_cxx_drop(s->consumer);
}

static void teardown(void *st)
{
	struct state *s = st;
	zc_cxx_close(s->consumer);
	free(s);
}

static const struct row slice_row = {ZC_CXX_SLICE, 0};
static const struct row vec_row = {ZC_CXX_VEC, 0};
static const struct row filled_row = {ZC_CXX_VECTOR_FILLED, 0};
static const struct row copied_row = {ZC_CXX_VECTOR_COPIED, 1};
static const struct row to_std_row = {ZC_CXX_VEC_TO_STD, 1};

#define ROW(n, m, zero, r)                                                                    \
	{.name = n, .mirrors = m, .expect_zero_copy = zero, .arg = &r, .setup = setup,        \
	 .transfer = transfer, .release = release, .teardown = teardown}

static const struct zc_strategy rows[] = {
	ROW("Slice_view", "fn frame(&mut self) -> &[u8]: a rust::Slice<const uint8_t> over the "
	    "producer's own frame, lent until the next call", true, slice_row),
	ROW("Vec_returned", "fn take(&mut self) -> Vec<u8>: a rust::Vec<uint8_t> returned by "
	    "value, its buffer moved to C++, dropped by ~Vec (Rust's drop)", true, vec_row),
	ROW("CxxVector_filled", "fn fill(&mut self) -> UniquePtr<CxxVector<u8>>: a std::vector "
	    "from C++ (new_frame_vector) that Rust makes the frame in, through as_mut_slice",
	    true, filled_row),
	ROW("CxxVector_copied", "the same UniquePtr<CxxVector<u8>>, the producer's own frame "
	    "copied into it (as_mut_slice().copy_from_slice)", false, copied_row),
	ROW("Vec_to_std_vector", "a rust::Vec<uint8_t> made into a std::vector<uint8_t> by the "
	    "C++ code that wants one (std::vector(v.begin(), v.end()))", false, to_std_row),
};

static const struct zc_strategy *const all[] = {&rows[0], &rows[1], &rows[2], &rows[3],
						&rows[4]};

const struct zc_scenario zc_cxx_scenario = {
	.name = "cxx",
	.strategies = all,
	.nstrategies = ZC_COUNT(all),
	.summary = "Hands a Rust producer's frames to C++ through a cxx 1.0.87 bridge: "
		   "rust::Slice, rust::Vec and UniquePtr<CxxVector<u8>>, shared or copied.",
};
