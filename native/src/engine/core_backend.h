// A Backend whose sessions live in the session core (core/session_core.h): the session commands go to the
// core as they are; the engine derived from it keeps only its kernel interface (SessionIo) plus listen,
// connect, poll, sweep, flush and shutdown.
#pragma once
#include "core/session_core.h"
#include "engine/backend.h"
#include "engine/loop_context.h"

namespace fastport {

class CoreBackend : public Backend, protected SessionIo {
 public:
  // timedOutErrno: the platform's ETIMEDOUT, reported with connect_timeout.
  CoreBackend(const LoopContext& ctx, uint32_t timedOutErrno)
      : ctx_(ctx),
        c_(*ctx.counters),
        core_(SessionCoreEnv{ctx.config, ctx.events, ctx.counters, ctx.budget, timedOutErrno}, *this) {}

  void send(SessionId id, const uint8_t* frames, size_t length, uint32_t frameCount) override {
    core_.send(id, frames, length, frameCount);
  }
  void close(SessionId id, CloseReason reason) override { core_.close(id, reason); }
  void abort(SessionId id, CloseReason reason) override { core_.abort(id, reason); }
  void pauseRead(SessionId id) override { core_.pauseRead(id); }
  void resumeRead(SessionId id) override { core_.resumeRead(id); }
  void httpReply(SessionId id, const uint8_t* reply, size_t length, CloseReason after) override {
    core_.httpReply(id, reply, length, after);
  }
  size_t sessionCount() const override { return core_.openCount(); }

 protected:
  LoopContext ctx_;
  Counters& c_;
  SessionCore core_;  // holds a reference to this SessionIo; used once the derived engine is built
};

}  // namespace fastport
