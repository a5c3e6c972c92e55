// Worker threads of the realtime daemon: they run the blocking domain calls (Postgres, Redis
// commands) that WebSocket events need, each thread with its own connections (Deps), so the
// event loop never waits. Results come back to the loop thread through post(), which is the
// only thread-safe entry: a locked queue drained by a uv_async handle.
#pragma once

#include <uv.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "app_deps.hpp"

namespace nt::rt {

class Workers {
 public:
  using Job = std::function<void(Deps&)>;
  using LoopTask = std::function<void()>;

  Workers(const Config& cfg, uv_loop_t* loop, int threads);
  ~Workers();

  // Loop thread: queues a job for a worker thread.
  void submit(Job job);
  // Any thread: runs `task` on the loop thread soon.
  void post(LoopTask task);
  // Loop thread: stops the threads (jobs not started are dropped) and closes the async handle.
  void stop();

 private:
  void run(int index);
  static void on_async(uv_async_t* a);

  const Config& cfg_;
  uv_async_t async_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::mutex out_mu_;
  std::vector<LoopTask> out_;
};

}  // namespace nt::rt
