// multipart/form-data (RFC 7578) parsing for uploads, bounded (RELIABILITY §2 E10): a cap on
// parts and on each part's header block, the delimiter only where RFC 2046 puts it (CRLF
// "--" boundary), parts returned as views into the body (no copies). Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nt {

struct MultipartPart {
  std::string name;          // form field name (Content-Disposition name=)
  std::string filename;      // as the client sent it; only ever display metadata
  bool has_filename = false;
  std::string content_type;  // the client's claim; the bytes decide (image_probe.hpp)
  std::string_view data;     // into the body passed to parse_multipart
};

enum class MultipartError { kNone, kNoBoundary, kMalformed, kTooManyParts, kHeaderTooLarge };

struct MultipartLimits {
  size_t max_parts = 16;
  size_t max_header_bytes = 4096;  // per part
};

// The boundary parameter of a multipart/form-data Content-Type ("" when absent or invalid:
// 1–70 characters, RFC 2046).
std::string multipart_boundary(std::string_view content_type);

// Splits `body` into parts. On error `parts` is left empty.
MultipartError parse_multipart(std::string_view body, std::string_view boundary,
                               const MultipartLimits& limits, std::vector<MultipartPart>* parts);

}  // namespace nt
