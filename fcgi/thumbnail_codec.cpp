#include "thumbnail_codec.hpp"

#include <gd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>

#include "c_ptr.hpp"

namespace nt {
namespace {

using GdImage = CPtr<gdImage, gdImageDestroy>;
using GdBytes = CPtr<void, gdFree>;

constexpr size_t kNone = std::string_view::npos;

uint8_t byte_at(std::string_view d, size_t i) {
  return static_cast<uint8_t>(d[i]);
}

// libgd turns a truncated JPEG into a picture with a grey bottom (libjpeg only warns about the
// missing end), so the stream is walked first: segments are skipped by their length, scan
// data up to the next real marker (not a stuffed 0xFF00 or a restart marker), and bytes
// between segments are skipped as libjpeg does. Complete means an end-of-image marker.
bool jpeg_complete(std::string_view d) {
  size_t i = 2;  // after SOI
  while (i < d.size()) {
    const void* ff = std::memchr(d.data() + i, 0xFF, d.size() - i);
    if (ff == nullptr) return false;
    i = static_cast<size_t>(static_cast<const char*>(ff) - d.data());
    while (i < d.size() && byte_at(d, i) == 0xFF) ++i;  // fill bytes
    if (i >= d.size()) return false;
    const uint8_t marker = byte_at(d, i++);
    if (marker == 0xD9) return true;
    // Stuffed byte, TEM, RSTn, SOI: no length follows.
    if (marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) continue;
    if (i + 2 > d.size()) return false;
    const size_t len = (size_t{byte_at(d, i)} << 8) | byte_at(d, i + 1);
    if (len < 2) return false;
    i += len;  // after SOS the scan data follows and the search above walks through it
  }
  return false;
}

// GIF data sub-blocks from `i`: the index after their zero terminator, or kNone.
size_t skip_sub_blocks(std::string_view d, size_t i) {
  while (i < d.size()) {
    const size_t n = byte_at(d, i++);
    if (n == 0) return i;
    i += n;
  }
  return kNone;
}

size_t color_table_bytes(uint8_t flags) {
  return (flags & 0x80) ? size_t{3} << ((flags & 7) + 1) : 0;
}

// libgd returns whatever part of a truncated GIF it read, so the stream is walked up to the
// end of the first image's data (the only frame libgd decodes). Unknown bytes between blocks
// are skipped, as libgd does.
bool gif_complete(std::string_view d) {
  if (d.size() < 13) return false;
  size_t i = 13 + color_table_bytes(byte_at(d, 10));
  while (i < d.size()) {
    const uint8_t block = byte_at(d, i++);
    if (block == 0x3B) return false;  // trailer before any image
    if (block == 0x21) {              // extension: label, then sub-blocks
      i = skip_sub_blocks(d, i + 1);
      if (i == kNone) return false;
    } else if (block == 0x2C) {  // image descriptor, local colour table, LZW code size, data
      if (i + 9 > d.size()) return false;
      i += 9 + color_table_bytes(byte_at(d, i + 8));
      return i < d.size() && skip_sub_blocks(d, i + 1) != kNone;
    }
  }
  return false;
}

bool stream_complete(std::string_view d, SniffedType type) {
  if (type == SniffedType::kJpeg) return jpeg_complete(d);
  if (type == SniffedType::kGif) return gif_complete(d);
  return true;  // libgd's PNG and WebP readers fail on truncated data themselves
}

GdImage decode(std::string_view d, SniffedType type) {
  const int size = static_cast<int>(d.size());
  void* data = const_cast<char*>(d.data());  // libgd's ...Ptr readers only read
  switch (type) {
    case SniffedType::kJpeg:
      return GdImage(gdImageCreateFromJpegPtr(size, data));
    case SniffedType::kPng:
      return GdImage(gdImageCreateFromPngPtr(size, data));
    case SniffedType::kGif:
      return GdImage(gdImageCreateFromGifPtr(size, data));
    case SniffedType::kWebp:
      return GdImage(gdImageCreateFromWebpPtr(size, data));
    default:
      return nullptr;
  }
}

// The longer side becomes `max_side` unless it already fits; rounded, at least 1 px.
void scaled_size(int w, int h, int max_side, int* out_w, int* out_h) {
  *out_w = w;
  *out_h = h;
  if (w <= max_side && h <= max_side) return;
  const int64_t longer = std::max(w, h);
  const auto scale = [&](int64_t side) {
    return static_cast<int>(std::max<int64_t>(1, (side * max_side + longer / 2) / longer));
  };
  *out_w = scale(w);
  *out_h = scale(h);
}

// Turns the (already scaled) image upright for an EXIF orientation: cameras store the pixels
// as the sensor saw them and the tag says how to show them; the tag itself is not copied into
// the thumbnail, so the pixels must be turned here. libgd rotates counter-clockwise.
GdImage upright(GdImage im, int orientation) {
  const auto rotated = [](const GdImage& src, float ccw_degrees) {
    return GdImage(gdImageRotateInterpolated(src.get(), ccw_degrees, gdTrueColor(255, 255, 255)));
  };
  switch (orientation) {
    case 2: gdImageFlipHorizontal(im.get()); return im;
    case 3: gdImageFlipBoth(im.get()); return im;
    case 4: gdImageFlipVertical(im.get()); return im;
    case 5: {  // transpose: 90° clockwise, then mirrored
      GdImage r = rotated(im, 270);
      if (r) gdImageFlipHorizontal(r.get());
      return r;
    }
    case 6: return rotated(im, 270);  // 90° clockwise
    case 7: {  // transverse: 90° clockwise, then flipped vertically
      GdImage r = rotated(im, 270);
      if (r) gdImageFlipVertical(r.get());
      return r;
    }
    case 8: return rotated(im, 90);  // 90° counter-clockwise
    default: return im;
  }
}

CodecResult fail(CodecStatus status, const char* reason) {
  CodecResult r;
  r.status = status;
  r.reason = reason;
  return r;
}

}  // namespace

CodecResult encode_thumbnail(std::string_view image, SniffedType type, int max_side, int quality,
                             uint64_t memory_budget_bytes) {
  if (image.size() > size_t{INT_MAX}) return fail(CodecStatus::kTooComplex, "input too large");
  if (!is_decodable_image(type) || sniff(image).type != type) {
    return fail(CodecStatus::kCorrupt, "not the announced format");
  }
  uint32_t w = 0;
  uint32_t h = 0;
  if (image_dimensions(image, type, &w, &h) != ProbeResult::kOk) {
    return fail(CodecStatus::kCorrupt, "unreadable header");
  }
  if (!image_size_allowed(w, h)) return fail(CodecStatus::kTooComplex, "over the size caps");
  if (memory_budget_bytes != 0 && uint64_t{w} * h * 4 > memory_budget_bytes) {
    return fail(CodecStatus::kTooComplex, "decoded pixels exceed the memory budget");
  }
  if (!stream_complete(image, type)) return fail(CodecStatus::kCorrupt, "truncated");

  errno = 0;
  const GdImage src = decode(image, type);
  if (!src) {
    // Under RLIMIT_AS an allocation inside the decoder fails with ENOMEM and the decoder gives
    // up exactly as it does for bad data; only errno tells the two apart.
    return errno == ENOMEM ? fail(CodecStatus::kTooComplex, "out of memory while decoding")
                           : fail(CodecStatus::kCorrupt, "rejected by the decoder");
  }
  const int sw = gdImageSX(src.get());
  const int sh = gdImageSY(src.get());
  if (sw < 1 || sh < 1 || !image_size_allowed(uint32_t(sw), uint32_t(sh))) {
    return fail(CodecStatus::kTooComplex, "decoded size over the caps");
  }

  CodecResult r;
  scaled_size(sw, sh, max_side, &r.width, &r.height);
  GdImage dst(gdImageCreateTrueColor(r.width, r.height));
  if (!dst) return fail(CodecStatus::kTooComplex, "out of memory for the thumbnail");
  // Transparent pixels (PNG and WebP alpha, a GIF's transparent index) are blended onto white:
  // JPEG has no alpha, and black would be libgd's default.
  gdImageFilledRectangle(dst.get(), 0, 0, r.width - 1, r.height - 1, gdTrueColor(255, 255, 255));
  gdImageAlphaBlending(dst.get(), 1);
  gdImageCopyResampled(dst.get(), src.get(), 0, 0, 0, 0, r.width, r.height, sw, sh);
  if (type == SniffedType::kJpeg) {
    dst = upright(std::move(dst), jpeg_exif_orientation(image));
    if (!dst) return fail(CodecStatus::kTooComplex, "out of memory while rotating");
    r.width = gdImageSX(dst.get());
    r.height = gdImageSY(dst.get());
  }

  int size = 0;
  const GdBytes jpeg(gdImageJpegPtr(dst.get(), &size, quality));
  if (!jpeg || size <= 0) return fail(CodecStatus::kTooComplex, "JPEG encoding failed");
  r.jpeg.assign(static_cast<const char*>(jpeg.get()), static_cast<size_t>(size));
  r.status = CodecStatus::kOk;
  return r;
}

}  // namespace nt
