// The sessions of this daemon, by id and by user. Event-loop thread only. Sending never
// blocks: frames are queued per session and written one per writable callback; a session
// whose queue passes the cap is closed with 4009 (slow reader) without touching the others.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "config.hpp"
#include "json.hpp"
#include "session.hpp"

namespace nt::rt {

namespace close_code {
constexpr int kGoingAway = 1001;
constexpr int kTooBig = 1009;
constexpr int kAuth = 4001;
constexpr int kForbidden = 4003;
constexpr int kRateLimited = 4008;
constexpr int kTooSlow = 4009;
constexpr int kSessionRevoked = 4010;
}  // namespace close_code

class Hub {
 public:
  explicit Hub(const Config& cfg) : cfg_(cfg) {}

  // Called when the first session of a user arrives / the last one leaves (subscriptions,
  // presence).
  std::function<void(const std::string& user_id)> on_first_session;
  std::function<void(const std::string& user_id, const Session& s)> on_session_closed;
  std::function<void(const std::string& user_id)> on_last_session;

  Session* add(std::unique_ptr<Session> s);
  void remove(Session* s);

  // Queues an event in the session's language envelope.
  void send_event(Session* s, const char* type, const Json& data);
  // Queues raw text (already an envelope).
  void send_text(Session* s, const std::string& text);
  // Sends an event to every session of a user.
  void send_to_user(const std::string& user_id, const char* type, const Json& data);
  // Closes once queued frames are out (or at once for 4009).
  void close(Session* s, int code, const std::string& reason);

  // Sends one event to these connections, serializing it once per language.
  void send_to_sessions(const std::vector<Session*>& sessions, const char* type, const Json& data);
  // Same, to every connection of these users.
  void send_to_users(const std::vector<std::string>& user_ids, const char* type, const Json& data);

  // The session with this id, or null when it has closed meanwhile.
  Session* find(uint64_t id) const;
  std::vector<Session*> sessions_of(const std::string& user_id) const;
  bool has_user(const std::string& user_id) const { return by_user_.count(user_id) > 0; }
  std::vector<std::string> users() const;
  std::vector<Session*> all() const;
  size_t size() const { return by_id_.size(); }

 private:
  const Config& cfg_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<Session>> by_id_;
  std::unordered_map<std::string, std::unordered_set<Session*>> by_user_;
};

}  // namespace nt::rt
