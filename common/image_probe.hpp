// Knowing what an upload is from its bytes, before anything decodes it (DESIGN.md §4.4,
// RELIABILITY §2 E3/E4/E7 and §6): the content type is sniffed from magic bytes (the file
// name's extension is only a claim), and an image's width and height are read from its header
// so a hostile "30000 x 30000 in 1 KB" never reaches libgd. Pure functions, no allocation
// proportional to what a header declares; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nt {

enum class SniffedType {
  kUnknown,
  kJpeg, kPng, kGif, kWebp,  // the only images that may reach libgd
  kBmp, kTiff, kIco, kHeif,  // images we refuse (E7)
  kPdf, kMp4, kQuickTime, kZip, kOle2, kMp3, kWav, kOgg,
  kScript,                   // text starting like a script or HTML (E2)
};

struct Sniffed {
  SniffedType type = SniffedType::kUnknown;
  const char* mime = "application/octet-stream";
  const char* media_type = "file";  // image | video | audio | file
};

// What the bytes are. Never reads past `data`.
Sniffed sniff(std::string_view data);

// True for JPEG, PNG, GIF and WebP: the formats allowed to be decoded.
bool is_decodable_image(SniffedType t);

enum class ProbeResult { kOk, kTruncated, kCorrupt, kNotAnImage };

// Width and height from the header of a JPEG (first SOFn), PNG (IHDR), GIF (logical screen)
// or WebP (VP8, VP8L, VP8X) image.
ProbeResult image_dimensions(std::string_view data, SniffedType type, uint32_t* width,
                             uint32_t* height);

// The EXIF orientation (1–8, TIFF tag 0x0112 in IFD0 of a JPEG's APP1 "Exif" segment) that
// a camera stored instead of rotating the pixels; 1 (as stored) when absent or unreadable.
int jpeg_exif_orientation(std::string_view data);

// The caps of DESIGN.md §4.4: at most 8192 px a side and 40 megapixels, at least 1 px.
constexpr uint32_t kMaxImageSide = 8192;
constexpr uint64_t kMaxImagePixels = 40'000'000;
bool image_size_allowed(uint32_t width, uint32_t height);

}  // namespace nt
