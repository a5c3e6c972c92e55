// One image in, one JPEG thumbnail out, with libgd, in the calling process. Untrusted bytes
// only ever reach this inside `nerutalk-thumbnailer`, the rlimited child of
// common/thumbnail.cpp (RELIABILITY §2 E3–E8, E13, §6); bench/thumbnail_bench calls it directly
// to show what the child costs on top.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "image_probe.hpp"

namespace nt {

enum class CodecStatus {
  kOk,
  kCorrupt,     // not the announced format, truncated, or the decoder refused it
  kTooComplex,  // over the size caps or out of memory
};

struct CodecResult {
  CodecStatus status = CodecStatus::kCorrupt;
  std::string jpeg;
  int width = 0;
  int height = 0;
  const char* reason = "";  // why, when not kOk
};

// Checks the bytes again before any decoder sees them (sniffed type equals `type`, header
// dimensions inside the caps of image_probe.hpp, decoded pixels no larger than
// `memory_budget_bytes` when it is not 0, a JPEG or GIF stream that reaches its end), decodes
// with the format's own gdImageCreateFrom…Ptr (never libgd's auto-detection; GIF: first frame),
// scales so the longer side is at most `max_side` (never enlarging, at least 1 px), puts
// transparent pixels on white and encodes a fresh JPEG at `quality`, so no metadata of the
// input survives. Every libgd image and buffer is owned here. The child and the benchmark call it
// from one thread.
CodecResult encode_thumbnail(std::string_view image, SniffedType type, int max_side, int quality,
                             uint64_t memory_budget_bytes);

}  // namespace nt
