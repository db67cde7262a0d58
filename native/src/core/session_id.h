// Session ids as seen by JS: u32, never 0; the id encodes its I/O loop (id % loopCount).
#pragma once
#include <cstdint>

namespace fastport {

using SessionId = uint32_t;

}  // namespace fastport
