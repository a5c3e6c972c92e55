#include "app_deps.hpp"

#include "log.hpp"

namespace nt {

void publish_after_commit(Redis& redis, const std::string& channel, const std::string& payload) {
  try {
    redis.publish(channel, payload);
  } catch (const RedisUnavailable& e) {
    log_warn("publish to %s skipped: %s (clients catch up by cursor)", channel.c_str(), e.what());
  }
}

}  // namespace nt
