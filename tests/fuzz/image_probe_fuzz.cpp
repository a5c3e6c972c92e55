// libFuzzer target for common/image_probe (RELIABILITY.md §6 harness 6): the sniffer and the
// header-dimension parsers on arbitrary bytes. They must never read past the data (ASan sees
// it: each prefix below gets a buffer of exactly its size), never allocate in proportion to a
// declared size (-malloc_limit_mb sees it), report dimensions only with kOk, and agree with
// the caps. Invariants are checked with check() (abort, recorded as a crash).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include "image_probe.hpp"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "image_probe invariant violated: %s\n", what);
    abort();
  }
}

using nt::ProbeResult;
using nt::SniffedType;

constexpr SniffedType kAllTypes[] = {
    SniffedType::kUnknown, SniffedType::kJpeg,  SniffedType::kPng,  SniffedType::kGif,
    SniffedType::kWebp,    SniffedType::kBmp,   SniffedType::kTiff, SniffedType::kIco,
    SniffedType::kHeif,    SniffedType::kPdf,   SniffedType::kMp4,  SniffedType::kQuickTime,
    SniffedType::kZip,     SniffedType::kOle2,  SniffedType::kMp3,  SniffedType::kWav,
    SniffedType::kOgg,     SniffedType::kScript};

bool starts(std::string_view d, std::string_view magic) {
  return d.size() >= magic.size() && d.substr(0, magic.size()) == magic;
}

// The largest side each header format can express.
uint32_t max_side(SniffedType t) {
  switch (t) {
    case SniffedType::kJpeg:
    case SniffedType::kGif:
      return 0xFFFF;
    case SniffedType::kWebp:
      return 1u << 24;  // VP8X: 24-bit size minus one
    default:
      return UINT32_MAX;
  }
}

struct Probe {
  ProbeResult result;
  uint32_t w, h;
};

Probe probe(std::string_view d, SniffedType t) {
  constexpr uint32_t kUnset = 0xDEADBEEF;
  Probe p{ProbeResult::kOk, kUnset, kUnset};
  p.result = nt::image_dimensions(d, t, &p.w, &p.h);
  if (p.result != ProbeResult::kOk) {
    check(p.w == kUnset && p.h == kUnset, "dimensions written without kOk");
  } else {
    check(p.w <= max_side(t) && p.h <= max_side(t), "dimension beyond what the format can say");
  }
  check((p.result == ProbeResult::kNotAnImage) == !nt::is_decodable_image(t),
        "kNotAnImage disagrees with is_decodable_image");
  return p;
}

void check_caps(uint32_t w, uint32_t h) {
  const bool allowed = nt::image_size_allowed(w, h);
  const bool within = w >= 1 && h >= 1 && w <= nt::kMaxImageSide && h <= nt::kMaxImageSide &&
                      uint64_t(w) * h <= nt::kMaxImagePixels;
  check(allowed == within, "image_size_allowed disagrees with the caps");
  // Shrinking an allowed image keeps it allowed.
  if (allowed && w > 1) check(nt::image_size_allowed(w - 1, h), "smaller width refused");
  if (allowed && h > 1) check(nt::image_size_allowed(w, h - 1), "smaller height refused");
}

void check_sniff(std::string_view d) {
  const nt::Sniffed s = nt::sniff(d);
  check(s.mime != nullptr && s.media_type != nullptr, "null mime or media type");
  const std::string_view media(s.media_type);
  check(media == "image" || media == "video" || media == "audio" || media == "file",
        "unknown media type");
  const std::string_view mime(s.mime);
  switch (s.type) {
    case SniffedType::kJpeg:
      check(starts(d, "\xFF\xD8\xFF") && mime == "image/jpeg", "jpeg");
      break;
    case SniffedType::kPng:
      check(starts(d, "\x89PNG\r\n\x1A\n") && mime == "image/png", "png");
      break;
    case SniffedType::kGif:
      check(starts(d, "GIF8") && mime == "image/gif", "gif");
      break;
    case SniffedType::kWebp:
      check(starts(d, "RIFF") && d.size() >= 12 && d.substr(8, 4) == "WEBP" && mime == "image/webp",
            "webp");
      break;
    case SniffedType::kUnknown:
      check(mime == "application/octet-stream", "unknown mime");
      break;
    default:
      check(!nt::is_decodable_image(s.type), "decodable type without its magic");
      break;
  }
  if (nt::is_decodable_image(s.type)) check(media == "image", "decodable image not an image");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view d(reinterpret_cast<const char*>(data), size);
  check_sniff(d);
  const int orientation = nt::jpeg_exif_orientation(d);
  check(orientation >= 1 && orientation <= 8, "EXIF orientation outside 1..8");

  // Every parser on every input, so each sees bytes its sniffer would not let through.
  for (const SniffedType t : kAllTypes) {
    const Probe full = probe(d, t);
    if (full.result == ProbeResult::kOk) check_caps(full.w, full.h);
    // A prefix reads the same header or runs out of bytes: kTruncated or the same answer.
    // Each prefix is a fresh heap buffer of exactly its length, so an over-read is an ASan
    // report and not a read of the bytes that follow in the fuzzer's input.
    for (const size_t cut : {size / 2, size > 0 ? size - 1 : 0}) {
      if (cut >= size) continue;
      std::unique_ptr<char[]> copy(new char[cut == 0 ? 1 : cut]);
      if (cut > 0) memcpy(copy.get(), data, cut);
      const Probe part = probe(std::string_view(copy.get(), cut), t);
      check(part.result == ProbeResult::kTruncated || part.result == full.result,
            "a prefix gave a different verdict");
      if (part.result == ProbeResult::kOk) {
        check(part.w == full.w && part.h == full.h, "a prefix gave different dimensions");
      }
    }
  }

  // The caps on arbitrary sizes, not only those a header can carry.
  if (size >= 8) {
    uint32_t w, h;
    memcpy(&w, data, 4);
    memcpy(&h, data + 4, 4);
    check_caps(w, h);
    check_caps(w % (nt::kMaxImageSide + 2), h % (nt::kMaxImageSide + 2));
  }
  return 0;
}
