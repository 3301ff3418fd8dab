/*
 * consumer.cc: the C++ side of the cxx bridge (rust/src/lib.rs), written as cxx's users write
 * theirs: a rust::Box<Producer>, the frame as a rust::Slice<const uint8_t>, a rust::Vec<uint8_t>
 * or a std::unique_ptr<std::vector<uint8_t>> (UniquePtr<CxxVector<u8>> on Rust's side), and a
 * std::vector made from a rust::Vec where C++ code wants one. It decides nothing about
 * copies: the interposers see what Rust, cxx and C++ copied.
 */
#include "consumer.h"

#include <cerrno>
#include <memory>
#include <new>
#include <vector>

#include "zccxx_rust/src/lib.rs.h"

struct zc_cxx_consumer {
	zc_cxx_way way;
	rust::Box<zccxx::Producer> producer;
	rust::Slice<const uint8_t> slice;                /* ZC_CXX_SLICE: lent until the next take */
	rust::Vec<uint8_t> vec;                          /* ZC_CXX_VEC, ZC_CXX_VEC_TO_STD */
	std::unique_ptr<std::vector<uint8_t>> vector;    /* ZC_CXX_VECTOR_* */
	std::vector<uint8_t> std_copy;                   /* ZC_CXX_VEC_TO_STD */
};

struct zc_cxx_consumer *zc_cxx_open(size_t bytes, enum zc_cxx_way way, struct zc_error *err)
{
	try {
		return new zc_cxx_consumer{way, zccxx::producer_open(bytes), {}, {}, {}, {}};
	} catch (const std::bad_alloc &) {
		zc_error_errno(err, ENOMEM);
		return nullptr;
	}
}

/* The bridge's own lines for each row; the bytes C++ holds and the producer's. */
static void take(zc_cxx_consumer *c, uint64_t seq, bool render, const unsigned char **data,
		 unsigned char **producer)
{
	switch (c->way) {
	case ZC_CXX_SLICE:
		c->slice = c->producer->frame_slice(seq, render);
		*data = c->slice.data();
		*producer = const_cast<unsigned char *>(c->slice.data());
		break;
	case ZC_CXX_VEC:
		c->vec = c->producer->take_vec(seq, render);
		*data = *producer = c->vec.data();
		break;
	case ZC_CXX_VECTOR_FILLED:
		c->vector = c->producer->fill_cxx_vector(seq, render);
		*data = *producer = c->vector->data();
		break;
	case ZC_CXX_VECTOR_COPIED:
		c->vector = c->producer->copy_to_cxx_vector(seq, render);
		*data = c->vector->data();
		*producer = const_cast<unsigned char *>(c->producer->own_frame().data());
		break;
	case ZC_CXX_VEC_TO_STD:
		c->vec = c->producer->take_vec(seq, render);
		c->std_copy = std::vector<uint8_t>(c->vec.begin(), c->vec.end());
		*data = c->std_copy.data();
		*producer = c->vec.data();
		break;
	}
}

int zc_cxx_take(struct zc_cxx_consumer *c, uint64_t seq, bool render, const unsigned char **data,
		unsigned char **producer, struct zc_error *err)
{
	try {
		take(c, seq, render, data, producer);
		return 0;
	} catch (const std::bad_alloc &) {
		return zc_error_errno(err, ENOMEM);
	}
}

void zc_cxx_drop(struct zc_cxx_consumer *c)
{
	c->slice = rust::Slice<const uint8_t>();
	c->vec = rust::Vec<uint8_t>();
	c->vector.reset();
	std::vector<uint8_t>().swap(c->std_copy);
}

void zc_cxx_close(struct zc_cxx_consumer *c)
{
	delete c;
}
