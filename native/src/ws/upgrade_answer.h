// Decides what an HTTP request head on a WebSocket-enabled listener gets (RFC 6455 4.2): the 101 that
// switches the session to WebSocket, a refusal that closes it, or "JS answers" for a request without an
// Upgrade field (a plain GET: the static page, framework/transport/websocket/upgrade.ts). No extension or
// subprotocol is ever accepted: a permessage-deflate offer is declined by leaving it out of the 101.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fastport::ws {

// Where upgrades are served (EngineConfig wsPath / wsOrigins).
struct UpgradeEndpoint {
  std::string_view path;
  const std::optional<std::vector<std::string>>& origins;  // nullopt = any origin
};

enum class HeadVerdict { kUpgrade, kRefuse, kToJs };

struct HeadAnswer {
  HeadVerdict verdict;
  std::string reply;  // the whole response to send (empty for kToJs)
};

// head: the request line through the blank line (at most kMaxRequestHeadBytes).
HeadAnswer answerRequestHead(std::string_view head, const UpgradeEndpoint& endpoint);

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key: base64(SHA-1(key + the RFC's GUID)).
std::string acceptKeyFor(std::string_view key);

}  // namespace fastport::ws
