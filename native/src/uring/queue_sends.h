// The msghdr + iovec of SENDMSGs that go straight from a session's send queue blocks (no copy into a send
// slice). The kernel reads them while the request runs, so each lives from submit to completion; a free
// list keeps them for the next send, and idle sessions hold none (a session only points at one in flight).
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "core/send_queue.h"

namespace fastport::uring {

// Blocks one SENDMSG gathers: 64 x 16 KiB pooled blocks = 1 MiB, more with dedicated blocks of big frames.
inline constexpr size_t kQueueSendIov = 64;

struct QueueSend {
  msghdr msg{};
  iovec iov[kQueueSendIov];
  // Submitted with MSG_DONTWAIT over bytes the core borrows until its flush() ends: the kernel completes it
  // during the submit, and the engine handles that completion before the flush copies the rest.
  bool noWait = false;

  // Points msg at the oldest pending bytes of queue (not consumed: that happens on completion). Returns
  // the bytes gathered.
  size_t gather(const SendQueue& queue) {
    ByteSlice parts[kQueueSendIov];
    size_t n = queue.gather(parts, kQueueSendIov);
    size_t bytes = 0;
    for (size_t i = 0; i < n; ++i) {
      iov[i] = iovec{const_cast<uint8_t*>(parts[i].data), parts[i].len};
      bytes += parts[i].len;
    }
    msg = msghdr{};
    msg.msg_iov = iov;
    msg.msg_iovlen = n;
    return bytes;
  }
};

class QueueSends {
 public:
  QueueSend* take() {
    if (free_.empty()) {
      all_.push_back(std::make_unique<QueueSend>());
      return all_.back().get();
    }
    QueueSend* q = free_.back();
    free_.pop_back();
    return q;
  }
  void giveBack(QueueSend* q) {
    if (q) free_.push_back(q);
  }

 private:
  std::vector<std::unique_ptr<QueueSend>> all_;  // owns every one ever made (freed with the engine)
  std::vector<QueueSend*> free_;
};

}  // namespace fastport::uring
