#include "workers.hpp"

#include "errors.hpp"
#include "log.hpp"

namespace nt::rt {

Workers::Workers(const Config& cfg, uv_loop_t* loop, int threads) : cfg_(cfg) {
  uv_async_init(loop, &async_, on_async);
  async_.data = this;
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this, i] { run(i); });
}

Workers::~Workers() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void Workers::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    jobs_.clear();
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
}

void Workers::submit(Job job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void Workers::post(LoopTask task) {
  {
    std::lock_guard<std::mutex> lock(out_mu_);
    out_.push_back(std::move(task));
  }
  uv_async_send(&async_);
}

void Workers::on_async(uv_async_t* a) {
  auto* w = static_cast<Workers*>(a->data);
  std::vector<LoopTask> tasks;
  {
    std::lock_guard<std::mutex> lock(w->out_mu_);
    tasks.swap(w->out_);
  }
  for (auto& t : tasks) t();
}

void Workers::run(int index) {
  Pg pg(cfg_.database_url, cfg_.db_statement_timeout_ms);
  Redis redis(cfg_.redis_url, 1000);
  Deps deps{cfg_, pg, redis};
  while (true) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    // Jobs report their own errors to the client; anything escaping is a bug, logged here so
    // one bad job never takes the daemon down.
    try {
      job(deps);
    } catch (const std::exception& e) {
      log_error("realtime worker %d: job failed: %s", index, e.what());
    }
  }
}

}  // namespace nt::rt
