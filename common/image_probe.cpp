#include "image_probe.hpp"

#include <cstring>

namespace nt {
namespace {

bool starts(std::string_view d, std::string_view magic, size_t at = 0) {
  return d.size() >= at + magic.size() && d.compare(at, magic.size(), magic) == 0;
}

uint32_t be16(std::string_view d, size_t i) {
  return (uint32_t(uint8_t(d[i])) << 8) | uint8_t(d[i + 1]);
}
uint32_t be32(std::string_view d, size_t i) { return (be16(d, i) << 16) | be16(d, i + 2); }
uint32_t le16(std::string_view d, size_t i) {
  return uint32_t(uint8_t(d[i])) | (uint32_t(uint8_t(d[i + 1])) << 8);
}
uint32_t le24(std::string_view d, size_t i) { return le16(d, i) | (uint32_t(uint8_t(d[i + 2])) << 16); }

Sniffed make(SniffedType t, const char* mime, const char* media) { return {t, mime, media}; }

// Text that a browser or shell would treat as active content, after optional BOM/whitespace.
bool looks_like_script(std::string_view d) {
  size_t i = starts(d, "\xEF\xBB\xBF") ? 3 : 0;
  while (i < d.size() && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n')) ++i;
  std::string head(d.substr(i, 16));
  for (char& c : head) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  for (const char* m : {"#!", "<?php", "<script", "<html", "<!doctype", "<svg", "<?xml", "<body"}) {
    if (head.rfind(m, 0) == 0) return true;
  }
  return false;
}

ProbeResult png_size(std::string_view d, uint32_t* w, uint32_t* h) {
  // Signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4).
  if (d.size() < 24) return ProbeResult::kTruncated;
  if (!starts(d, "IHDR", 12) || be32(d, 8) != 13) return ProbeResult::kCorrupt;
  *w = be32(d, 16);
  *h = be32(d, 20);
  return ProbeResult::kOk;
}

ProbeResult gif_size(std::string_view d, uint32_t* w, uint32_t* h) {
  if (d.size() < 10) return ProbeResult::kTruncated;
  *w = le16(d, 6);
  *h = le16(d, 8);
  return ProbeResult::kOk;
}

// Walks JPEG markers up to the first start-of-frame; each segment's length is bounded by the
// data, so a lying length ends the walk instead of reading past it.
ProbeResult jpeg_size(std::string_view d, uint32_t* w, uint32_t* h) {
  size_t i = 2;
  while (true) {
    while (i < d.size() && uint8_t(d[i]) == 0xFF) ++i;  // fill bytes
    if (i >= d.size()) return ProbeResult::kTruncated;
    const uint8_t marker = uint8_t(d[i++]);
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) continue;
    if (marker == 0xD9 || marker == 0xDA) return ProbeResult::kCorrupt;  // no frame header
    if (i + 2 > d.size()) return ProbeResult::kTruncated;
    const uint32_t len = be16(d, i);
    if (len < 2) return ProbeResult::kCorrupt;
    const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 &&
                     marker != 0xCC;
    if (sof) {
      if (len < 7) return ProbeResult::kCorrupt;
      if (i + 7 > d.size()) return ProbeResult::kTruncated;
      *h = be16(d, i + 3);
      *w = be16(d, i + 5);
      return ProbeResult::kOk;
    }
    i += len;
    if (i > d.size()) return ProbeResult::kTruncated;
  }
}

ProbeResult webp_size(std::string_view d, uint32_t* w, uint32_t* h) {
  if (d.size() < 30) return ProbeResult::kTruncated;
  if (starts(d, "VP8 ", 12)) {
    // Lossy: frame tag (3) then start code 9D 01 2A, then 14-bit width and height.
    if (!starts(d, "\x9D\x01\x2A", 23)) return ProbeResult::kCorrupt;
    *w = le16(d, 26) & 0x3FFF;
    *h = le16(d, 28) & 0x3FFF;
    return ProbeResult::kOk;
  }
  if (starts(d, "VP8L", 12)) {
    if (uint8_t(d[20]) != 0x2F) return ProbeResult::kCorrupt;
    const uint32_t bits = le16(d, 21) | (le16(d, 23) << 16);
    *w = (bits & 0x3FFF) + 1;
    *h = ((bits >> 14) & 0x3FFF) + 1;
    return ProbeResult::kOk;
  }
  if (starts(d, "VP8X", 12)) {
    *w = le24(d, 24) + 1;
    *h = le24(d, 27) + 1;
    return ProbeResult::kOk;
  }
  return ProbeResult::kCorrupt;
}

}  // namespace

Sniffed sniff(std::string_view d) {
  if (starts(d, "\xFF\xD8\xFF")) return make(SniffedType::kJpeg, "image/jpeg", "image");
  if (starts(d, "\x89PNG\r\n\x1A\n")) return make(SniffedType::kPng, "image/png", "image");
  if (starts(d, "GIF87a") || starts(d, "GIF89a")) return make(SniffedType::kGif, "image/gif", "image");
  if (starts(d, "RIFF") && starts(d, "WEBP", 8)) return make(SniffedType::kWebp, "image/webp", "image");
  if (starts(d, "RIFF") && starts(d, "WAVE", 8)) return make(SniffedType::kWav, "audio/wav", "audio");
  if (starts(d, "BM")) return make(SniffedType::kBmp, "image/bmp", "image");
  if (starts(d, std::string_view("II*\0", 4)) || starts(d, std::string_view("MM\0*", 4))) {
    return make(SniffedType::kTiff, "image/tiff", "image");
  }
  if (starts(d, std::string_view("\0\0\1\0", 4))) return make(SniffedType::kIco, "image/x-icon", "image");
  if (starts(d, "ftyp", 4)) {
    const std::string_view brand = d.size() >= 12 ? d.substr(8, 4) : std::string_view();
    if (brand == "heic" || brand == "heix" || brand == "mif1" || brand == "msf1" ||
        brand == "avif" || brand == "avis") {
      return make(SniffedType::kHeif, "image/heif", "image");
    }
    if (brand == "qt  ") return make(SniffedType::kQuickTime, "video/quicktime", "video");
    return make(SniffedType::kMp4, "video/mp4", "video");
  }
  if (starts(d, "%PDF-")) return make(SniffedType::kPdf, "application/pdf", "file");
  if (starts(d, "PK\x03\x04")) return make(SniffedType::kZip, "application/zip", "file");
  if (starts(d, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
    return make(SniffedType::kOle2, "application/msword", "file");
  }
  if (starts(d, "ID3") || starts(d, "\xFF\xFB")) return make(SniffedType::kMp3, "audio/mpeg", "audio");
  if (starts(d, "OggS")) return make(SniffedType::kOgg, "audio/ogg", "audio");
  if (looks_like_script(d)) return make(SniffedType::kScript, "text/plain", "file");
  return {};
}

bool is_decodable_image(SniffedType t) {
  return t == SniffedType::kJpeg || t == SniffedType::kPng || t == SniffedType::kGif ||
         t == SniffedType::kWebp;
}

ProbeResult image_dimensions(std::string_view d, SniffedType type, uint32_t* w, uint32_t* h) {
  switch (type) {
    case SniffedType::kPng: return png_size(d, w, h);
    case SniffedType::kGif: return gif_size(d, w, h);
    case SniffedType::kJpeg: return jpeg_size(d, w, h);
    case SniffedType::kWebp: return webp_size(d, w, h);
    default: return ProbeResult::kNotAnImage;
  }
}

bool image_size_allowed(uint32_t w, uint32_t h) {
  return w >= 1 && h >= 1 && w <= kMaxImageSide && h <= kMaxImageSide &&
         uint64_t(w) * h <= kMaxImagePixels;
}

int jpeg_exif_orientation(std::string_view d) {
  if (!starts(d, "\xFF\xD8")) return 1;
  size_t i = 2;
  // Segments before the scan; APP1 normally comes first.
  while (i + 4 <= d.size() && uint8_t(d[i]) == 0xFF) {
    const uint8_t marker = uint8_t(d[i + 1]);
    if (marker == 0xDA || marker == 0xD9) return 1;
    const size_t len = be16(d, i + 2);
    if (len < 2 || i + 2 + len > d.size()) return 1;
    const std::string_view seg = d.substr(i + 4, len - 2);
    i += 2 + len;
    if (marker != 0xE1 || !starts(seg, std::string_view("Exif\0\0", 6))) continue;
    const std::string_view tiff = seg.substr(6);
    if (tiff.size() < 8) return 1;
    const bool le = starts(tiff, "II");
    if (!le && !starts(tiff, "MM")) return 1;
    const auto u16 = [&](size_t at) { return le ? le16(tiff, at) : be16(tiff, at); };
    const auto u32 = [&](size_t at) {
      return le ? (le16(tiff, at) | (le16(tiff, at + 2) << 16)) : be32(tiff, at);
    };
    if (u16(2) != 42) return 1;
    const size_t ifd = u32(4);
    if (ifd > tiff.size() || tiff.size() - ifd < 2) return 1;
    const size_t entries = u16(ifd);
    for (size_t e = 0; e < entries; ++e) {
      const size_t at = ifd + 2 + e * 12;
      if (at + 12 > tiff.size()) return 1;
      if (u16(at) == 0x0112 && u16(at + 2) == 3) {  // Orientation, SHORT
        const uint32_t v = u16(at + 8);
        return v >= 1 && v <= 8 ? static_cast<int>(v) : 1;
      }
    }
    return 1;
  }
  return 1;
}

}  // namespace nt
