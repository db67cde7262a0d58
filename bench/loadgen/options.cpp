#include "options.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string_view>

namespace loadgen {
namespace {

double toNumber(std::string_view name, std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    throw std::invalid_argument(std::string(name) + ": not a number: '" + std::string(text) + "'");
  }
  return value;
}

uint64_t toInteger(std::string_view name, std::string_view text, uint64_t min, uint64_t max) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw std::invalid_argument(std::string(name) + ": not a whole number: '" + std::string(text) + "'");
  }
  if (value < min || value > max) {
    throw std::invalid_argument(std::string(name) + ": " + std::to_string(value) + " is outside " +
                                std::to_string(min) + ".." + std::to_string(max));
  }
  return value;
}

std::vector<uint8_t> fromHex(std::string_view name, std::string_view text) {
  if (text.size() % 2 != 0) throw std::invalid_argument(std::string(name) + ": odd number of hex digits");
  std::vector<uint8_t> bytes(text.size() / 2);
  for (size_t i = 0; i < bytes.size(); i++) {
    auto [end, ec] = std::from_chars(text.data() + 2 * i, text.data() + 2 * i + 2, bytes[i], 16);
    if (ec != std::errc() || end != text.data() + 2 * i + 2) {
      throw std::invalid_argument(std::string(name) + ": not hex at offset " + std::to_string(2 * i));
    }
  }
  if (!bytes.empty()) {
    if (bytes.size() < 10) throw std::invalid_argument(std::string(name) + ": a frame is at least 10 bytes");
    uint32_t length =
        (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) | bytes[3];
    if (length != bytes.size()) {
      throw std::invalid_argument(std::string(name) + ": header length " + std::to_string(length) +
                                  " != frame bytes " + std::to_string(bytes.size()));
    }
  }
  return bytes;
}

// An origin-form request target: starts with '/', printable ASCII without spaces.
std::string wsPath(std::string_view name, std::string_view text) {
  bool printable = std::all_of(text.begin(), text.end(), [](char ch) { return ch > ' ' && ch < 0x7f; });
  if (text.empty() || text.front() != '/' || !printable) {
    throw std::invalid_argument(std::string(name) + ": a path like / or /ws (no spaces), got '" +
                                std::string(text) + "'");
  }
  return std::string(text);
}

double positive(std::string_view name, double value, bool allowZero) {
  if (value < 0 || (!allowZero && value == 0)) {
    throw std::invalid_argument(std::string(name) + ": must be " + (allowZero ? ">= 0" : "> 0"));
  }
  return value;
}

}  // namespace

std::string usage() {
  return "usage: loadgen --port N [--host 127.0.0.1] [--conns 1] [--depth 1 | --rate MSGS_PER_S]\n"
         "  [--size 64 | --min-size A --max-size B] [--duration 5] [--warmup 1] [--grace 1]\n"
         "  [--msg-id 100] [--expect-id ID (0 = any)] [--wrap-proto] [--verify] [--hello-hex HEX]\n"
         "  [--threads 1|2] [--mode echo|broadcast|idle] [--senders 1] [--join-hex HEX]\n"
         "  [--connect-concurrency 256] [--connect-timeout 15] [--max-frame BYTES] [--ws PATH]\n"
         "Prints one JSON object on stdout. Idle mode prints 'LOADGEN CONNECTED <n>' on stderr once all\n"
         "connections are up, then holds them for --duration seconds. SIGTERM / SIGINT end a run early (the\n"
         "report covers the time until then). --ws PATH: every connection does the\n"
         "WebSocket upgrade to PATH, then sends each frame as one masked binary message.\n";
}

Options parseOptions(int argc, char** argv) {
  Options o;
  bool sawSize = false;
  for (int i = 1; i < argc; i++) {
    std::string_view flag = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) throw std::invalid_argument(std::string(flag) + ": missing value");
      return argv[++i];
    };
    if (flag == "--host")
      o.host = value();
    else if (flag == "--port")
      o.port = static_cast<uint16_t>(toInteger(flag, value(), 1, 65535));
    else if (flag == "--conns")
      o.conns = static_cast<uint32_t>(toInteger(flag, value(), 1, 1'000'000));
    else if (flag == "--depth")
      o.depth = static_cast<uint32_t>(toInteger(flag, value(), 1, 65536));
    else if (flag == "--rate")
      o.rate = positive(flag, toNumber(flag, value()), true);
    else if (flag == "--size") {
      o.minSize = o.maxSize = static_cast<uint32_t>(toInteger(flag, value(), 0, 64u << 20));
      sawSize = true;
    } else if (flag == "--min-size")
      o.minSize = static_cast<uint32_t>(toInteger(flag, value(), 0, 64u << 20));
    else if (flag == "--max-size")
      o.maxSize = static_cast<uint32_t>(toInteger(flag, value(), 0, 64u << 20));
    else if (flag == "--duration")
      o.durationS = positive(flag, toNumber(flag, value()), false);
    else if (flag == "--warmup")
      o.warmupS = positive(flag, toNumber(flag, value()), true);
    else if (flag == "--grace")
      o.graceS = positive(flag, toNumber(flag, value()), true);
    else if (flag == "--msg-id")
      o.msgId = static_cast<uint16_t>(toInteger(flag, value(), 0, 65535));
    else if (flag == "--expect-id")
      o.expectId = static_cast<int32_t>(toInteger(flag, value(), 0, 65535));
    else if (flag == "--wrap-proto")
      o.wrapProto = true;
    else if (flag == "--verify")
      o.verify = true;
    else if (flag == "--hello-hex")
      o.hello = fromHex(flag, value());
    else if (flag == "--join-hex")
      o.join = fromHex(flag, value());
    else if (flag == "--threads")
      o.threads = static_cast<uint32_t>(toInteger(flag, value(), 1, 64));
    else if (flag == "--senders")
      o.senders = static_cast<uint32_t>(toInteger(flag, value(), 1, 1'000'000));
    else if (flag == "--connect-concurrency")
      o.connectConcurrency = static_cast<uint32_t>(toInteger(flag, value(), 1, 100'000));
    else if (flag == "--connect-timeout")
      o.connectTimeoutS = positive(flag, toNumber(flag, value()), false);
    else if (flag == "--ws")
      o.wsPath = wsPath(flag, value());
    else if (flag == "--max-frame")
      o.maxFrameBytes = static_cast<uint32_t>(toInteger(flag, value(), 10, 1u << 30));
    else if (flag == "--mode") {
      std::string_view m = value();
      if (m == "echo")
        o.mode = Mode::kEcho;
      else if (m == "broadcast")
        o.mode = Mode::kBroadcast;
      else if (m == "idle")
        o.mode = Mode::kIdle;
      else
        throw std::invalid_argument("--mode: expected echo, broadcast or idle, got '" + std::string(m) + "'");
    } else {
      throw std::invalid_argument("unknown option '" + std::string(flag) + "'");
    }
  }
  if (o.port == 0) throw std::invalid_argument("--port is required");
  in_addr probe{};
  if (inet_pton(AF_INET, o.host.c_str(), &probe) != 1) {
    throw std::invalid_argument("--host: not an IPv4 address: '" + o.host + "'");
  }
  if (o.minSize > o.maxSize) throw std::invalid_argument("--min-size is larger than --max-size");
  if (sawSize && o.minSize != o.maxSize) throw std::invalid_argument("--size conflicts with --min/max-size");
  if (o.mode == Mode::kBroadcast && o.rate == 0) throw std::invalid_argument("--mode broadcast needs --rate");
  if (o.mode == Mode::kBroadcast && o.senders > o.conns) throw std::invalid_argument("--senders > --conns");
  if (o.mode == Mode::kBroadcast && !o.wrapProto && o.minSize < 8) {
    throw std::invalid_argument("--mode broadcast: payload must be >= 8 bytes (it carries the send time)");
  }
  if (o.threads > o.conns) o.threads = o.conns;
  if (o.expectId < 0) o.expectId = o.msgId;
  return o;
}

}  // namespace loadgen
