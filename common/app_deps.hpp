// What the domain services need: settings and this thread's Postgres and Redis connections.
// An API worker thread and a realtime worker thread each own one; never shared across threads.
#pragma once

#include <string>
#include <vector>

#include "config.hpp"
#include "pg.hpp"
#include "redis.hpp"

namespace nt {

struct Deps {
  const Config& cfg;
  Pg& pg;
  Redis& redis;
};

// Publishes one event after a commit. Redis is only a hint (DESIGN.md §7): a failure is
// logged and never fails the caller, whose data is already committed.
void publish_after_commit(Redis& redis, const std::string& channel, const std::string& payload);

// The same event on each of `channels` (e.g. every participant's user channel), pipelined:
// one round trip per batch instead of one per channel. When Redis fails, the rest is skipped
// and logged, as above.
void publish_after_commit(Redis& redis, const std::vector<std::string>& channels,
                          const std::string& payload);

// A different event per channel (each recipient's own notification), pipelined the same way.
struct BusMessage {
  std::string channel;
  std::string payload;
};
void publish_after_commit(Redis& redis, const std::vector<BusMessage>& messages);

}  // namespace nt
