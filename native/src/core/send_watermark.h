// The per-session send-limit policy every engine applies (docs/boundary.md): BLOCKED when pending send
// bytes rise above the soft limit, WRITABLE when they fall back to half of it, close `backpressure` above
// the hard limit (checked when bytes are queued).
#pragma once
#include <cstddef>

#include "core/config.h"
#include "core/event_writer.h"
#include "core/session_id.h"

namespace fastport {

class SendWatermark {
 public:
  // After bytes were queued; pending = bytes now waiting. False: over the hard limit, close backpressure.
  bool queued(size_t pending, const EngineConfig& cfg, EventWriter& events, SessionId id) {
    if (pending > cfg.sendHardLimit) return false;
    if (!blocked_ && pending > cfg.sendSoftLimit) {
      blocked_ = true;
      events.blocked(id);
    }
    return true;
  }

  // After the kernel took bytes; pending = bytes still waiting.
  void sent(size_t pending, const EngineConfig& cfg, EventWriter& events, SessionId id) {
    if (blocked_ && pending <= cfg.sendSoftLimit / 2) {
      blocked_ = false;
      events.writable(id);
    }
  }

 private:
  bool blocked_ = false;  // BLOCKED written, WRITABLE not yet
};

}  // namespace fastport
