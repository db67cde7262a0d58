// A Backend whose sessions live in a SessionCore (core/session_core.h): the JS commands go to the core as
// they are; an engine adds its kernel side (the SessionIo overrides, core/session_io.h) and the driving
// (poll, listen, connect).
#pragma once
#include "core/session_core.h"
#include "engine/backend.h"

namespace fastport {

class CoreBackend : public Backend, protected SessionIo {
 public:
  void send(SessionId id, const uint8_t* frames, size_t length, uint32_t frameCount) override {
    core_.send(id, frames, length, frameCount);
  }
  void sendFrame(SessionId id, const uint8_t* wireHeader, const ByteSlice* parts, size_t count) override {
    core_.sendFrame(id, wireHeader, parts, count);
  }
  void broadcast(const SessionId* ids, uint32_t count, const uint8_t* frames, size_t length,
                 uint32_t frameCount) override {
    core_.broadcast(ids, count, frames, length, frameCount);
  }
  void close(SessionId id, CloseReason reason) override { core_.close(id, reason); }
  void abort(SessionId id, CloseReason reason) override { core_.abort(id, reason); }
  void pauseRead(SessionId id) override { core_.pauseRead(id); }
  void resumeRead(SessionId id) override { core_.resumeRead(id); }
  void flush() override { core_.flush(); }
  void httpReply(SessionId id, const uint8_t* reply, size_t length, CloseReason after) override {
    core_.httpReply(id, reply, length, after);
  }
  size_t sessionCount() const override { return core_.openCount(); }

 protected:
  // timedOutErrno: the platform's ETIMEDOUT, reported with connect_timeout.
  CoreBackend(const LoopContext& ctx, uint32_t timedOutErrno)
      : ctx_(ctx),
        cfg_(*ctx.config),
        c_(*ctx.counters),
        core_(SessionCoreEnv{ctx.config, ctx.events, ctx.counters, ctx.budget, timedOutErrno}, *this) {}

  // A new session in the core, with the next id of this loop.
  CoreSession* addSession() { return core_.add(ctx_.ids->next()); }

  LoopContext ctx_;
  const EngineConfig& cfg_;
  Counters& c_;
  SessionCore core_;  // after the SessionIo base and the members it reads
};

}  // namespace fastport
