// Events from Redis to the clients of this daemon (DESIGN.md §5, §6): user channels carry
// events for one user (revocations, new chats, mentions, notifications); chat channels carry
// chat events for every member connected here, typing only to connections that joined.
#include <cstring>

#include "events.hpp"
#include "message_service.hpp"
#include "server.hpp"

namespace nt::rt {
namespace {

int64_t int_of(const Json& data, const char* key) {
  json_t* v = json_object_get(data.get(), key);
  return v && json_is_integer(v) ? json_integer_value(v) : 0;
}

std::string str_of(const Json& data, const char* key) {
  json_t* v = json_object_get(data.get(), key);
  return v && json_is_string(v) ? json_string_value(v) : "";
}

}  // namespace

void Server::on_bus_message(const std::string& channel, std::string_view payload) {
  JsonParseError err;
  const Json msg = parse_json(payload, 64, true, &err);
  const Json type = msg.at("type");
  if (!type || !json_is_string(type.get())) return;
  const std::string t = json_string_value(type.get());
  Json data = msg.at("data");
  if (!data) data = Json::object();
  if (channel.rfind(kChannelPrefixUser, 0) == 0) {
    on_user_event(channel.substr(std::strlen(kChannelPrefixUser)), t, data);
  } else if (channel.rfind(kChannelPrefixChat, 0) == 0) {
    on_chat_event(std::strtoll(channel.c_str() + std::strlen(kChannelPrefixChat), nullptr, 10), t,
                  data);
  }
}

void Server::on_user_event(const std::string& user_id, const std::string& t, const Json& data) {
  if (t == ev::kSessionRevoked) {
    const Json ids = data.at("session_ids");
    for (Session* s : hub_.sessions_of(user_id)) {
      for (size_t i = 0; i < json_array_size(ids.get()); ++i) {
        const char* sid = json_string_value(json_array_get(ids.get(), i));
        if (sid && s->session_id == sid) hub_.close(s, close_code::kSessionRevoked, "session revoked");
      }
    }
    return;
  }
  // A chat this user just joined: route its events here from now on.
  if (t == "chat_created") router_.add_member(int_of(data, "id"), user_id);
  if (t == "participant_added") router_.add_member(int_of(data, "chat_id"), user_id);
  hub_.send_to_users({user_id}, t.c_str(), data);
}

void Server::on_chat_event(int64_t chat_id, const std::string& t, const Json& data) {
  std::vector<std::string> members = router_.local_members(chat_id);
  if (t == "typing_indicator") {
    const std::string typist = str_of(data, "user_id");
    std::vector<Session*> joined;
    for (const auto& m : members) {
      if (m == typist) continue;
      for (Session* s : hub_.sessions_of(m)) {
        if (s->joined.count(chat_id)) joined.push_back(s);
      }
    }
    hub_.send_to_sessions(joined, t.c_str(), data);
    return;
  }
  if (t == "participant_added") {
    // The new members hear it on their own channel; add them to routing here.
    const Json ids = data.at("user_ids");
    std::unordered_set<std::string> added;
    for (size_t i = 0; i < json_array_size(ids.get()); ++i) {
      if (const char* u = json_string_value(json_array_get(ids.get(), i))) {
        added.insert(u);
        if (hub_.has_user(u)) router_.add_member(chat_id, u);
      }
    }
    std::erase_if(members, [&](const std::string& m) { return added.count(m) > 0; });
    hub_.send_to_users(members, t.c_str(), data);
    return;
  }
  if (t == "user_status") {
    // A user sharing several chats with `who` hears each change once, not once per chat.
    const std::string who = str_of(data, "user_id");
    const std::string status = str_of(data, "status");
    for (const auto& m : members) {
      if (m == who) continue;
      for (Session* s : hub_.sessions_of(m)) {
        std::string& seen = s->seen_status[who];
        if (seen == status) continue;
        seen = status;
        hub_.send_event(s, t.c_str(), data);
      }
    }
    return;
  }
  hub_.send_to_users(members, t.c_str(), data);
  if (t == "participant_removed") {
    const std::string gone = str_of(data, "user_id");
    router_.remove_member(chat_id, gone);
    for (Session* s : hub_.sessions_of(gone)) {
      s->joined.erase(chat_id);
      if (s->typing.stop(chat_id)) announce_typing(s, chat_id, false);
    }
  } else if (t == "new_message") {
    // Forwarded to these members' connections: their delivery pointers move (batched).
    const std::string sender = str_of(data, "sender_id");
    const int64_t seq = int_of(data, "seq");
    for (const auto& m : members) {
      if (m != sender) note_delivered(chat_id, m, seq);
    }
  }
}

void Server::flush_deliveries() {
  if (deliveries_.empty()) return;
  std::vector<int64_t> chats, seqs;
  std::vector<std::string> users;
  for (const auto& [key, seq] : deliveries_) {
    chats.push_back(key.first);
    users.push_back(key.second);
    seqs.push_back(seq);
  }
  deliveries_.clear();
  workers_.submit([chats = std::move(chats), users = std::move(users), seqs = std::move(seqs)](
                      Deps& d) { record_deliveries(d, chats, users, seqs); });
}

void Server::on_resubscribed() {
  // Whatever was published while the subscriber was away is lost: clients must catch up.
  for (Session* s : hub_.all()) {
    hub_.send_event(s, ev::kResyncRequired, Json::object().set("reason", "bus_reconnected"));
    check_revoked(s);
  }
}

}  // namespace nt::rt
