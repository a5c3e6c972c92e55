// The RFC 6455 pieces a WebSocket client needs, as pure functions with no I/O: the handshake key
// and its expected accept value, masked client frames, and parsing of (unmasked) server frames.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace nt::bench {

namespace ws_opcode {
constexpr uint8_t kContinuation = 0x0;
constexpr uint8_t kText = 0x1;
constexpr uint8_t kBinary = 0x2;
constexpr uint8_t kClose = 0x8;
constexpr uint8_t kPing = 0x9;
constexpr uint8_t kPong = 0xA;
}  // namespace ws_opcode

// Largest server frame accepted; the daemon caps messages at 64 KiB.
constexpr size_t kMaxServerFrameBytes = 1 << 20;

// A Sec-WebSocket-Key: base64 of 16 bytes derived from `seed`.
std::string ws_make_key(uint64_t seed);
// The Sec-WebSocket-Accept a server must answer to `key` (base64 of SHA-1 of key + GUID).
std::string ws_accept_for(std::string_view key);

// One complete client frame (FIN set), masked with `mask_key` as clients must.
std::string ws_client_frame(uint8_t opcode, std::string_view payload, uint32_t mask_key);

struct WsFrame {
  uint8_t opcode = 0;
  bool fin = false;
  std::string_view payload;  // points into the parsed buffer
};

enum class WsParse { kNeedMore, kFrame, kError };

// Parses the server frame at the start of `data`. On kFrame, `consumed` is its full length and
// `frame.payload` points into `data`; on kError, `error` says why (masked server frame, reserved
// bits, oversized frame, fragmented control frame).
WsParse ws_parse_server_frame(std::string_view data, WsFrame& frame, size_t& consumed,
                              std::string& error);

}  // namespace nt::bench
