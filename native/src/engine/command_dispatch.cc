#include "engine/command_dispatch.h"

#include "core/command_reader.h"
#include "core/command_writer.h"
#include "core/wire.h"

namespace fastport {

namespace {

// "" when a SEND_PAYLOAD record names one or more handed-over payloads that together make one frame of
// 10 .. maxFrameBytes.
const char* checkSendPayload(const Command& cmd, const CommandBatch& batch, uint32_t maxFrameBytes) {
  uint64_t index = cmd.payloadIndex(), parts = cmd.payloadParts();
  if (parts == 0 || index + parts > batch.payloadCount) return "send-payload names no handed-over payload";
  uint64_t payloadBytes = 0;
  for (uint64_t i = index; i < index + parts; ++i) payloadBytes += batch.payloads[i].len;
  uint32_t frameLength = readBe32(cmd.wireHeader());
  if (uint64_t(frameLength) != kWireHeaderBytes + payloadBytes) {
    return "send-payload wire header length does not match its payload";
  }
  if (frameLength > maxFrameBytes) return "send-payload frame exceeds maxFrameBytes";
  return "";
}

// A SEND_SPAN's bytes (checked by checkSendSpan first).
const uint8_t* spanBytes(const Command& cmd, const CommandBatch& batch) {
  return batch.payloads[cmd.spanPayload()].data + cmd.spanOffset();
}

// "" when a SEND_SPAN record names a range of a handed-over payload that is whole frames of 10 ..
// maxFrameBytes.
const char* checkSendSpan(const Command& cmd, const CommandBatch& batch, uint32_t maxFrameBytes) {
  if (cmd.spanPayload() >= batch.payloadCount) return "send-span names no handed-over payload";
  if (uint64_t(cmd.spanOffset()) + cmd.spanLength() > batch.payloads[cmd.spanPayload()].len) {
    return "send-span range runs past its payload";
  }
  if (countWireFrames(spanBytes(cmd, batch), cmd.spanLength(), maxFrameBytes) < 0) {
    return "send-span range is not a sequence of whole frames of 10 .. maxFrameBytes bytes";
  }
  return "";
}

}  // namespace

std::string validateCommands(const CommandBatch& batch, uint32_t maxFrameBytes) {
  CommandReader reader(batch.log, batch.length);
  Command cmd;
  size_t index = 0;
  while (reader.next(cmd)) {
    if (cmd.op == CommandOp::kSendPayload) {
      const char* why = checkSendPayload(cmd, batch, maxFrameBytes);
      if (*why) return "command " + std::to_string(index) + ": " + why;
    }
    if (cmd.op == CommandOp::kSendSpan) {
      const char* why = checkSendSpan(cmd, batch, maxFrameBytes);
      if (*why) return "command " + std::to_string(index) + ": " + why;
    }
    if (cmd.op == CommandOp::kSend || cmd.op == CommandOp::kBroadcast) {
      const uint8_t* frames = cmd.op == CommandOp::kSend ? cmd.payload : cmd.broadcastFrames();
      uint32_t len = cmd.op == CommandOp::kSend ? cmd.length : cmd.broadcastFramesLength();
      if (countWireFrames(frames, len, maxFrameBytes) < 0) {
        return "command " + std::to_string(index) +
               ": payload is not a sequence of whole frames of 10 .. maxFrameBytes (" +
               std::to_string(maxFrameBytes) + ") bytes";
      }
    }
    ++index;
  }
  if (reader.error()) return "command " + std::to_string(index) + ": " + reader.error();
  return "";
}

void applyCommands(Backend& backend, const CommandBatch& batch, uint32_t loopIndex, uint32_t loopCount) {
  CommandReader reader(batch.log, batch.length);
  Command cmd;
  while (reader.next(cmd)) {
    switch (cmd.op) {
      case CommandOp::kSend:
        if (ownerLoop(cmd.session, loopCount) != loopIndex) break;
        backend.send(cmd.session, cmd.payload, cmd.length,
                     uint32_t(countWireFrames(cmd.payload, cmd.length, UINT32_MAX)));
        break;
      case CommandOp::kSendPayload: {
        if (ownerLoop(cmd.session, loopCount) != loopIndex) break;
        backend.sendFrame(cmd.session, cmd.wireHeader(), batch.payloads + cmd.payloadIndex(),
                          cmd.payloadParts());
        break;
      }
      case CommandOp::kSendSpan: {
        if (ownerLoop(cmd.session, loopCount) != loopIndex) break;
        const uint8_t* frames = spanBytes(cmd, batch);
        backend.send(cmd.session, frames, cmd.spanLength(),
                     uint32_t(countWireFrames(frames, cmd.spanLength(), UINT32_MAX)));
        break;
      }
      case CommandOp::kBroadcast: {
        const uint8_t* frames = cmd.broadcastFrames();
        uint32_t len = cmd.broadcastFramesLength();
        uint32_t count = uint32_t(countWireFrames(frames, len, UINT32_MAX));
        static thread_local std::vector<SessionId> targets;  // this loop's members of the broadcast
        targets.clear();
        for (uint32_t i = 0; i < cmd.session; ++i) {
          SessionId id = cmd.broadcastTarget(i);
          if (ownerLoop(id, loopCount) == loopIndex) targets.push_back(id);
        }
        backend.broadcast(targets.data(), uint32_t(targets.size()), frames, len, count);
        break;
      }
      case CommandOp::kClose:
      case CommandOp::kAbort: {
        if (ownerLoop(cmd.session, loopCount) != loopIndex) break;
        CloseReason reason = closeReasonFromCode(cmd.reason);
        if (cmd.op == CommandOp::kClose) {
          backend.close(cmd.session, reason);
        } else {
          backend.abort(cmd.session, reason);
        }
        break;
      }
      case CommandOp::kPauseRead:
        if (ownerLoop(cmd.session, loopCount) == loopIndex) backend.pauseRead(cmd.session);
        break;
      case CommandOp::kResumeRead:
        if (ownerLoop(cmd.session, loopCount) == loopIndex) backend.resumeRead(cmd.session);
        break;
      case CommandOp::kHttpReply:
        if (ownerLoop(cmd.session, loopCount) == loopIndex) {
          backend.httpReply(cmd.session, cmd.payload, cmd.length, closeReasonFromCode(cmd.reason));
        }
        break;
    }
  }
  backend.flush();
}

void routeCommands(const CommandBatch& batch, std::vector<ByteBuffer*>& inboxes) {
  uint32_t loops = uint32_t(inboxes.size());
  CommandReader reader(batch.log, batch.length);
  Command cmd;
  std::vector<SessionId> targets;
  while (reader.next(cmd)) {
    if (cmd.op == CommandOp::kSendPayload) {
      CommandWriter(*inboxes[ownerLoop(cmd.session, loops)])
          .sendFrame(cmd.session, cmd.wireHeader(), batch.payloads + cmd.payloadIndex(), cmd.payloadParts());
      continue;
    }
    if (cmd.op == CommandOp::kSendSpan) {  // the loop gets a copy: the payload is valid during the call only
      CommandWriter(*inboxes[ownerLoop(cmd.session, loops)])
          .send(cmd.session, spanBytes(cmd, batch), cmd.spanLength());
      continue;
    }
    if (cmd.op != CommandOp::kBroadcast) {
      ByteBuffer& out = *inboxes[ownerLoop(cmd.session, loops)];
      size_t total = (kCommandHeaderBytes + cmd.length + 3) & ~size_t(3);
      // The record as it is (header + payload), padding written as zeros.
      const uint8_t* record = cmd.payload - kCommandHeaderBytes;
      uint8_t* p = out.reserve(total);
      std::memcpy(p, record, kCommandHeaderBytes + cmd.length);
      for (size_t i = kCommandHeaderBytes + cmd.length; i < total; ++i) p[i] = 0;
      out.commit(total);
      continue;
    }
    for (uint32_t loop = 0; loop < loops; ++loop) {
      targets.clear();
      for (uint32_t i = 0; i < cmd.session; ++i) {
        SessionId id = cmd.broadcastTarget(i);
        if (ownerLoop(id, loops) == loop) targets.push_back(id);
      }
      if (targets.empty()) continue;
      CommandWriter(*inboxes[loop])
          .broadcast(targets.data(), uint32_t(targets.size()), cmd.broadcastFrames(),
                     cmd.broadcastFramesLength());
    }
  }
}

}  // namespace fastport
