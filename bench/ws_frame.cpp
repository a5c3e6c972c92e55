#include "ws_frame.hpp"

#include <openssl/evp.h>

namespace nt::bench {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string base64(const unsigned char* data, size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<size_t>(n));
  return out;
}

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

std::string ws_make_key(uint64_t seed) {
  unsigned char raw[16];
  for (int half = 0; half < 2; ++half) {
    const uint64_t v = splitmix64(seed);
    for (int i = 0; i < 8; ++i) raw[half * 8 + i] = static_cast<unsigned char>(v >> (8 * i));
  }
  return base64(raw, sizeof raw);
}

std::string ws_accept_for(std::string_view key) {
  std::string text(key);
  text += kGuid;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha1(), nullptr);
  return base64(digest, length);
}

std::string ws_client_frame(uint8_t opcode, std::string_view payload, uint32_t mask_key) {
  std::string f;
  f.reserve(payload.size() + 14);
  f += static_cast<char>(0x80 | (opcode & 0x0F));
  if (payload.size() < 126) {
    f += static_cast<char>(0x80 | payload.size());
  } else if (payload.size() <= 0xFFFF) {
    f += static_cast<char>(0x80 | 126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xFF);
  } else {
    f += static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i)
      f += static_cast<char>((uint64_t{payload.size()} >> (8 * i)) & 0xFF);
  }
  const char mask[4] = {static_cast<char>(mask_key >> 24), static_cast<char>(mask_key >> 16),
                        static_cast<char>(mask_key >> 8), static_cast<char>(mask_key)};
  f.append(mask, 4);
  for (size_t i = 0; i < payload.size(); ++i) f += static_cast<char>(payload[i] ^ mask[i % 4]);
  return f;
}

WsParse ws_parse_server_frame(std::string_view data, WsFrame& frame, size_t& consumed,
                              std::string& error) {
  if (data.size() < 2) return WsParse::kNeedMore;
  const auto b0 = static_cast<uint8_t>(data[0]);
  const auto b1 = static_cast<uint8_t>(data[1]);
  if (b0 & 0x70) {
    error = "reserved bits set in a server frame";
    return WsParse::kError;
  }
  if (b1 & 0x80) {
    error = "masked server frame";
    return WsParse::kError;
  }
  frame.fin = (b0 & 0x80) != 0;
  frame.opcode = b0 & 0x0F;
  uint64_t length = b1 & 0x7F;
  size_t header = 2;
  if (length == 126) {
    if (data.size() < 4) return WsParse::kNeedMore;
    length = (uint64_t{static_cast<uint8_t>(data[2])} << 8) | static_cast<uint8_t>(data[3]);
    header = 4;
  } else if (length == 127) {
    if (data.size() < 10) return WsParse::kNeedMore;
    length = 0;
    for (size_t i = 2; i < 10; ++i) length = (length << 8) | static_cast<uint8_t>(data[i]);
    header = 10;
  }
  if (length > kMaxServerFrameBytes) {
    error = "server frame larger than 1 MiB";
    return WsParse::kError;
  }
  if ((frame.opcode & 0x08) && (!frame.fin || length > 125)) {
    error = "fragmented or oversized control frame";
    return WsParse::kError;
  }
  if (data.size() < header + length) return WsParse::kNeedMore;
  frame.payload = data.substr(header, static_cast<size_t>(length));
  consumed = header + static_cast<size_t>(length);
  return WsParse::kFrame;
}

}  // namespace nt::bench
