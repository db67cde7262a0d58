// Registered (fixed) file table: a session's socket gets a slot, so its recv / send / cancel requests use
// IOSQE_FIXED_FILE and skip the per-request file lookup and reference counting. Slots are set and cleared
// with one io_uring_register call each (per connection, not per frame).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fastport::uring {

class FileTable {
 public:
  // A sparse table of `slots` entries (capped by RLIMIT_NOFILE, which the kernel enforces). Returns '' or
  // why fixed files are off (the engine then uses plain descriptors).
  std::string init(int ringFd, unsigned slots);
  bool enabled() const { return ringFd_ >= 0; }
  // The slot now holding fd, or -1 (table full / off / refused): use the plain descriptor then.
  int add(int fd);
  void remove(int slot);
  void detach() { ringFd_ = -1; }

 private:
  int ringFd_ = -1;
  std::vector<uint32_t> free_;
};

}  // namespace fastport::uring
