// Re-encoding images into JPEG thumbnails (and avatars) outside the calling process: the
// image bytes go to a short-lived `nerutalk-thumbnailer` child that limits its own address
// space (THUMBNAIL_MEMORY_MB) and CPU time, and the caller kills it at THUMBNAIL_TIMEOUT_MS
// wall time. A hostile image can at worst kill that child, never an API worker
// (RELIABILITY §2 E3–E8, §6 "decode in a sandboxed child with rlimits, re-encode every
// output"). Only JPEG, PNG, GIF (first frame) and WebP whose header dimensions passed the caps
// of image_probe.hpp may be passed. Output is a fresh JPEG: no EXIF or other metadata survives.
// Thread-safe (each call spawns its own child with posix_spawn).
#pragma once

#include <string>
#include <string_view>

#include "config.hpp"
#include "image_probe.hpp"

namespace nt {

enum class ThumbnailStatus {
  kOk,
  kCorrupt,     // the decoder rejected the bytes (400 invalid_image)
  kTooComplex,  // the child ran out of time or memory (422 image_too_complex)
  kFailed,      // the child could not be started or answered nonsense (500, logged)
};

struct ThumbnailResult {
  ThumbnailStatus status = ThumbnailStatus::kFailed;
  std::string jpeg;   // the encoded JPEG when kOk
  int width = 0;      // of the JPEG
  int height = 0;
  std::string error;  // for the log
};

struct ThumbnailLimits {
  std::string helper_path;  // the nerutalk-thumbnailer program
  int timeout_ms = 2000;    // wall clock, then SIGKILL
  int memory_mb = 512;      // RLIMIT_AS of the child (not applied in sanitizer builds)
  int quality = 82;         // JPEG quality
};

// Limits from the settings; the helper defaults to nerutalk-thumbnailer next to the running
// program (/proc/self/exe).
ThumbnailLimits thumbnail_limits(const Config& cfg);

// Scales the image so its longer side is at most `max_side` (never enlarges) and encodes it
// as JPEG.
ThumbnailResult make_jpeg_thumbnail(std::string_view image, SniffedType type, int max_side,
                                    const ThumbnailLimits& limits);

}  // namespace nt
