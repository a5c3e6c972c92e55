// Redis for the realtime daemon, on hiredis async attached to the daemon's libuv loop, so no
// Redis call ever blocks the loop. Two connections: one subscriber (pub/sub channels) and one
// for commands (presence, revocation checks). Both reconnect by themselves with backoff; after
// the subscriber comes back every channel is subscribed again and on_resubscribed() fires so
// the daemon can tell its clients to resync (pub/sub lost whatever was published meanwhile).
// Probes every few seconds detect a half-open link (hiredis 0.14 has no command timeout).
// Event-loop thread only.
#pragma once

#include <hiredis/async.h>
#include <uv.h>

#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "redis.hpp"

namespace nt::rt {

class RedisBus {
 public:
  using ReplyFn = std::function<void(redisReply* reply)>;  // reply is null on failure

  // `heartbeat_channel` is this daemon's own channel used to probe the subscriber link.
  RedisBus(uv_loop_t* loop, const std::string& url, std::string heartbeat_channel);
  ~RedisBus();
  RedisBus(const RedisBus&) = delete;
  RedisBus& operator=(const RedisBus&) = delete;

  void start();
  void stop();

  void subscribe(const std::string& channel);
  void unsubscribe(const std::string& channel);
  // Sends a command; `fn` (optional) runs with the reply, which lives only inside it.
  // Dropped with fn(nullptr) when the command connection is down.
  void command(const std::vector<std::string>& argv, ReplyFn fn = nullptr);

  bool subscriber_up() const { return sub_ != nullptr && sub_ready_; }

  std::function<void(const std::string& channel, std::string_view payload)> on_message;
  std::function<void()> on_resubscribed;

 private:
  struct Conn;
  void connect_sub();
  void connect_cmd();
  void schedule(uv_timer_t* timer, int* backoff_ms);
  void send_subscribe(const std::vector<std::string>& channels, const char* verb);
  redisAsyncContext* open(bool subscriber);

  static void on_sub_connect(const redisAsyncContext* ac, int status);
  static void on_cmd_connect(const redisAsyncContext* ac, int status);
  static void on_sub_disconnect(const redisAsyncContext* ac, int status);
  static void on_cmd_disconnect(const redisAsyncContext* ac, int status);
  static void on_sub_reply(redisAsyncContext* ac, void* reply, void* priv);
  static void on_cmd_reply(redisAsyncContext* ac, void* reply, void* priv);
  static void on_ping_reply(redisAsyncContext* ac, void* reply, void* priv);
  static void on_sub_timer(uv_timer_t* t);
  static void on_cmd_timer(uv_timer_t* t);
  static void on_health_timer(uv_timer_t* t);

  uv_loop_t* loop_;
  RedisAddress addr_;
  std::string heartbeat_channel_;
  redisAsyncContext* sub_ = nullptr;
  redisAsyncContext* cmd_ = nullptr;
  bool sub_ready_ = false;
  bool cmd_ready_ = false;
  bool sub_ever_connected_ = false;
  bool stopping_ = false;
  int sub_backoff_ms_ = 100;
  int cmd_backoff_ms_ = 100;
  uv_timer_t sub_timer_;
  uv_timer_t cmd_timer_;
  uv_timer_t health_timer_;
  uint64_t sub_started_ms_ = 0;  // when the pending connect attempt began
  uint64_t cmd_started_ms_ = 0;
  uint64_t sub_last_reply_ms_ = 0;
  uint64_t cmd_last_reply_ms_ = 0;
  std::unordered_set<std::string> channels_;
};

}  // namespace nt::rt
