// The realtime daemon: the libwebsockets context on a libuv loop shared with the Redis bus,
// the hub of sessions, chat routing, presence, worker threads for durable work, and the
// timers for typing expiry and delivery receipts. Everything here runs on the loop thread
// except what Workers runs. Member functions are split by subject: server.cpp (lws and
// lifecycle), bus_routing.cpp (Redis events to clients), client_events.cpp (client frames).
#pragma once

#include <libwebsockets.h>
#include <uv.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "chat_router.hpp"
#include "config.hpp"
#include "hub.hpp"
#include "jobs.hpp"
#include "presence.hpp"
#include "redis_bus.hpp"
#include "workers.hpp"
#include "ws_assertion.hpp"

namespace nt::rt {

class Server {
 public:
  Server(const Config& cfg, uv_loop_t* loop);
  ~Server();

  // Creates the lws context and starts Redis; false (logged) when it cannot listen.
  bool start();
  // Graceful stop: every client gets 1001 "going away", then the context is destroyed.
  void stop();

  Hub& hub() { return hub_; }
  ChatRouter& router() { return router_; }
  Workers& workers() { return workers_; }
  RedisBus& bus() { return bus_; }
  const Config& cfg() const { return cfg_; }

  // Tells the user's chats about a presence change (unless their privacy setting hides it).
  void broadcast_status(const std::string& user_id, const char* status,
                        const std::vector<int64_t>& chats);
  Presence& presence() { return presence_; }
  // `user_id`'s connections here received chat_id's messages up to seq (recorded in batches).
  void note_delivered(int64_t chat_id, const std::string& user_id, int64_t seq);

  // A client frame (client_events.cpp).
  void handle_client_frame(Session* s, std::string_view text);
  // Tells the chat that `s`'s user started or stopped typing (and keeps chat_typing:{id}).
  void announce_typing(Session* s, int64_t chat_id, bool is_typing);

  // lws protocol callback (one switch on the reason, short cases).
  static int callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len);

 private:
  int on_filter(lws* wsi);
  void on_established(lws* wsi, void* user);
  int on_receive(lws* wsi, Session* s, const void* in, size_t len);
  int on_writeable(lws* wsi, Session* s);
  void on_closed(Session* s);
  void check_revoked(Session* s);
  void load_user(const std::string& user_id);
  void announce_offline(const std::string& user_id,
                        const std::optional<std::vector<int64_t>>& audience);

  // bus_routing.cpp
  void on_bus_message(const std::string& channel, std::string_view payload);
  void on_user_event(const std::string& user_id, const std::string& type, const Json& data);
  void on_chat_event(int64_t chat_id, const std::string& type, const Json& data);
  void on_resubscribed();
  void flush_deliveries();

  static void on_presence_timer(uv_timer_t* t);
  static void on_typing_timer(uv_timer_t* t);
  static void on_delivery_timer(uv_timer_t* t);
  static void on_stop_timer(uv_timer_t* t);

  const Config& cfg_;
  uv_loop_t* loop_;
  lws_context* context_ = nullptr;
  lws_retry_bo_t retry_{};
  Hub hub_;
  RedisBus bus_;
  Presence presence_;
  ChatRouter router_;
  Workers workers_;
  Jobs jobs_;
  uv_timer_t presence_timer_;
  uv_timer_t typing_timer_;
  uv_timer_t delivery_timer_;
  uv_timer_t stop_timer_;
  bool stopping_ = false;
  // Identities checked at the handshake, waiting for ESTABLISHED (headers are gone by then).
  std::unordered_map<lws*, WsIdentity> pending_;
  // Whether each connected user shows their online status to others (privacy setting).
  std::unordered_map<std::string, bool> shows_online_;
  // Users who came online (first connection anywhere) before their chats were loaded here.
  std::unordered_set<std::string> announce_online_;
  // Delivery pointers to record: (chat, user) -> highest seq forwarded to that user here.
  std::map<std::pair<int64_t, std::string>, int64_t> deliveries_;
};

}  // namespace nt::rt
