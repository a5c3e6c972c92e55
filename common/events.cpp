#include "events.hpp"

#include "time_util.hpp"

namespace nt {

std::string key_ws_ticket(std::string_view t) { return "nerutalk:ws_ticket:" + std::string(t); }
std::string key_revoked_session(std::string_view s) {
  return "nerutalk:revoked_session:" + std::string(s);
}
std::string key_user_status(std::string_view u) { return "nerutalk:user_status:" + std::string(u); }
std::string key_presence(std::string_view u) { return "nerutalk:presence:" + std::string(u); }
std::string key_rate_limit(std::string_view scope, std::string_view subject) {
  return "nerutalk:rate_limit:" + std::string(subject) + ":" + std::string(scope);
}

std::string user_channel(std::string_view u) { return kChannelPrefixUser + std::string(u); }
std::string chat_channel(int64_t c) { return kChannelPrefixChat + std::to_string(c); }

std::string bus_message(std::string_view type, const Json& data) {
  Json m = Json::object();
  m.set("type", type).set("data", data);
  return m.dump();
}

std::string client_envelope(std::string_view type, const Json& data, std::string_view language) {
  Json m = Json::object();
  m.set("type", type)
      .set("data", data ? data : Json::object())
      .set("timestamp", format_rfc3339(now_ms()))
      .set("language", language);
  return m.dump();
}

}  // namespace nt
