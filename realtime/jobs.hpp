// Background jobs of the realtime daemon (DESIGN.md §1): periodic durable work such as the
// storage GC. Each job runs on a worker thread (never on the loop), at most one run of a job
// at a time per daemon; several daemons may run the same job, so every job claims its rows
// itself (SKIP LOCKED) and is idempotent. A job that throws is logged and runs again at its
// next tick; a lost Postgres or Redis is logged at most once per ten seconds per job.
#pragma once

#include <uv.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "workers.hpp"

namespace nt::rt {

class Jobs {
 public:
  using Run = std::function<void(Deps&)>;

  Jobs(uv_loop_t* loop, Workers& workers) : loop_(loop), workers_(workers) {}
  Jobs(const Jobs&) = delete;
  Jobs& operator=(const Jobs&) = delete;

  // Loop thread, before start(): runs `run` every `every_ms` (first run after `first_ms`).
  void add(std::string name, uint64_t first_ms, uint64_t every_ms, Run run);
  void start();
  // Loop thread: stops the timers and closes their handles.
  void stop();
  // Any thread: whether stop() has run; a long job run checks it to end early.
  bool stopping() const { return stopped_.load(); }

 public:
  struct Job {
    Jobs* owner;
    std::string name;
    uint64_t first_ms;
    uint64_t every_ms;
    Run run;
    bool running = false;
    int64_t outage_logged_ms = 0;  // worker thread, one run at a time
    uv_timer_t timer;
  };

 private:
  static void on_timer(uv_timer_t* t);

  uv_loop_t* loop_;
  Workers& workers_;
  std::atomic<bool> stopped_{false};
  std::vector<std::unique_ptr<Job>> jobs_;
};

}  // namespace nt::rt
