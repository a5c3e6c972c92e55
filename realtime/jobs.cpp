#include "jobs.hpp"

#include "log.hpp"
#include "pg.hpp"
#include "redis.hpp"
#include "time_util.hpp"

namespace nt::rt {
namespace {

// A lost Postgres or Redis is logged once per ten seconds per job, not at every tick of a job
// that runs every second or faster; the job is retried at its next tick anyway.
constexpr int64_t kOutageLogEveryMs = 10000;

void log_outage(Jobs::Job& job, const char* what, const std::exception& e) {
  const int64_t now = now_ms();
  if (now - job.outage_logged_ms < kOutageLogEveryMs) return;
  job.outage_logged_ms = now;
  log_warn("job %s: waiting for %s: %s", job.name.c_str(), what, e.what());
}

}  // namespace

void Jobs::add(std::string name, uint64_t first_ms, uint64_t every_ms, Run run) {
  auto job = std::make_unique<Job>(Job{this, std::move(name), first_ms, every_ms, std::move(run)});
  uv_timer_init(loop_, &job->timer);
  job->timer.data = job.get();
  jobs_.push_back(std::move(job));
}

void Jobs::start() {
  for (auto& j : jobs_) uv_timer_start(&j->timer, on_timer, j->first_ms, j->every_ms);
}

void Jobs::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& j : jobs_) {
    uv_timer_stop(&j->timer);
    uv_close(reinterpret_cast<uv_handle_t*>(&j->timer), nullptr);
  }
}

void Jobs::on_timer(uv_timer_t* t) {
  Job* job = static_cast<Job*>(t->data);
  if (job->running || job->owner->stopped_) return;  // the previous run is still going
  job->running = true;
  Jobs* owner = job->owner;
  owner->workers_.submit([owner, job](Deps& d) {
    try {
      job->run(d);
    } catch (const RedisUnavailable& e) {
      log_outage(*job, "Redis", e);
    } catch (const DbUnavailable& e) {
      log_outage(*job, "Postgres", e);
    } catch (const std::exception& e) {
      log_warn("job %s failed: %s", job->name.c_str(), e.what());
    }
    owner->workers_.post([job] { job->running = false; });
  });
}

}  // namespace nt::rt
