// Which local users are in which chats, and the Redis subscriptions that follow from it:
// a daemon is subscribed to nerutalk:chat:{id} exactly while at least one of its connected
// users is a member of chat id (DESIGN.md §6). Event-loop thread only.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "redis_bus.hpp"

namespace nt::rt {

class ChatRouter {
 public:
  explicit ChatRouter(RedisBus& bus) : bus_(bus) {}

  // The user's chats became known (loaded when their first local connection arrived); chats
  // added or removed while that load ran are applied on top.
  void set_user_chats(const std::string& user_id, const std::vector<int64_t>& chat_ids);
  void add_member(int64_t chat_id, const std::string& user_id);
  void remove_member(int64_t chat_id, const std::string& user_id);
  // The user's last local connection closed: drop their memberships and subscriptions.
  void forget_user(const std::string& user_id);

  bool knows_user(const std::string& user_id) const { return chats_.count(user_id) > 0; }
  bool is_member(const std::string& user_id, int64_t chat_id) const;
  std::vector<std::string> local_members(int64_t chat_id) const;
  std::vector<int64_t> chats_of(const std::string& user_id) const;

 private:
  void add(int64_t chat_id, const std::string& user_id);
  void drop(int64_t chat_id, const std::string& user_id);

  RedisBus& bus_;
  std::unordered_map<int64_t, std::unordered_set<std::string>> members_;
  std::unordered_map<std::string, std::unordered_set<int64_t>> chats_;
  // Chats a user joined while their chats were still loading (the load may predate them).
  std::unordered_map<std::string, std::unordered_set<int64_t>> pending_;
};

}  // namespace nt::rt
