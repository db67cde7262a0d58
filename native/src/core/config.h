// Engine options (docs/boundary.md NativeEngineOptions), already validated in TS; re-checked in the addon.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fastport {

struct EngineConfig {
  std::string engine = "epoll";
  uint32_t ioThreads = 0;              // 0 = inline on the JS thread's libuv loop
  uint32_t maxFrameBytes = 1u << 20;   // whole frame incl. header; 10 .. 64 MiB
  uint32_t sendSoftLimit = 1u << 20;   // pending bytes per session: BLOCKED above
  uint32_t sendHardLimit = 10u << 20;  // pending bytes per session: close backpressure above
  uint32_t frameTimeoutMs = 10000;     // 0 = off
  uint32_t sendStallMs = 30000;        // 0 = off
  uint32_t maxConnections = 50000;     // sessions per engine (all loops together)
  bool websocket = false;              // accepted sessions may upgrade to WebSocket (ws/wire_protocol.h)
  std::string wsPath = "/";            // the path an upgrade must ask for
  std::optional<std::vector<std::string>> wsOrigins;  // Origin values allowed to upgrade; nullopt = any
  bool reusePort = false;  // listeners share their port with other processes (SO_REUSEPORT)
  // FRAME payloads of at least this many bytes reach JS as their own ArrayBuffer instead of in the batch
  // (docs/boundary.md "Detached payloads"); 0 = never.
  uint32_t detachFrameBytes = 32u << 10;
  // io_uring tuning; 0 = the uring engine's own default.
  uint32_t uringEntries = 0;
  uint32_t uringBufferCount = 0;
  uint32_t uringBufferSize = 0;
  uint32_t uringSendSliceSize = 0;
  uint32_t uringSendSliceCount = 0;
};

inline constexpr uint32_t kMinFrameBytes = 10;
inline constexpr uint32_t kMaxFrameBytesLimit = 64u << 20;

}  // namespace fastport
