#include "presence.hpp"

#include "events.hpp"
#include "time_util.hpp"

namespace nt::rt {
namespace {

// connected() and disconnected() each run as one script: separate commands from two daemons
// could interleave, so that two last connections closing at once both counted zero, two first
// connections both counted two (nobody announced "online"), or an "offline" written after a
// newer connection's "online". Both return how many live connections the user has.
// KEYS: presence set, status key; ARGV: member, its expiry, now, ttl, status.
constexpr const char* kConnect =
    "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3]) "
    "redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) "
    "redis.call('EXPIRE', KEYS[1], ARGV[4]) "
    "redis.call('SET', KEYS[2], ARGV[5], 'EX', ARGV[4]) "
    "return redis.call('ZCARD', KEYS[1])";
// KEYS: presence set, status key; ARGV: member, now. The last one out leaves "offline" (a week).
constexpr const char* kDisconnect =
    "redis.call('ZREM', KEYS[1], ARGV[1]) "
    "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2]) "
    "local n = redis.call('ZCARD', KEYS[1]) "
    "if n == 0 then redis.call('SET', KEYS[2], 'offline', 'EX', 604800) end "
    "return n";

}  // namespace

void Presence::connected(const std::string& user_id, uint64_t conn_id,
                         std::function<void(bool)> done) {
  bus_.command({"EVAL", kConnect, "2", key_presence(user_id), key_user_status(user_id),
                member(conn_id), std::to_string(now_s() + ttl_s_), std::to_string(now_s()),
                std::to_string(ttl_s_), status_of(user_id)},
               [done](redisReply* r) {
                 done(r && r->type == REDIS_REPLY_INTEGER && r->integer == 1);
               });
}

void Presence::refresh(const std::vector<std::pair<std::string, uint64_t>>& conns) {
  const std::string expiry = std::to_string(now_s() + ttl_s_);
  const std::string ttl = std::to_string(ttl_s_);
  for (const auto& [user_id, conn_id] : conns) {
    const std::string key = key_presence(user_id);
    bus_.command({"ZADD", key, expiry, member(conn_id)});
    bus_.command({"EXPIRE", key, ttl});
    // Only a missing key is written: the value is set on transitions (connect, away/online),
    // so two daemons holding the same user never overwrite each other's "away".
    bus_.command({"SET", key_user_status(user_id), status_of(user_id), "EX", ttl, "NX"});
    bus_.command({"EXPIRE", key_user_status(user_id), ttl});
  }
}

void Presence::set_status(const std::string& user_id, const std::string& status) {
  status_[user_id] = status;
  bus_.command({"SET", key_user_status(user_id), status, "EX", std::to_string(ttl_s_)});
}

const std::string& Presence::status_of(const std::string& user_id) const {
  static const std::string kOnline = "online";
  auto it = status_.find(user_id);
  return it == status_.end() ? kOnline : it->second;
}

void Presence::disconnected(const std::string& user_id, uint64_t conn_id,
                            std::function<void()> on_last) {
  bus_.command({"EVAL", kDisconnect, "2", key_presence(user_id), key_user_status(user_id),
                member(conn_id), std::to_string(now_s())},
               [on_last](redisReply* r) {
                 if (r && r->type == REDIS_REPLY_INTEGER && r->integer == 0 && on_last) on_last();
               });
}

}  // namespace nt::rt
