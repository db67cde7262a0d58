// Checks a command log from JS and applies it to backends (inline) or splits it per I/O loop (threads).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/byte_buffer.h"
#include "engine/backend.h"

namespace fastport {

// "" when every record is well-formed and every SEND / BROADCAST payload is whole frames of 10 ..
// maxFrameBytes bytes; else what is wrong (nothing has been applied then).
std::string validateCommands(const uint8_t* log, size_t length, uint32_t maxFrameBytes);

// Applies a validated log to one backend, in order, then flush(). Sessions owned by other loops are
// skipped (ownerOf(id) != loopIndex); loopCount 1 = everything applies here.
void applyCommands(Backend& backend, const uint8_t* log, size_t length, uint32_t loopIndex,
                   uint32_t loopCount);

// Splits a validated log into per-loop logs (appended to inboxes[loop]); a BROADCAST is split into one
// BROADCAST per loop that owns some of its targets.
void routeCommands(const uint8_t* log, size_t length, std::vector<ByteBuffer*>& inboxes);

inline uint32_t ownerLoop(SessionId id, uint32_t loopCount) {
  return id % loopCount;
}

}  // namespace fastport
