// Parses one HTTP/1.x request head (RFC 9112 section 3 and 5): the request line and the header fields up to
// the blank line. The engine has already bounded the head to kMaxRequestHeadBytes and found its end; this
// only reads it (no copy of the head; the few header values an upgrade needs are kept).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace fastport::ws {

struct RequestHead {
  std::string_view method;
  std::string_view target;  // as sent, e.g. "/chat?room=1"
  int versionMajor = 0;
  int versionMinor = 0;
  // The fields an upgrade reads (names are case-insensitive); a repeated field's values joined with ", "
  // (RFC 9110 5.3). Absent fields stay empty optionals.
  std::optional<std::string> upgrade, connection, key, version, origin;
};

// Reads head (request line through the blank line, CRLF line ends) into out. Returns nullptr, or why the
// bytes are not a request head (a static string).
const char* parseRequestHead(std::string_view head, RequestHead& out);

// True when the comma-separated value lists token (case-insensitive), e.g. "keep-alive, Upgrade".
bool hasToken(std::string_view value, std::string_view token);

}  // namespace fastport::ws
