#include "ws_assertion.hpp"

#include <cstdlib>
#include <vector>

#include "crypto.hpp"

namespace nt {
namespace {

std::string derived_key(std::string_view secret) {
  return hmac_sha256(secret, "nerutalk ws gateway assertion v1");
}

}  // namespace

std::string make_ws_assertion(const WsIdentity& id, std::string_view secret) {
  const std::string body = "v1." + id.user_id + "." + id.session_id + "." + id.language + "." +
                           std::to_string(id.expires_at);
  return body + "." + base64url_encode(hmac_sha256(derived_key(secret), body));
}

std::optional<WsIdentity> verify_ws_assertion(std::string_view a, std::string_view secret,
                                              int64_t now) {
  if (a.size() > 512) return std::nullopt;
  const size_t last = a.rfind('.');
  if (last == std::string_view::npos) return std::nullopt;
  const std::string_view body = a.substr(0, last);
  const auto sig = base64url_decode(a.substr(last + 1));
  if (!sig || !constant_time_equal(*sig, hmac_sha256(derived_key(secret), body))) {
    return std::nullopt;
  }
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = body.find('.', start);
    parts.emplace_back(body.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.size() != 5 || parts[0] != "v1") return std::nullopt;
  WsIdentity id{parts[1], parts[2], parts[3], std::strtoll(parts[4].c_str(), nullptr, 10)};
  if (id.user_id.empty() || id.session_id.empty() || now > id.expires_at) return std::nullopt;
  return id;
}

}  // namespace nt
