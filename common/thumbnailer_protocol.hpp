// What common/thumbnail.cpp (the caller) and fcgi/thumbnailer_main.cpp (the
// `nerutalk-thumbnailer` child) agree on: the command line, the exit statuses and the answer's
// framing. Kept in one header so the two sides cannot drift apart.
//
//   nerutalk-thumbnailer FORMAT MAX_SIDE QUALITY MEMORY_MB CPU_SECONDS INPUT_BYTES
//
// FORMAT is jpeg|png|gif|webp; the image (exactly INPUT_BYTES) arrives on stdin; on success
// stdout carries a 16-byte header ("NTT1", width, height, JPEG length; big-endian uint32) and
// then the JPEG. stderr is /dev/null.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "image_probe.hpp"

// Address-space limits cannot be applied under AddressSanitizer: its shadow memory reserves
// terabytes of address space up front.
#if defined(__SANITIZE_ADDRESS__)
#define NT_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NT_ADDRESS_SANITIZER 1
#endif
#endif

namespace nt::thumbnailer {

#ifdef NT_ADDRESS_SANITIZER
inline constexpr bool kMemoryLimitApplied = false;
#else
inline constexpr bool kMemoryLimitApplied = true;
#endif

// Exit statuses of the child. Anything else (another status, a signal) is not one of ours.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;       // bad command line or input length
inline constexpr int kExitCorrupt = 3;     // not the announced format, or the decoder refused it
inline constexpr int kExitTooComplex = 4;  // over the size caps or out of memory
inline constexpr int kExitIo = 5;          // reading stdin or writing stdout failed
inline constexpr int kExitLimits = 6;      // its own resource limits could not be applied

// Larger inputs are refused before a child is started (MAX_FILE_SIZE is normally far lower).
inline constexpr size_t kMaxInputBytes = size_t{128} << 20;

inline constexpr size_t kHeaderBytes = 16;
inline constexpr std::string_view kMagic = "NTT1";

// "jpeg", "png", "gif", "webp", or "" for a type that may not be decoded.
inline const char* format_name(SniffedType t) {
  switch (t) {
    case SniffedType::kJpeg:
      return "jpeg";
    case SniffedType::kPng:
      return "png";
    case SniffedType::kGif:
      return "gif";
    case SniffedType::kWebp:
      return "webp";
    default:
      return "";
  }
}

// The inverse of format_name; kUnknown for anything else.
inline SniffedType format_from_name(std::string_view name) {
  for (SniffedType t :
       {SniffedType::kJpeg, SniffedType::kPng, SniffedType::kGif, SniffedType::kWebp}) {
    if (name == format_name(t)) return t;
  }
  return SniffedType::kUnknown;
}

inline void put_be32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

inline uint32_t get_be32(std::string_view d, size_t i) {
  uint32_t v = 0;
  for (size_t k = 0; k < 4; ++k) v = (v << 8) | static_cast<uint8_t>(d[i + k]);
  return v;
}

inline std::string encode_header(uint32_t width, uint32_t height, uint32_t jpeg_bytes) {
  std::string h(kMagic);
  put_be32(&h, width);
  put_be32(&h, height);
  put_be32(&h, jpeg_bytes);
  return h;
}

// Reads the header at the start of `answer`; false when it is short or not ours.
inline bool decode_header(std::string_view answer, uint32_t* width, uint32_t* height,
                          uint32_t* jpeg_bytes) {
  if (answer.size() < kHeaderBytes || answer.substr(0, kMagic.size()) != kMagic) return false;
  *width = get_be32(answer, 4);
  *height = get_be32(answer, 8);
  *jpeg_bytes = get_be32(answer, 12);
  return true;
}

}  // namespace nt::thumbnailer
