#include "ws/http_request_head.h"

#include <cstdint>

namespace fastport::ws {
namespace {

// tchar (RFC 9110 5.6.2).
bool isTokenChar(unsigned char ch) {
  if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(char(ch)) != std::string_view::npos;
}

bool isToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char ch : s)
    if (!isTokenChar(ch)) return false;
  return true;
}

// field-value characters (RFC 9110 5.5): visible, obs-text, space and tab; no other control byte.
bool isFieldValue(std::string_view s) {
  for (unsigned char ch : s)
    if ((ch < 0x20 && ch != '\t') || ch == 0x7f) return false;
  return true;
}

// request-target: at least one visible byte (no space or control; its form is the upgrade's concern).
bool isTarget(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char ch : s)
    if (ch <= 0x20 || ch == 0x7f) return false;
  return true;
}

char lower(char ch) {
  return ch >= 'A' && ch <= 'Z' ? char(ch - 'A' + 'a') : ch;
}

bool equalsLower(std::string_view s, std::string_view lowerName) {
  if (s.size() != lowerName.size()) return false;
  for (size_t i = 0; i < s.size(); ++i)
    if (lower(s[i]) != lowerName[i]) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

// The slot a field name fills, or nullptr for a field the upgrade does not read.
std::optional<std::string>* slotFor(RequestHead& h, std::string_view name) {
  if (equalsLower(name, "upgrade")) return &h.upgrade;
  if (equalsLower(name, "connection")) return &h.connection;
  if (equalsLower(name, "sec-websocket-key")) return &h.key;
  if (equalsLower(name, "sec-websocket-version")) return &h.version;
  if (equalsLower(name, "origin")) return &h.origin;
  return nullptr;
}

// "HTTP/" DIGIT "." DIGIT
const char* parseVersion(std::string_view v, RequestHead& out) {
  bool ok = v.size() == 8 && v.substr(0, 5) == "HTTP/" && v[5] >= '0' && v[5] <= '9' && v[6] == '.' &&
            v[7] >= '0' && v[7] <= '9';
  if (!ok) return "malformed HTTP request: bad HTTP version";
  out.versionMajor = v[5] - '0';
  out.versionMinor = v[7] - '0';
  return nullptr;
}

// method SP request-target SP HTTP-version
const char* parseRequestLine(std::string_view line, RequestHead& out) {
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return "malformed HTTP request: bad request line";
  out.method = line.substr(0, sp1);
  out.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (!isToken(out.method)) return "malformed HTTP request: bad method";
  if (!isTarget(out.target)) return "malformed HTTP request: bad request target";
  return parseVersion(line.substr(sp2 + 1), out);
}

// field-name ":" OWS field-value OWS
const char* parseField(std::string_view line, RequestHead& out) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return "malformed HTTP request: header line without ':'";
  std::string_view name = line.substr(0, colon);
  std::string_view value = trim(line.substr(colon + 1));
  if (!isToken(name)) return "malformed HTTP request: bad header name";
  if (!isFieldValue(value)) return "malformed HTTP request: bad header value";
  std::optional<std::string>* slot = slotFor(out, name);
  if (!slot) return nullptr;
  if (*slot) {
    (*slot)->append(", ").append(value);
  } else {
    slot->emplace(value);
  }
  return nullptr;
}

}  // namespace

const char* parseRequestHead(std::string_view head, RequestHead& out) {
  out = RequestHead{};
  size_t at = 0;
  bool first = true;
  while (true) {
    size_t end = head.find("\r\n", at);
    if (end == std::string_view::npos) return "incomplete HTTP request head";
    std::string_view line = head.substr(at, end - at);
    at = end + 2;
    if (line.empty()) return first ? "malformed HTTP request: empty request line" : nullptr;
    if (line.find('\n') != std::string_view::npos || line.find('\r') != std::string_view::npos)
      return "malformed HTTP request: bare CR or LF";
    const char* bad = first ? parseRequestLine(line, out) : parseField(line, out);
    if (bad) return bad;
    first = false;
  }
}

bool hasToken(std::string_view value, std::string_view token) {
  size_t at = 0;
  while (at <= value.size()) {
    size_t comma = value.find(',', at);
    if (comma == std::string_view::npos) comma = value.size();
    std::string_view part = trim(value.substr(at, comma - at));
    if (part.size() == token.size()) {
      bool same = true;
      for (size_t i = 0; i < part.size() && same; ++i) same = lower(part[i]) == lower(token[i]);
      if (same) return true;
    }
    at = comma + 1;
  }
  return false;
}

}  // namespace fastport::ws
