// The gateway assertion: after the API has authenticated a WebSocket handshake (ticket or
// token, through nginx's auth_request), it returns a short-lived HMAC-signed statement of who
// the user is; nginx forwards it to the realtime daemon, which checks it with pure CPU work and
// so never blocks its event loop on Redis or Postgres during a handshake.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nt {

struct WsIdentity {
  std::string user_id;
  std::string session_id;
  std::string language;
  int64_t expires_at = 0;  // unix seconds; the assertion is only good for the handshake
};

// "v1.<user>.<session>.<lang>.<exp>.<sig>", signed with a key derived from JWT_SECRET_KEY.
std::string make_ws_assertion(const WsIdentity& id, std::string_view secret);

// The identity if the signature checks and `now` is before its expiry.
std::optional<WsIdentity> verify_ws_assertion(std::string_view assertion, std::string_view secret,
                                              int64_t now);

}  // namespace nt
