#include "hub.hpp"

#include <libwebsockets.h>

#include "events.hpp"
#include "log.hpp"

namespace nt::rt {

Session* Hub::add(std::unique_ptr<Session> s) {
  s->id = next_id_++;
  Session* raw = s.get();
  by_id_[raw->id] = std::move(s);
  auto& set = by_user_[raw->user_id];
  set.insert(raw);
  if (set.size() == 1 && on_first_session) on_first_session(raw->user_id);
  return raw;
}

void Hub::remove(Session* s) {
  const std::string user_id = s->user_id;
  auto it = by_user_.find(user_id);
  if (it != by_user_.end()) {
    it->second.erase(s);
  }
  if (on_session_closed) on_session_closed(user_id, *s);
  const bool last = it != by_user_.end() && it->second.empty();
  if (last) by_user_.erase(it);
  by_id_.erase(s->id);  // destroys the session
  if (last && on_last_session) on_last_session(user_id);
}

void Hub::send_text(Session* s, const std::string& text) {
  if (s->close_code != 0) return;
  if (s->queued_bytes + text.size() > static_cast<size_t>(cfg_.ws_send_queue_bytes)) {
    log_warn("ws %llu: send queue over %lld bytes; closing slow reader",
             static_cast<unsigned long long>(s->id), static_cast<long long>(cfg_.ws_send_queue_bytes));
    s->queue.clear();
    s->queued_bytes = 0;
    close(s, close_code::kTooSlow, "too slow");
    // A reader that does not read may never become writable: end it regardless.
    lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, 2);
    return;
  }
  std::string frame(LWS_PRE, '\0');
  frame += text;
  s->queued_bytes += text.size();
  s->queue.push_back(std::move(frame));
  lws_callback_on_writable(s->wsi);
}

void Hub::send_event(Session* s, const char* type, const Json& data) {
  send_text(s, client_envelope(type, data, s->language));
}

void Hub::send_to_user(const std::string& user_id, const char* type, const Json& data) {
  for (Session* s : sessions_of(user_id)) send_event(s, type, data);
}

void Hub::send_to_sessions(const std::vector<Session*>& sessions, const char* type,
                           const Json& data) {
  std::unordered_map<std::string, std::string> by_language;
  for (Session* s : sessions) {
    auto it = by_language.find(s->language);
    if (it == by_language.end()) {
      it = by_language.emplace(s->language, client_envelope(type, data, s->language)).first;
    }
    send_text(s, it->second);
  }
}

void Hub::send_to_users(const std::vector<std::string>& user_ids, const char* type,
                        const Json& data) {
  std::vector<Session*> sessions;
  for (const auto& u : user_ids) {
    for (Session* s : sessions_of(u)) sessions.push_back(s);
  }
  send_to_sessions(sessions, type, data);
}

Session* Hub::find(uint64_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second.get();
}

void Hub::close(Session* s, int code, const std::string& reason) {
  if (s->close_code != 0) return;
  log_info("ws %llu user=%s: closing with %d (%s)", static_cast<unsigned long long>(s->id),
           s->user_id.c_str(), code, reason.c_str());
  s->close_code = code;
  s->close_reason = reason;
  lws_callback_on_writable(s->wsi);
  // Bounded: a peer that never drains its queue is dropped after a few seconds.
  lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, 5);
}

std::vector<Session*> Hub::sessions_of(const std::string& user_id) const {
  auto it = by_user_.find(user_id);
  if (it == by_user_.end()) return {};
  return std::vector<Session*>(it->second.begin(), it->second.end());
}

std::vector<std::string> Hub::users() const {
  std::vector<std::string> out;
  out.reserve(by_user_.size());
  for (const auto& [u, _] : by_user_) out.push_back(u);
  return out;
}

std::vector<Session*> Hub::all() const {
  std::vector<Session*> out;
  out.reserve(by_id_.size());
  for (const auto& [_, s] : by_id_) out.push_back(s.get());
  return out;
}

}  // namespace nt::rt
