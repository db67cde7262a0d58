// SHA-1 (FIPS 180-4 section 6.1) for the Sec-WebSocket-Accept value of an upgrade (RFC 6455 4.2.2) and
// nothing else: SHA-1 is broken for anything that must resist collisions. Written here because the addon
// builds against Node-API headers only (no crypto library on every target); docs/websocket.md says why.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace fastport::ws {

using Sha1Digest = std::array<uint8_t, 20>;

// The digest of len bytes (any length below 2^61 bytes).
Sha1Digest sha1(const uint8_t* data, size_t len);

}  // namespace fastport::ws
