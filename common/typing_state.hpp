// Typing indicators of one connection (DESIGN.md §5): an indicator lasts 10 s unless renewed.
// Pure state, no I/O: the realtime daemon asks it what to announce.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace nt {

class TypingState {
 public:
  static constexpr int64_t kTtlMs = 10000;

  // Typing in `chat_id` at `now_ms`; true when the chat must hear "typing" (not a renewal).
  bool start(int64_t chat_id, int64_t now_ms);
  // Stopped typing; true when the chat must hear "stopped" (it was typing).
  bool stop(int64_t chat_id);
  // Chats whose indicator expired by `now_ms`; they are removed (the chat must hear "stopped").
  std::vector<int64_t> expire(int64_t now_ms);
  // Every chat currently typing in; all are removed (connection closing).
  std::vector<int64_t> clear();
  bool typing_in(int64_t chat_id) const { return until_.count(chat_id) > 0; }

 private:
  std::unordered_map<int64_t, int64_t> until_;
};

}  // namespace nt
