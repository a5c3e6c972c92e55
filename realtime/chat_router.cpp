#include "chat_router.hpp"

#include "events.hpp"

namespace nt::rt {

void ChatRouter::add(int64_t chat_id, const std::string& user_id) {
  auto& members = members_[chat_id];
  if (members.insert(user_id).second && members.size() == 1) bus_.subscribe(chat_channel(chat_id));
  chats_[user_id].insert(chat_id);
}

void ChatRouter::drop(int64_t chat_id, const std::string& user_id) {
  auto it = members_.find(chat_id);
  if (it == members_.end()) return;
  it->second.erase(user_id);
  if (it->second.empty()) {
    members_.erase(it);
    bus_.unsubscribe(chat_channel(chat_id));
  }
}

void ChatRouter::set_user_chats(const std::string& user_id, const std::vector<int64_t>& chat_ids) {
  chats_[user_id];  // known, even with no chats
  for (int64_t c : chat_ids) add(c, user_id);
  auto p = pending_.find(user_id);
  if (p != pending_.end()) {
    for (int64_t c : p->second) add(c, user_id);
    pending_.erase(p);
  }
}

void ChatRouter::add_member(int64_t chat_id, const std::string& user_id) {
  if (knows_user(user_id)) {
    add(chat_id, user_id);
  } else {
    pending_[user_id].insert(chat_id);
  }
}

void ChatRouter::remove_member(int64_t chat_id, const std::string& user_id) {
  auto p = pending_.find(user_id);
  if (p != pending_.end()) p->second.erase(chat_id);
  auto it = chats_.find(user_id);
  if (it == chats_.end()) return;
  it->second.erase(chat_id);
  drop(chat_id, user_id);
}

void ChatRouter::forget_user(const std::string& user_id) {
  pending_.erase(user_id);
  auto it = chats_.find(user_id);
  if (it == chats_.end()) return;
  for (int64_t c : it->second) drop(c, user_id);
  chats_.erase(it);
}

bool ChatRouter::is_member(const std::string& user_id, int64_t chat_id) const {
  auto it = chats_.find(user_id);
  return it != chats_.end() && it->second.count(chat_id) > 0;
}

std::vector<std::string> ChatRouter::local_members(int64_t chat_id) const {
  auto it = members_.find(chat_id);
  if (it == members_.end()) return {};
  return std::vector<std::string>(it->second.begin(), it->second.end());
}

std::vector<int64_t> ChatRouter::chats_of(const std::string& user_id) const {
  auto it = chats_.find(user_id);
  if (it == chats_.end()) return {};
  return std::vector<int64_t>(it->second.begin(), it->second.end());
}

}  // namespace nt::rt
