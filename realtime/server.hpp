// The realtime daemon: the libwebsockets context on a libuv loop shared with the Redis bus,
// the hub of sessions, presence and the bus wiring. Everything here runs on the loop thread.
#pragma once

#include <libwebsockets.h>
#include <uv.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "config.hpp"
#include "hub.hpp"
#include "presence.hpp"
#include "redis_bus.hpp"
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
  const Config& cfg() const { return cfg_; }

  // lws protocol callback (one switch on the reason, short cases).
  static int callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len);

 private:
  int on_filter(lws* wsi);
  void on_established(lws* wsi, void* user);
  int on_receive(lws* wsi, Session* s, const void* in, size_t len);
  int on_writeable(lws* wsi, Session* s);
  void on_closed(Session* s);
  void on_bus_message(const std::string& channel, std::string_view payload);
  void on_resubscribed();
  void check_revoked(Session* s);
  static void on_presence_timer(uv_timer_t* t);
  static void on_stop_timer(uv_timer_t* t);

  const Config& cfg_;
  uv_loop_t* loop_;
  lws_context* context_ = nullptr;
  lws_retry_bo_t retry_{};
  Hub hub_;
  RedisBus bus_;
  Presence presence_;
  uv_timer_t presence_timer_;
  uv_timer_t stop_timer_;
  bool stopping_ = false;
  // Identities checked at the handshake, waiting for ESTABLISHED (headers are gone by then).
  std::unordered_map<lws*, WsIdentity> pending_;
};

}  // namespace nt::rt
