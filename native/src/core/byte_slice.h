// A view of bytes someone else owns (a send queue's gather output, a payload handed over with a command log).
#pragma once
#include <cstddef>
#include <cstdint>

namespace fastport {

struct ByteSlice {
  const uint8_t* data;
  size_t len;
};

}  // namespace fastport
