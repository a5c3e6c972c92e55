// libFuzzer target for common/multipart (RELIABILITY.md §6 harness 4). The first input byte
// is the length of a Content-Type header value, the rest after it is the body. Invariants are
// checked with check() (abort, so the fuzzer records a crash); ASan and UBSan catch the rest.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "multipart.hpp"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "multipart invariant violated: %s\n", what);
    abort();
  }
}

// What must hold after one parse_multipart call, whatever the input.
void check_result(std::string_view body, std::string_view boundary, const nt::MultipartLimits& lim,
                  nt::MultipartError err, const std::vector<nt::MultipartPart>& parts) {
  if (boundary.empty()) check(err == nt::MultipartError::kNoBoundary, "empty boundary accepted");
  if (err != nt::MultipartError::kNone) {
    check(parts.empty(), "parts left behind on error");
    return;
  }
  check(parts.size() <= lim.max_parts, "more parts than max_parts");
  const std::string delim = "\r\n--" + std::string(boundary);
  const char* prev_end = body.data();
  size_t total = 0;
  for (const auto& p : parts) {
    // Each part is a view inside the body, after the previous one, and is closed by a
    // delimiter that it does not contain.
    check(p.data.data() >= prev_end, "part data before the previous part's end");
    check(p.data.data() + p.data.size() <= body.data() + body.size(), "part data past the body");
    check(body.substr(size_t(p.data.data() - body.data()) + p.data.size()).rfind(delim, 0) == 0,
          "part data not followed by the delimiter");
    check(p.data.find(delim) == std::string_view::npos, "delimiter inside part data");
    // Everything taken from a part's header block fits in the header cap.
    check(p.name.size() <= lim.max_header_bytes && p.filename.size() <= lim.max_header_bytes &&
              p.content_type.size() <= lim.max_header_bytes,
          "header value larger than the header cap");
    check(p.has_filename || p.filename.empty(), "filename without has_filename");
    prev_end = p.data.data() + p.data.size() + delim.size();
    total += p.data.size() + delim.size();
  }
  check(total <= body.size(), "parts add up to more than the body");
}

std::vector<nt::MultipartPart> parse(std::string_view body, std::string_view boundary,
                                     const nt::MultipartLimits& lim, nt::MultipartError* err) {
  std::vector<nt::MultipartPart> parts(1);  // must be cleared whatever happens
  *err = nt::parse_multipart(body, boundary, lim, &parts);
  check_result(body, boundary, lim, *err, parts);
  return parts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t ct_len = std::min<size_t>(data[0], size - 1);
  const std::string_view content_type = input.substr(1, ct_len);
  const std::string_view body = input.substr(1 + ct_len);

  const std::string boundary = nt::multipart_boundary(content_type);
  check(boundary.size() <= 70, "boundary longer than 70");
  check(boundary.size() <= content_type.size(), "boundary longer than its header");
  // Without a valid header the raw header bytes still make a boundary, so the parser sees
  // arbitrary (even binary) boundaries too.
  const std::string_view used = boundary.empty() ? content_type : std::string_view(boundary);

  const nt::MultipartLimits loose;  // the defaults the API uses
  const nt::MultipartLimits tight{3, 64};
  nt::MultipartError loose_err, tight_err;
  const auto loose_parts = parse(body, used, loose, &loose_err);
  const auto tight_parts = parse(body, used, tight, &tight_err);

  // Tighter limits can only turn a success into a limit error, never the other way round, and
  // never change what a successful parse returns.
  if (tight_err == nt::MultipartError::kNone) {
    check(loose_err == nt::MultipartError::kNone, "looser limits failed where tight ones passed");
    check(loose_parts.size() == tight_parts.size(), "limits changed the part count");
    for (size_t i = 0; i < loose_parts.size(); ++i) {
      check(loose_parts[i].data.data() == tight_parts[i].data.data() &&
                loose_parts[i].data.size() == tight_parts[i].data.size() &&
                loose_parts[i].name == tight_parts[i].name,
            "limits changed a part");
    }
  }
  return 0;
}
