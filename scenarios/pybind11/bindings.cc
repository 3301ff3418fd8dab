/*
 * bindings.cc: the module zcbridge, written as a pybind11 user writes one (pybind11 2.10): a
 * class wrapping the producer, whose methods hand its frame to Python each the way pybind11's
 * documentation names:
 *
 *   bytes                   py::bytes(ptr, len): Python copies the frame
 *   array_t_capsule         py::array_t<uint8_t> over the frame, a py::capsule its base whose
 *                           destructor gives the frame back to the producer: no copy
 *   array_t_no_base         the same array without a base: pybind11 has numpy copy the frame
 *   memoryview_from_memory  py::memoryview::from_memory(ptr, len): a view of the producer's
 *                           own frame, which it keeps (borrowed)
 *   vector_list             a std::vector<uint8_t> returned with pybind11/stl.h: pybind11
 *                           converts it into a list of ints
 *   buffer_protocol         a py::class_ with py::buffer_protocol() and def_buffer, owning the
 *                           frame (given back when Python lets the object go)
 *
 * It is an embedded module (PYBIND11_EMBEDDED_MODULE): the interpreter this program starts
 * imports it like any other. Every frame taken from the producer is counted, and every frame
 * given back, by the phase the program was in (bridge.h).
 */
#include "bindings.h"

#include <cstdint>
#include <memory>
#include <new>
#include <vector>

#include <pybind11/embed.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;

namespace zcpb {

static struct zc_pb_frame_stats stats;
static zc_python_phase phase = ZC_PYTHON_OUTSIDE;

void set_phase(zc_python_phase p)
{
	phase = p;
}

/* A frame taken from the producer (the move contract): given back once, when it dies. */
class OwnedFrame {
public:
	explicit OwnedFrame(Source &s, uint64_t seq) : bytes_(s.bytes)
	{
		data_ = s.api->take_frame(s.producer, seq, s.render, &release_, &ctx_);
		if (!data_)
			throw std::bad_alloc();
		stats.taken++;
		s.last = data_;
	}
	~OwnedFrame()
	{
		release_(ctx_, data_);
		stats.given_back[phase]++;
	}
	OwnedFrame(const OwnedFrame &) = delete;
	OwnedFrame &operator=(const OwnedFrame &) = delete;

	unsigned char *data() const { return data_; }
	std::size_t bytes() const { return bytes_; }

private:
	unsigned char *data_;
	std::size_t bytes_;
	zcp_release_fn release_ = nullptr;
	void *ctx_ = nullptr;
};

/* The producer's own frame, which it keeps: only borrowed. */
static unsigned char *own_frame(Source &s, uint64_t seq)
{
	unsigned char *p = s.api->next_frame(s.producer, seq, s.render);
	if (!p)
		throw std::bad_alloc();
	s.last = p;
	return p;
}

static py::bytes bytes(Source &s, uint64_t seq)
{
	return py::bytes(reinterpret_cast<const char *>(own_frame(s, seq)), s.bytes);
}

static py::array_t<uint8_t> array_t_capsule(Source &s, uint64_t seq)
{
	auto frame = std::make_unique<OwnedFrame>(s, seq);
	unsigned char *p = frame->data();
	py::capsule owner(frame.get(), [](void *f) { delete static_cast<OwnedFrame *>(f); });
	frame.release(); /* the capsule owns it now */
	return py::array_t<uint8_t>({static_cast<py::ssize_t>(s.bytes)}, {1}, p, owner);
}

/* Without a base, pybind11 has numpy copy the data (its documentation says so). */
static py::array_t<uint8_t> array_t_no_base(Source &s, uint64_t seq)
{
	return py::array_t<uint8_t>(static_cast<py::ssize_t>(s.bytes), own_frame(s, seq));
}

static py::memoryview memoryview_from_memory(Source &s, uint64_t seq)
{
	const void *p = own_frame(s, seq);
	return py::memoryview::from_memory(p, static_cast<py::ssize_t>(s.bytes));
}

static std::vector<uint8_t> vector_list(Source &s, uint64_t seq)
{
	const unsigned char *p = own_frame(s, seq);
	return std::vector<uint8_t>(p, p + s.bytes);
}

static std::unique_ptr<OwnedFrame> buffer_protocol(Source &s, uint64_t seq)
{
	return std::make_unique<OwnedFrame>(s, seq);
}

} // namespace zcpb

PYBIND11_EMBEDDED_MODULE(zcbridge, m)
{
	using zcpb::OwnedFrame;
	using zcpb::Source;
	m.doc() = "zcbench's bindings: a producer's frame handed to Python by pybind11.";
	py::class_<OwnedFrame>(m, "Frame", py::buffer_protocol())
		.def_buffer([](OwnedFrame &f) -> py::buffer_info {
			return py::buffer_info(f.data(), 1, py::format_descriptor<uint8_t>::format(),
					       1, {static_cast<py::ssize_t>(f.bytes())}, {1},
					       /*readonly=*/true);
		});
	py::class_<Source>(m, "Source")
		.def("bytes", &zcpb::bytes)
		.def("array_t_capsule", &zcpb::array_t_capsule)
		.def("array_t_no_base", &zcpb::array_t_no_base)
		.def("memoryview_from_memory", &zcpb::memoryview_from_memory)
		.def("vector_list", &zcpb::vector_list)
		.def("buffer_protocol", &zcpb::buffer_protocol);
}

extern "C" const struct zc_pb_frame_stats *zc_pb_stats(void)
{
	return &zcpb::stats;
}
