#include "ws/upgrade_answer.h"

#include <algorithm>
#include <string>

#include "ws/http_request_head.h"
#include "ws/sha1.h"

namespace fastport::ws {
namespace {

constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455 1.3
constexpr std::string_view kSupportedVersions = "13, 8";  // 8 as the `ws` library also accepts it

std::string base64(const uint8_t* p, size_t n) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = uint32_t(p[i]) << 16;
    if (i + 1 < n) v |= uint32_t(p[i + 1]) << 8;
    if (i + 2 < n) v |= p[i + 2];
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < n ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back(i + 2 < n ? kAlphabet[v & 63] : '=');
  }
  return out;
}

// 22 base64 characters and "==": 16 bytes (RFC 6455 4.1).
bool isKey(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  return std::all_of(key.begin(), key.begin() + 22, [](char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '+' ||
           ch == '/';
  });
}

std::string_view statusText(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 426:
      return "Upgrade Required";
    default:
      return "Error";
  }
}

// A short plain-text error that closes the connection; extraField: "" or one "Name: value\r\n" line.
HeadAnswer refuse(int status, std::string_view text, std::string_view extraField = {}) {
  std::string body = std::string(text) + "\n";
  std::string r = "HTTP/1.1 " + std::to_string(status) + " " + std::string(statusText(status)) + "\r\n";
  r += "Content-Type: text/plain; charset=utf-8\r\n";
  r += extraField;
  r += "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return {HeadVerdict::kRefuse, std::move(r)};
}

std::string_view pathOf(std::string_view target) {
  return target.substr(0, target.find_first_of("?#"));
}

std::string orNone(const std::optional<std::string>& v) {
  return v ? *v : "(none)";
}

HeadAnswer answerUpgrade(const RequestHead& h, const UpgradeEndpoint& endpoint) {
  if (h.method != "GET") return refuse(405, "a WebSocket upgrade must be a GET");
  if (h.versionMajor < 1 || (h.versionMajor == 1 && h.versionMinor < 1))
    return refuse(400, "a WebSocket upgrade needs HTTP/1.1");
  if (!h.connection || !hasToken(*h.connection, "upgrade"))
    return refuse(400, "Connection must include Upgrade");
  if (!h.key || !isKey(*h.key)) return refuse(400, "Sec-WebSocket-Key must be 16 bytes in base64");
  if (h.version != "13" && h.version != "8") {
    return refuse(426, "Sec-WebSocket-Version " + orNone(h.version) + " is not supported",
                  "Sec-WebSocket-Version: " + std::string(kSupportedVersions) + "\r\n");
  }
  std::string_view path = pathOf(h.target);
  if (path != endpoint.path) return refuse(404, "no WebSocket endpoint at " + std::string(path));
  const auto& allowed = endpoint.origins;
  if (allowed && (!h.origin || std::find(allowed->begin(), allowed->end(), *h.origin) == allowed->end()))
    return refuse(403, "origin " + orNone(h.origin) + " is not allowed");
  std::string r = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
  r += "Sec-WebSocket-Accept: " + acceptKeyFor(*h.key) + "\r\n\r\n";
  return {HeadVerdict::kUpgrade, std::move(r)};
}

}  // namespace

std::string acceptKeyFor(std::string_view key) {
  std::string input = std::string(key) + std::string(kAcceptGuid);
  Sha1Digest digest = sha1(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  return base64(digest.data(), digest.size());
}

HeadAnswer answerRequestHead(std::string_view head, const UpgradeEndpoint& endpoint) {
  RequestHead h;
  if (const char* bad = parseRequestHead(head, h)) return refuse(400, bad);
  if (!h.upgrade) return {HeadVerdict::kToJs, {}};
  if (!hasToken(*h.upgrade, "websocket")) return refuse(400, "cannot upgrade to " + *h.upgrade);
  return answerUpgrade(h, endpoint);
}

}  // namespace fastport::ws
