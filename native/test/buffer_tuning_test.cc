// The io_uring receive buffer defaults (uring/uring_tuning.h) against the traffic they were sized for.
#include "check.h"
#include "core/wire.h"
#include "uring/uring_tuning.h"

using namespace fastport;

TEST(uring_default_receive_buffer_holds_four_16k_frames_with_their_headers) {
  // 4 frames in flight per connection: a socket holding all of them fills one buffer, no frame is split
  // across two (the parser would assemble it, then it is copied into the batch: two more copies).
  uring::Tuning t = uring::tuningFrom(EngineConfig{});
  CHECK(t.bufferSize >= 4 * (16 * 1024 + kWireHeaderBytes));
  CHECK_EQ(t.bufferSize % 4096, 0u);  // whole pages: every buffer starts page-aligned
}

TEST(uring_receive_buffer_size_option_overrides_the_default) {
  EngineConfig c;
  c.uringBufferSize = 4096;
  CHECK_EQ(uring::tuningFrom(c).bufferSize, 4096u);
}
