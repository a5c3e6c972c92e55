#include "app_deps.hpp"

#include <algorithm>

#include "log.hpp"

namespace nt {
namespace {

// PUBLISH commands per round trip: few enough that a batch of large events (a group's detail
// to each member) stays small in memory.
constexpr size_t kPublishBatch = 64;

// PUBLISHes channel_of(i) / payload_of(i) for i < n in pipelined batches.
template <typename Channel, typename Payload>
void publish_batched(Redis& redis, size_t n, Channel channel_of, Payload payload_of) {
  for (size_t start = 0; start < n; start += kPublishBatch) {
    std::vector<std::vector<std::string>> cmds;
    for (size_t i = start; i < std::min(n, start + kPublishBatch); ++i) {
      cmds.push_back({"PUBLISH", channel_of(i), payload_of(i)});
    }
    try {
      redis.pipeline(cmds);
    } catch (const RedisUnavailable& e) {
      log_warn("%zu of %zu publishes skipped (first to %s): %s (clients catch up by cursor)",
               n - start, n, cmds.front()[1].c_str(), e.what());
      return;
    }
  }
}

}  // namespace

void publish_after_commit(Redis& redis, const std::string& channel, const std::string& payload) {
  try {
    redis.publish(channel, payload);
  } catch (const RedisUnavailable& e) {
    log_warn("publish to %s skipped: %s (clients catch up by cursor)", channel.c_str(), e.what());
  }
}

void publish_after_commit(Redis& redis, const std::vector<std::string>& channels,
                          const std::string& payload) {
  publish_batched(
      redis, channels.size(), [&](size_t i) { return channels[i]; },
      [&](size_t) { return payload; });
}

void publish_after_commit(Redis& redis, const std::vector<BusMessage>& messages) {
  publish_batched(
      redis, messages.size(), [&](size_t i) { return messages[i].channel; },
      [&](size_t i) { return messages[i].payload; });
}

}  // namespace nt
