// libFuzzer harness for SendQueue (core/send_queue.h): the input is a program of append (copied or
// borrowed) / gather / consume / adopt / clear operations run against the queue and a plain byte-vector
// model; borrowed bytes are overwritten as soon as they were adopted. Every gather must return exactly the
// model's oldest bytes (within the slice and byte bounds), and pending() must always equal the model's size.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/send_queue.h"

namespace {

struct Reader {
  const uint8_t* p;
  size_t left;
  uint32_t take(size_t bytes) {
    uint32_t v = 0;
    for (size_t i = 0; i < bytes && left > 0; ++i, --left) v = (v << 8) | *p++;
    return v;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* input, size_t size) {
  // A small block size makes appends span blocks; kDedicatedBytes (256 KiB) appends are reachable too.
  fastport::BlockPool pool(64 + (size > 0 ? input[0] : 0), 4);
  fastport::SendQueue queue;
  std::vector<uint8_t> model;
  Reader in{input, size};
  if (size > 0) in.take(1);
  uint8_t next = 0;
  std::vector<uint8_t> scratch;
  std::vector<std::vector<uint8_t>> lent;  // borrowed appends' bytes, valid until adoptBorrowed()
  fastport::ByteSlice slices[16];
  for (int ops = 0; in.left > 0 && ops < 256; ++ops) {
    switch (in.take(1) % 4) {
      case 0: {  // append: 1 in 64 appends is a big one
        uint32_t raw = in.take(2);
        uint32_t len =
            raw % 64 == 0 ? uint32_t(fastport::SendQueue::kDedicatedBytes) + raw % 1024 : raw % 4096;
        scratch.resize(len);
        for (auto& b : scratch) b = next++;
        model.insert(model.end(), scratch.begin(), scratch.end());
        if (raw % 3 == 1) {  // borrowed
          lent.push_back(scratch);
          queue.appendBorrowed(lent.back().data(), lent.back().size());
        } else {
          queue.append(pool, scratch.data(), scratch.size());
        }
        break;
      }
      case 1: {  // gather within bounds, check content
        size_t maxSlices = 1 + in.take(1) % 16;
        size_t maxBytes = in.take(1) == 0 ? SIZE_MAX : 1 + in.take(3);
        size_t n = queue.gather(slices, maxSlices, maxBytes);
        if (n > maxSlices) abort();
        size_t at = 0;
        for (size_t i = 0; i < n; ++i) {
          if (slices[i].len == 0 || at + slices[i].len > model.size()) abort();
          if (std::memcmp(slices[i].data, model.data() + at, slices[i].len) != 0) abort();
          at += slices[i].len;
        }
        if (at > maxBytes) abort();
        if (n == 0 && !model.empty() && maxBytes > 0) abort();
        break;
      }
      case 2: {  // consume what a partial write accepted
        size_t bytes = model.empty() ? 0 : in.take(3) % (model.size() + 1);
        queue.consume(pool, bytes);
        model.erase(model.begin(), model.begin() + std::ptrdiff_t(bytes));
        break;
      }
      default: {
        uint32_t what = in.take(1) % 8;
        if (what == 0) {
          queue.clear(pool);
          model.clear();
        } else if (what == 1) {
          queue.adoptBorrowed(pool);
          if (queue.borrowing()) abort();
          for (auto& bytes : lent) std::fill(bytes.begin(), bytes.end(), uint8_t(0xEE));
          lent.clear();
        }
        break;
      }
    }
    if (queue.pending() != model.size() || queue.empty() != model.empty()) abort();
  }
  queue.clear(pool);
  return 0;
}
