// Checks a command log from JS and applies it to backends (inline) or splits it per I/O loop (threads).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/byte_buffer.h"
#include "core/command_reader.h"
#include "engine/backend.h"

namespace fastport {

// "" when every record is well-formed, every SEND / BROADCAST payload is whole frames of 10 .. maxFrameBytes
// bytes and every SEND_PAYLOAD names a handed-over payload its wire header's length fits; else what is wrong
// (nothing has been applied then).
std::string validateCommands(const CommandBatch& batch, uint32_t maxFrameBytes);

// Applies a validated batch to one backend, in order, then flush(). Sessions owned by other loops are
// skipped (ownerOf(id) != loopIndex); loopCount 1 = everything applies here.
void applyCommands(Backend& backend, const CommandBatch& batch, uint32_t loopIndex, uint32_t loopCount);

// Splits a validated batch into per-loop logs (appended to inboxes[loop]); a BROADCAST is split into one
// BROADCAST per loop that owns some of its targets; a SEND_PAYLOAD becomes a SEND with its payload copied in
// (the inboxes outlive the call).
void routeCommands(const CommandBatch& batch, std::vector<ByteBuffer*>& inboxes);

inline uint32_t ownerLoop(SessionId id, uint32_t loopCount) {
  return id % loopCount;
}

}  // namespace fastport
