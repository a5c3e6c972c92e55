// Blocking Redis client on hiredis for the API workers: one Redis per thread. Connects lazily
// with a short timeout; on any I/O error the context is dropped and RedisUnavailable thrown,
// and the next call connects again. The realtime daemon uses hiredis async instead.
#pragma once

#include <hiredis/hiredis.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace nt {

class RedisUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RedisReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using RedisReplyPtr = std::unique_ptr<redisReply, RedisReplyDeleter>;

struct RedisContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};

// Parsed redis://[:password@]host[:port][/db] or unix:///path.
struct RedisAddress {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string unix_path;
  std::string password;
  int db = 0;
};
RedisAddress parse_redis_url(const std::string& url);

class Redis {
 public:
  explicit Redis(std::string url, int timeout_ms = 1000);

  // One command; throws RedisUnavailable on connection errors. Error replies are returned.
  RedisReplyPtr command(const std::vector<std::string>& argv);
  // Several commands in one round trip; replies in order.
  std::vector<RedisReplyPtr> pipeline(const std::vector<std::vector<std::string>>& commands);

  // Conveniences that throw RedisUnavailable.
  void publish(const std::string& channel, const std::string& payload);
  std::optional<std::string> get(const std::string& key);
  bool ping();

 private:
  void ensure_connected();
  void append(const std::vector<std::string>& argv);
  RedisReplyPtr read_reply();

  RedisAddress addr_;
  int timeout_ms_;
  std::unique_ptr<redisContext, RedisContextDeleter> ctx_;
};

}  // namespace nt
