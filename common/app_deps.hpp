// What the domain services need: settings and this thread's Postgres and Redis connections.
// An API worker thread and a realtime worker thread each own one; never shared across threads.
#pragma once

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

}  // namespace nt
