#include "typing_state.hpp"

namespace nt {

bool TypingState::start(int64_t chat_id, int64_t now_ms) {
  const bool renewal = until_.count(chat_id) > 0;
  until_[chat_id] = now_ms + kTtlMs;
  return !renewal;
}

bool TypingState::stop(int64_t chat_id) { return until_.erase(chat_id) > 0; }

std::vector<int64_t> TypingState::expire(int64_t now_ms) {
  std::vector<int64_t> out;
  for (auto it = until_.begin(); it != until_.end();) {
    if (it->second <= now_ms) {
      out.push_back(it->first);
      it = until_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::vector<int64_t> TypingState::clear() {
  std::vector<int64_t> out;
  for (const auto& [chat, _] : until_) out.push_back(chat);
  until_.clear();
  return out;
}

}  // namespace nt
