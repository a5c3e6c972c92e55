#include "redis.hpp"

#include <sys/time.h>

#include <cstdlib>

namespace nt {

RedisAddress parse_redis_url(const std::string& url) {
  RedisAddress a;
  std::string rest = url;
  if (rest.rfind("unix://", 0) == 0) {
    a.unix_path = rest.substr(7);
    return a;
  }
  if (rest.rfind("redis://", 0) == 0) rest = rest.substr(8);
  const auto at = rest.rfind('@');
  if (at != std::string::npos) {
    std::string auth = rest.substr(0, at);
    const auto colon = auth.find(':');
    a.password = colon == std::string::npos ? auth : auth.substr(colon + 1);
    rest = rest.substr(at + 1);
  }
  const auto slash = rest.find('/');
  if (slash != std::string::npos) {
    a.db = std::atoi(rest.substr(slash + 1).c_str());
    rest = rest.substr(0, slash);
  }
  const auto colon = rest.rfind(':');
  if (colon != std::string::npos) {
    a.port = std::atoi(rest.substr(colon + 1).c_str());
    rest = rest.substr(0, colon);
  }
  if (!rest.empty()) a.host = rest;
  return a;
}

Redis::Redis(std::string url, int timeout_ms) : addr_(parse_redis_url(url)), timeout_ms_(timeout_ms) {}

void Redis::ensure_connected() {
  if (ctx_) return;
  struct timeval tv;
  tv.tv_sec = timeout_ms_ / 1000;
  tv.tv_usec = (timeout_ms_ % 1000) * 1000;
  redisContext* c = addr_.unix_path.empty()
                        ? redisConnectWithTimeout(addr_.host.c_str(), addr_.port, tv)
                        : redisConnectUnixWithTimeout(addr_.unix_path.c_str(), tv);
  if (c == nullptr || c->err) {
    const std::string msg = c ? c->errstr : "out of memory";
    if (c) redisFree(c);
    throw RedisUnavailable("redis connect failed: " + msg);
  }
  ctx_.reset(c);
  redisSetTimeout(c, tv);
  redisEnableKeepAlive(c);
  if (!addr_.password.empty()) {
    RedisReplyPtr r = command({"AUTH", addr_.password});
    if (r->type == REDIS_REPLY_ERROR) throw RedisUnavailable("redis AUTH failed");
  }
  if (addr_.db != 0) command({"SELECT", std::to_string(addr_.db)});
}

void Redis::append(const std::vector<std::string>& argv) {
  std::vector<const char*> args;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  if (redisAppendCommandArgv(ctx_.get(), static_cast<int>(args.size()), args.data(), lens.data()) !=
      REDIS_OK) {
    ctx_.reset();
    throw RedisUnavailable("redis append failed");
  }
}

RedisReplyPtr Redis::read_reply() {
  void* reply = nullptr;
  if (redisGetReply(ctx_.get(), &reply) != REDIS_OK || reply == nullptr) {
    const std::string msg = ctx_->errstr;
    ctx_.reset();
    throw RedisUnavailable("redis I/O failed: " + msg);
  }
  return RedisReplyPtr(static_cast<redisReply*>(reply));
}

RedisReplyPtr Redis::command(const std::vector<std::string>& argv) {
  return std::move(pipeline({argv}).front());
}

std::vector<RedisReplyPtr> Redis::pipeline(const std::vector<std::vector<std::string>>& commands) {
  // A connection kept from an earlier call may have died meanwhile (Redis restarted): the
  // first failure on such a connection gets one retry on a fresh one. A fresh connection
  // that fails is reported at once.
  for (int attempt = 0;; ++attempt) {
    const bool reused = ctx_ != nullptr;
    try {
      ensure_connected();
      for (const auto& argv : commands) append(argv);
      std::vector<RedisReplyPtr> out;
      out.reserve(commands.size());
      for (size_t i = 0; i < commands.size(); ++i) out.push_back(read_reply());
      return out;
    } catch (const RedisUnavailable&) {
      ctx_.reset();
      if (!reused || attempt > 0) throw;
    }
  }
}

void Redis::publish(const std::string& channel, const std::string& payload) {
  command({"PUBLISH", channel, payload});
}

std::optional<std::string> Redis::get(const std::string& key) {
  RedisReplyPtr r = command({"GET", key});
  if (r->type != REDIS_REPLY_STRING) return std::nullopt;
  return std::string(r->str, r->len);
}

bool Redis::ping() {
  try {
    RedisReplyPtr r = command({"PING"});
    return r->type == REDIS_REPLY_STATUS;
  } catch (const RedisUnavailable&) {
    return false;
  }
}

}  // namespace nt
