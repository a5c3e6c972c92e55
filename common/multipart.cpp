#include "multipart.hpp"
#include "text.hpp"

#include <cctype>

namespace nt {
namespace {

// The value of parameter `name` in a header value like `form-data; name="file"; filename=x`.
bool header_param(std::string_view value, std::string_view name, std::string* out) {
  size_t i = value.find(';');
  while (i != std::string_view::npos) {
    std::string_view rest = trim(value.substr(i + 1));
    const size_t eq = rest.find('=');
    const size_t semi = rest.find(';');
    if (eq != std::string_view::npos && (semi == std::string_view::npos || eq < semi)) {
      if (ascii_lower(trim(rest.substr(0, eq))) == name) {
        std::string_view v = trim(rest.substr(eq + 1));
        std::string result;
        if (!v.empty() && v.front() == '"') {
          for (size_t k = 1; k < v.size() && v[k] != '"'; ++k) {
            if (v[k] == '\\' && k + 1 < v.size()) ++k;
            result += v[k];
          }
        } else {
          result = std::string(trim(v.substr(0, v.find(';'))));
        }
        *out = result;
        return true;
      }
    }
    const size_t next = value.find(';', i + 1);
    i = next;
  }
  return false;
}

// Parses one part's header block into `part`; false when malformed.
bool parse_headers(std::string_view block, MultipartPart* part) {
  bool disposition = false;
  while (!block.empty()) {
    const size_t eol = block.find("\r\n");
    const std::string_view line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view() : block.substr(eol + 2);
    if (line.empty()) continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    const std::string key = ascii_lower(trim(line.substr(0, colon)));
    const std::string_view value = trim(line.substr(colon + 1));
    if (key == "content-disposition") {
      if (disposition) return false;  // a second one: which name and filename would be ambiguous
      if (ascii_lower(value.substr(0, value.find(';'))) != "form-data") return false;
      if (!header_param(value, "name", &part->name)) return false;
      part->has_filename = header_param(value, "filename", &part->filename);
      disposition = true;
    } else if (key == "content-type") {
      part->content_type = std::string(value);
    }
  }
  return disposition;
}

}  // namespace

std::string multipart_boundary(std::string_view ct) {
  const std::string type = ascii_lower(trim(ct.substr(0, ct.find(';'))));
  if (type != "multipart/form-data") return "";
  std::string b;
  if (!header_param(ct, "boundary", &b) || b.empty() || b.size() > 70) return "";
  return b;
}

MultipartError parse_multipart(std::string_view body, std::string_view boundary,
                               const MultipartLimits& limits, std::vector<MultipartPart>* parts) {
  parts->clear();
  if (boundary.empty()) return MultipartError::kNoBoundary;
  const std::string dash = "--" + std::string(boundary);
  const std::string delim = "\r\n" + dash;
  // The first delimiter may open the body (preamble otherwise, which is ignored).
  size_t pos = body.rfind(dash, 0) == 0 ? 0 : body.find(delim);
  if (pos == std::string_view::npos) return MultipartError::kMalformed;
  pos += pos == 0 && body.rfind(dash, 0) == 0 ? dash.size() : delim.size();
  std::vector<MultipartPart> out;
  while (true) {
    // After a delimiter: "--" closes the body, else CRLF starts a part.
    if (body.substr(pos, 2) == "--") break;
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;  // LWSP
    if (body.substr(pos, 2) != "\r\n") return MultipartError::kMalformed;
    pos += 2;
    if (out.size() >= limits.max_parts) return MultipartError::kTooManyParts;
    const size_t header_end = body.find("\r\n\r\n", pos);
    const size_t header_len = header_end == std::string_view::npos ? body.size() - pos : header_end - pos;
    if (header_len > limits.max_header_bytes) return MultipartError::kHeaderTooLarge;
    if (header_end == std::string_view::npos) return MultipartError::kMalformed;
    MultipartPart part;
    if (!parse_headers(body.substr(pos, header_len + 2), &part)) return MultipartError::kMalformed;
    const size_t data_start = header_end + 4;
    const size_t next = body.find(delim, data_start);
    if (next == std::string_view::npos) return MultipartError::kMalformed;  // never closed
    part.data = body.substr(data_start, next - data_start);
    out.push_back(std::move(part));
    pos = next + delim.size();
  }
  *parts = std::move(out);
  return MultipartError::kNone;
}

}  // namespace nt
