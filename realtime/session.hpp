// One WebSocket connection. Owned by the Hub; touched only on the event-loop thread.
#pragma once

#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "typing_state.hpp"

struct lws;

namespace nt::rt {

struct Session {
  uint64_t id = 0;
  lws* wsi = nullptr;
  std::string user_id;
  std::string session_id;  // the refresh family (for revocation)
  std::string language;

  // Outgoing frames, each stored with LWS_PRE bytes of headroom before the payload. A list:
  // an empty one allocates nothing (a deque allocates ~600 bytes up front, per idle socket).
  std::list<std::string> queue;
  size_t queued_bytes = 0;

  // Reassembly of a fragmented incoming message.
  std::string rx;

  // Frames received in the current rate window.
  int64_t window_start_ms = 0;
  int64_t window_frames = 0;

  // Chats this connection joined (it receives their typing indicators).
  std::unordered_set<int64_t> joined;
  // The presence each other user was last shown with on this connection (de-duplication).
  std::unordered_map<std::string, std::string> seen_status;

  // Chats this connection is typing in.
  TypingState typing;

  // Set when the connection must close once the queue is flushed (0: stay open).
  int close_code = 0;
  std::string close_reason;
  bool close_sent = false;
};

}  // namespace nt::rt
