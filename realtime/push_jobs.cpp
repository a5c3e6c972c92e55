#include "push_jobs.hpp"

#include <memory>
#include <string>

#include "fcm_client.hpp"
#include "log.hpp"
#include "push_delivery.hpp"

namespace nt::rt {

bool add_push_jobs(Jobs& jobs, const Config& cfg) {
  std::shared_ptr<FcmClient> fcm;
  try {
    fcm = make_fcm_client(cfg);
  } catch (const FcmConfigError& e) {
    log_error("realtime: push cannot start: %s", e.what());
    return false;
  }
  if (!fcm) log_info("realtime: %s", kPushNotConfigured);
  const std::string node = cfg.realtime_node_id.empty() ? "realtime" : cfg.realtime_node_id;
  const auto every = static_cast<uint64_t>(cfg.push_poll_interval_ms);
  for (int64_t i = 1; i <= cfg.push_consumers; ++i) {
    const std::string consumer = node + "/" + std::to_string(i);
    jobs.add("push-sender-" + std::to_string(i), every, every, [&jobs, fcm, consumer](Deps& d) {
      const PushDeliveryStats st =
          deliver_push_jobs(d, fcm.get(), consumer, [&jobs] { return jobs.stopping(); });
      if (st.failed + st.retried > 0) {
        log_info("push %s: %lld sent, %lld failed, %lld to retry", consumer.c_str(),
                 static_cast<long long>(st.sent), static_cast<long long>(st.failed),
                 static_cast<long long>(st.retried));
      }
    });
  }
  const auto requeue_every = static_cast<uint64_t>(cfg.push_requeue_interval_ms);
  jobs.add("push-requeue", requeue_every, requeue_every, [](Deps& d) {
    if (const int64_t n = requeue_pushes(d)) {
      log_info("push: %lld jobs put back on the stream", static_cast<long long>(n));
    }
  });
  return true;
}

}  // namespace nt::rt
