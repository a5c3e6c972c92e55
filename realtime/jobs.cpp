#include "jobs.hpp"

#include "log.hpp"

namespace nt::rt {

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
    } catch (const std::exception& e) {
      log_warn("job %s failed: %s", job->name.c_str(), e.what());
    }
    owner->workers_.post([job] { job->running = false; });
  });
}

}  // namespace nt::rt
