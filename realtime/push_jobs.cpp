#include "push_jobs.hpp"

#include <memory>
#include <string>

#include "fcm_client.hpp"
#include "log.hpp"
#include "push_delivery.hpp"
#include "time_util.hpp"

namespace nt::rt {
namespace {

// Runs one job round; a lost dependency is logged once per ten seconds per job, not at every
// tick of a job that runs many times a second (it is retried at the next tick anyway).
template <typename Fn>
void quiet_on_outage(const std::string& name, int64_t& last_logged_ms, Fn run) {
  try {
    run();
  } catch (const RedisUnavailable& e) {
    if (now_ms() - last_logged_ms < 10000) return;
    last_logged_ms = now_ms();
    log_warn("%s: waiting for Redis: %s", name.c_str(), e.what());
  } catch (const DbUnavailable& e) {
    if (now_ms() - last_logged_ms < 10000) return;
    last_logged_ms = now_ms();
    log_warn("%s: waiting for Postgres: %s", name.c_str(), e.what());
  }
}

}  // namespace

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
    const std::string name = "push-sender-" + std::to_string(i);
    // `logged` belongs to the job: Jobs runs one round of a job at a time.
    jobs.add(name, every, every,
             [&jobs, fcm, consumer, name, logged = int64_t{0}](Deps& d) mutable {
               quiet_on_outage(name, logged, [&] {
                 const PushDeliveryStats st =
                     deliver_push_jobs(d, fcm.get(), consumer, [&jobs] { return jobs.stopping(); });
                 if (st.failed + st.retried > 0) {
                   log_info("push %s: %lld sent, %lld failed, %lld to retry", consumer.c_str(),
                            static_cast<long long>(st.sent), static_cast<long long>(st.failed),
                            static_cast<long long>(st.retried));
                 }
               });
             });
  }
  const auto requeue_every = static_cast<uint64_t>(cfg.push_requeue_interval_ms);
  jobs.add("push-requeue", requeue_every, requeue_every, [logged = int64_t{0}](Deps& d) mutable {
    quiet_on_outage("push-requeue", logged, [&] {
      if (const int64_t n = requeue_pushes(d)) {
        log_info("push: %lld jobs put back on the stream", static_cast<long long>(n));
      }
    });
  });
  return true;
}

}  // namespace nt::rt
