// Presence in Redis (DESIGN.md §6), correct with several connections per user and several
// daemons: nerutalk:presence:{user} is a sorted set of live connections ("node:conn") scored
// by their expiry; the user is online while any member has not expired. The daemon refreshes
// its members on a timer, so a crashed daemon's connections expire by themselves.
// nerutalk:user_status:{user} mirrors the result ("online" with a TTL, or "offline").
// Event-loop thread only; every call is asynchronous.
#pragma once

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <string>
#include <vector>

#include "redis_bus.hpp"

namespace nt::rt {

class Presence {
 public:
  Presence(RedisBus& bus, std::string node_id, int64_t ttl_s)
      : bus_(bus), node_(std::move(node_id)), ttl_s_(ttl_s) {}

  // Records the connection; `done(first)` runs once Redis has it (or could not: first=false),
  // first = this is the user's only live connection on any daemon (they came online).
  void connected(const std::string& user_id, uint64_t conn_id, std::function<void(bool)> done);
  // `on_last` runs when no live connection of the user is left anywhere (offline).
  void disconnected(const std::string& user_id, uint64_t conn_id, std::function<void()> on_last);
  // Re-asserts every live connection (called every ttl/3 seconds).
  void refresh(const std::vector<std::pair<std::string, uint64_t>>& conns);
  int64_t ttl_seconds() const { return ttl_s_; }

  // "online" or "away" (set by the client); kept while the user is connected here.
  void set_status(const std::string& user_id, const std::string& status);
  const std::string& status_of(const std::string& user_id) const;
  void forget(const std::string& user_id) { status_.erase(user_id); }

 private:
  std::string member(uint64_t conn_id) const { return node_ + ":" + std::to_string(conn_id); }
  RedisBus& bus_;
  std::unordered_map<std::string, std::string> status_;
  std::string node_;
  int64_t ttl_s_;
};

}  // namespace nt::rt
