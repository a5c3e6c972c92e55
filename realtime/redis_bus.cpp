#include "redis_bus.hpp"

#include "hiredis_uv.hpp"

#include <algorithm>

#include "log.hpp"

namespace nt::rt {
namespace {

constexpr int kMaxBackoffMs = 5000;
constexpr uint64_t kHealthEveryMs = 3000;
constexpr uint64_t kDeadAfterMs = 10000;

std::vector<const char*> argv_ptrs(const std::vector<std::string>& argv, std::vector<size_t>* lens) {
  std::vector<const char*> out;
  for (const auto& a : argv) {
    out.push_back(a.data());
    lens->push_back(a.size());
  }
  return out;
}

RedisBus* bus_of(const redisAsyncContext* ac) { return static_cast<RedisBus*>(ac->data); }

}  // namespace

RedisBus::RedisBus(uv_loop_t* loop, const std::string& url, std::string heartbeat_channel)
    : loop_(loop), addr_(parse_redis_url(url)), heartbeat_channel_(std::move(heartbeat_channel)) {
  channels_.insert(heartbeat_channel_);
  uv_timer_init(loop_, &sub_timer_);
  uv_timer_init(loop_, &cmd_timer_);
  uv_timer_init(loop_, &health_timer_);
  sub_timer_.data = cmd_timer_.data = health_timer_.data = this;
}

RedisBus::~RedisBus() { stop(); }

void RedisBus::start() {
  connect_sub();
  connect_cmd();
  uv_timer_start(&health_timer_, on_health_timer, kHealthEveryMs, kHealthEveryMs);
}

void RedisBus::stop() {
  if (stopping_) return;
  stopping_ = true;
  uv_timer_stop(&sub_timer_);
  uv_timer_stop(&cmd_timer_);
  uv_timer_stop(&health_timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(&sub_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&cmd_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&health_timer_), nullptr);
  if (sub_) redisAsyncFree(sub_);
  if (cmd_) redisAsyncFree(cmd_);
  sub_ = cmd_ = nullptr;
}

redisAsyncContext* RedisBus::open(bool subscriber) {
  redisAsyncContext* ac = addr_.unix_path.empty()
                              ? redisAsyncConnect(addr_.host.c_str(), addr_.port)
                              : redisAsyncConnectUnix(addr_.unix_path.c_str());
  if (ac == nullptr || ac->err) {
    log_warn("redis: connect failed: %s", ac ? ac->errstr : "out of memory");
    if (ac) redisAsyncFree(ac);
    return nullptr;
  }
  ac->data = this;
  if (redis_attach_uv(ac, loop_) != REDIS_OK) {
    log_warn("redis: cannot watch the connection");
    redisAsyncFree(ac);
    return nullptr;
  }
  redisEnableKeepAlive(&ac->c);
  redisAsyncSetConnectCallback(ac, subscriber ? on_sub_connect : on_cmd_connect);
  redisAsyncSetDisconnectCallback(ac, subscriber ? on_sub_disconnect : on_cmd_disconnect);
  if (!addr_.password.empty()) {
    redisAsyncCommand(ac, nullptr, nullptr, "AUTH %b", addr_.password.data(), addr_.password.size());
  }
  if (addr_.db != 0 && !subscriber) redisAsyncCommand(ac, nullptr, nullptr, "SELECT %d", addr_.db);
  return ac;
}

void RedisBus::schedule(uv_timer_t* timer, int* backoff_ms) {
  if (stopping_) return;
  uv_timer_start(timer, timer == &sub_timer_ ? on_sub_timer : on_cmd_timer,
                 static_cast<uint64_t>(*backoff_ms), 0);
  *backoff_ms = std::min(*backoff_ms * 2, kMaxBackoffMs);
}

void RedisBus::connect_sub() {
  sub_ready_ = false;
  sub_started_ms_ = uv_now(loop_);
  sub_ = open(true);
  if (!sub_) schedule(&sub_timer_, &sub_backoff_ms_);
}

void RedisBus::connect_cmd() {
  cmd_ready_ = false;
  cmd_started_ms_ = uv_now(loop_);
  cmd_ = open(false);
  if (!cmd_) schedule(&cmd_timer_, &cmd_backoff_ms_);
}

void RedisBus::on_sub_timer(uv_timer_t* t) { static_cast<RedisBus*>(t->data)->connect_sub(); }
void RedisBus::on_cmd_timer(uv_timer_t* t) { static_cast<RedisBus*>(t->data)->connect_cmd(); }

void RedisBus::on_sub_connect(const redisAsyncContext* ac, int status) {
  RedisBus* b = bus_of(ac);
  if (status != REDIS_OK) {
    b->sub_ = nullptr;  // hiredis frees the context after this callback
    b->schedule(&b->sub_timer_, &b->sub_backoff_ms_);
    return;
  }
  b->sub_ready_ = true;
  b->sub_backoff_ms_ = 100;
  b->sub_last_reply_ms_ = uv_now(b->loop_);
  const bool reconnect = b->sub_ever_connected_;
  b->sub_ever_connected_ = true;
  std::vector<std::string> channels(b->channels_.begin(), b->channels_.end());
  if (!channels.empty()) b->send_subscribe(channels, "SUBSCRIBE");
  if (reconnect) {
    log_info("redis: subscriber reconnected; %zu channels resubscribed", channels.size());
    if (b->on_resubscribed) b->on_resubscribed();
  }
}

void RedisBus::on_cmd_connect(const redisAsyncContext* ac, int status) {
  RedisBus* b = bus_of(ac);
  if (status != REDIS_OK) {
    b->cmd_ = nullptr;
    b->schedule(&b->cmd_timer_, &b->cmd_backoff_ms_);
    return;
  }
  b->cmd_ready_ = true;
  b->cmd_backoff_ms_ = 100;
  b->cmd_last_reply_ms_ = uv_now(b->loop_);
}

void RedisBus::on_sub_disconnect(const redisAsyncContext* ac, int status) {
  RedisBus* b = bus_of(ac);
  b->sub_ = nullptr;
  b->sub_ready_ = false;
  if (b->stopping_) return;
  log_warn("redis: subscriber connection lost (%s); reconnecting",
           status == REDIS_OK ? "closed" : ac->errstr);
  b->schedule(&b->sub_timer_, &b->sub_backoff_ms_);
}

void RedisBus::on_cmd_disconnect(const redisAsyncContext* ac, int status) {
  RedisBus* b = bus_of(ac);
  b->cmd_ = nullptr;
  b->cmd_ready_ = false;
  if (b->stopping_) return;
  log_warn("redis: command connection lost (%s); reconnecting",
           status == REDIS_OK ? "closed" : ac->errstr);
  b->schedule(&b->cmd_timer_, &b->cmd_backoff_ms_);
}

void RedisBus::send_subscribe(const std::vector<std::string>& channels, const char* verb) {
  if (!sub_ready_ || channels.empty()) return;
  std::vector<std::string> argv = {verb};
  argv.insert(argv.end(), channels.begin(), channels.end());
  std::vector<size_t> lens;
  auto ptrs = argv_ptrs(argv, &lens);
  redisAsyncCommandArgv(sub_, on_sub_reply, nullptr, static_cast<int>(ptrs.size()), ptrs.data(),
                        lens.data());
}

void RedisBus::subscribe(const std::string& channel) {
  if (channels_.insert(channel).second) send_subscribe({channel}, "SUBSCRIBE");
}

void RedisBus::unsubscribe(const std::string& channel) {
  if (channels_.erase(channel)) send_subscribe({channel}, "UNSUBSCRIBE");
}

void RedisBus::on_sub_reply(redisAsyncContext* ac, void* reply, void*) {
  auto* r = static_cast<redisReply*>(reply);
  RedisBus* b = bus_of(ac);
  if (r == nullptr) return;
  b->sub_last_reply_ms_ = uv_now(b->loop_);
  if (r->type != REDIS_REPLY_ARRAY || r->elements < 3) return;
  const redisReply* kind = r->element[0];
  if (kind->type != REDIS_REPLY_STRING || std::string_view(kind->str, kind->len) != "message") return;
  const redisReply* ch = r->element[1];
  const redisReply* payload = r->element[2];
  if (ch->type == REDIS_REPLY_STRING && payload->type == REDIS_REPLY_STRING && b->on_message) {
    b->on_message(std::string(ch->str, ch->len), std::string_view(payload->str, payload->len));
  }
}

void RedisBus::command(const std::vector<std::string>& argv, ReplyFn fn) {
  if (!cmd_ready_) {
    if (fn) fn(nullptr);
    return;
  }
  std::vector<size_t> lens;
  auto ptrs = argv_ptrs(argv, &lens);
  auto* holder = fn ? new ReplyFn(std::move(fn)) : nullptr;
  if (redisAsyncCommandArgv(cmd_, on_cmd_reply, holder, static_cast<int>(ptrs.size()), ptrs.data(),
                            lens.data()) != REDIS_OK) {
    if (holder) {
      (*holder)(nullptr);
      delete holder;
    }
  }
}

void RedisBus::on_cmd_reply(redisAsyncContext* ac, void* reply, void* priv) {
  RedisBus* b = bus_of(ac);
  if (reply) b->cmd_last_reply_ms_ = uv_now(b->loop_);
  auto* holder = static_cast<ReplyFn*>(priv);
  if (holder) {
    (*holder)(static_cast<redisReply*>(reply));
    delete holder;
  }
}

void RedisBus::on_ping_reply(redisAsyncContext* ac, void* reply, void*) {
  if (reply) bus_of(ac)->cmd_last_reply_ms_ = uv_now(bus_of(ac)->loop_);
}

void RedisBus::on_health_timer(uv_timer_t* t) {
  auto* b = static_cast<RedisBus*>(t->data);
  const uint64_t now = uv_now(b->loop_);
  // A link that answered nothing for kDeadAfterMs is half-open: drop it; the disconnect
  // callback schedules the reconnect (and, for the subscriber, the resync). The subscriber
  // is probed by publishing to its own heartbeat channel through the command link, so it is
  // only judged while the command link itself is healthy.
  // A connect attempt that neither succeeded nor failed in time is abandoned (freeing a
  // context that never connected runs no callback, so the retry is scheduled here).
  if (b->sub_ != nullptr && !b->sub_ready_ && now - b->sub_started_ms_ > kDeadAfterMs) {
    redisAsyncFree(b->sub_);
    b->sub_ = nullptr;
    b->schedule(&b->sub_timer_, &b->sub_backoff_ms_);
  }
  if (b->cmd_ != nullptr && !b->cmd_ready_ && now - b->cmd_started_ms_ > kDeadAfterMs) {
    redisAsyncFree(b->cmd_);
    b->cmd_ = nullptr;
    b->schedule(&b->cmd_timer_, &b->cmd_backoff_ms_);
  }
  const bool cmd_alive = b->cmd_ready_ && now - b->cmd_last_reply_ms_ <= kDeadAfterMs;
  if (b->cmd_ready_ && !cmd_alive) {
    log_warn("redis: command link silent; reconnecting");
    redisAsyncFree(b->cmd_);
    return;
  }
  if (b->cmd_ready_) redisAsyncCommand(b->cmd_, on_ping_reply, nullptr, "PING");
  if (b->sub_ready_ && cmd_alive && now - b->sub_last_reply_ms_ > kDeadAfterMs) {
    log_warn("redis: subscriber silent for %llums; reconnecting",
             static_cast<unsigned long long>(now - b->sub_last_reply_ms_));
    redisAsyncFree(b->sub_);
  } else if (b->sub_ready_ && b->cmd_ready_) {
    b->command({"PUBLISH", b->heartbeat_channel_, "1"});
  }
}

}  // namespace nt::rt
