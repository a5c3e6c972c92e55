#include "presence.hpp"

#include "events.hpp"
#include "time_util.hpp"

namespace nt::rt {

void Presence::connected(const std::string& user_id, uint64_t conn_id,
                         std::function<void(bool)> done) {
  refresh({{user_id, conn_id}});
  bus_.command({"SET", key_user_status(user_id), status_of(user_id), "EX", std::to_string(ttl_s_)});
  bus_.command({"ZCARD", key_presence(user_id)}, [done](redisReply* r) {
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
  const std::string key = key_presence(user_id);
  bus_.command({"ZREM", key, member(conn_id)});
  bus_.command({"ZREMRANGEBYSCORE", key, "-inf", std::to_string(now_s())});
  // Offline only when no other connection (on any daemon) is live.
  RedisBus* bus = &bus_;
  bus_.command({"ZCARD", key}, [bus, user_id, on_last](redisReply* r) {
    if (r && r->type == REDIS_REPLY_INTEGER && r->integer == 0) {
      bus->command({"SET", key_user_status(user_id), "offline", "EX", "604800"});
      if (on_last) on_last();
    }
  });
}

}  // namespace nt::rt
