#include "http.hpp"

#include "text.hpp"

namespace nt {

Response json_response(int status, const Json& body) {
  Response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

Response no_content() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  size_t start = 0;
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    const std::string_view pair = query.substr(start, amp - start);
    const size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    if (url_decode(key, true) == name) {
      return eq == std::string_view::npos ? std::string() : url_decode(pair.substr(eq + 1), true);
    }
    start = amp + 1;
  }
  return std::nullopt;
}

}  // namespace nt
