// frame_vector.h: the C++ the cxx bridge (lib.rs, beside it) calls from Rust: a std::vector of a
// frame's size, owned by C++, for Rust to fill through UniquePtr<CxxVector<u8>>.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace zccxx {

// A zeroed vector of bytes bytes (std::vector value-initialises its elements).
inline std::unique_ptr<std::vector<uint8_t>> new_frame_vector(size_t bytes)
{
	return std::make_unique<std::vector<uint8_t>>(bytes);
}

} // namespace zccxx
