// Command-line options of the load generator; parse() throws std::invalid_argument with a precise message.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace loadgen {

enum class Mode { kEcho, kBroadcast, kIdle };

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  uint32_t conns = 1;
  uint32_t depth = 1;     // closed loop: frames in flight per connection
  double rate = 0;        // open loop: total msgs/s over all (sending) connections; 0 = closed loop
  uint32_t minSize = 64;  // payload bytes (before the optional protobuf wrapping)
  uint32_t maxSize = 64;
  double durationS = 5;        // measured window
  double warmupS = 1;          // before the window; not measured
  double graceS = 1;           // after the window: wait this long for answers still in flight
  uint16_t msgId = 100;        // id of the frames sent
  int32_t expectId = -1;       // id of the answers counted; -1 = same as msgId, 0 = any
  bool wrapProto = false;      // payload sent as protobuf field 1 (bytes), answer expected the same way
  bool verify = false;         // compare every echoed payload with what was sent
  std::vector<uint8_t> hello;  // whole frame sent first on every connection (e.g. the framework's Hello)
  std::vector<uint8_t> join;   // whole frame sent after hello (e.g. a room join), broadcast mode
  uint32_t threads = 1;
  Mode mode = Mode::kEcho;
  uint32_t senders = 1;  // broadcast mode: members that send
  uint32_t connectConcurrency = 256;
  double connectTimeoutS = 15;
  uint32_t maxFrameBytes = 64u << 20;
  std::string wsPath;  // --ws PATH: HTTP upgrade to this path, then every frame as one WebSocket message
};

Options parseOptions(int argc, char** argv);
std::string usage();

}  // namespace loadgen
