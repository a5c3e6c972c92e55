// http_bench: a small HTTP/1.1 load generator for endpoints behind nginx on this machine.
// main only wires things up: parse the command line, start one LoadWorker thread per share of
// connections, wait for them under a hard deadline, merge their results and print one line
// (or one JSON object). See bench/README.md.
#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_options.hpp"
#include "load_worker.hpp"

namespace nt::bench {
namespace {

constexpr int64_t kNsPerS = 1'000'000'000;
// Workers stop on their own at the end of the recording window; this margin only guards
// against a bug, and keeps the whole run under warmup + duration + 5 s.
constexpr int64_t kStopGraceNs = 4 * kNsPerS;

struct Summary {
  std::string label;
  int connections = 0;
  double duration_s = 0;
  WorkerResult merged;
};

// Runs the workers and merges their results. Exits the process (status 3) if they have not all
// stopped by `hard_deadline_ns`, because the run must stay bounded even if a worker is stuck.
WorkerResult run_workers(const LoadPlan& plan, int connections, int threads,
                         int64_t hard_deadline_ns) {
  std::vector<WorkerResult> results(static_cast<size_t>(threads));
  std::mutex mutex;
  std::condition_variable all_done;
  int finished = 0;  // guarded by mutex

  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    // Spread connections evenly; the first (connections % threads) workers take one extra.
    const int share = connections / threads + (t < connections % threads ? 1 : 0);
    workers.emplace_back([&, t, share] {
      WorkerResult& result = results[static_cast<size_t>(t)];
      try {
        run_load_worker(plan, share, result);
      } catch (const std::exception& e) {
        result.fatal = e.what();
      }
      const std::lock_guard lock(mutex);
      ++finished;
      all_done.notify_one();
    });
  }

  {
    std::unique_lock lock(mutex);
    const std::chrono::steady_clock::time_point deadline{
        std::chrono::nanoseconds(hard_deadline_ns)};
    if (!all_done.wait_until(lock, deadline, [&] { return finished == threads; })) {
      std::fputs("http_bench: workers did not stop in time; aborting\n", stderr);
      std::fflush(stdout);
      std::_Exit(3);  // joining would wait on the stuck worker
    }
  }
  for (std::thread& w : workers) w.join();

  WorkerResult merged;
  for (const WorkerResult& r : results) {
    if (!r.fatal.empty()) {
      std::fprintf(stderr, "http_bench: worker failed: %s\n", r.fatal.c_str());
      std::exit(1);
    }
    merged.latencies.merge(r.latencies);
    merged.non_2xx += r.non_2xx;
    merged.errors += r.errors;
    if (merged.first_error.empty()) merged.first_error = r.first_error;
  }
  return merged;
}

double ms(uint64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

void print_summary(const Summary& s, bool json) {
  const LatencyHistogram& h = s.merged.latencies;
  const double rate = static_cast<double>(h.count()) / s.duration_s;
  // The label is restricted to plain characters, so it needs no quoting or escaping here.
  const char* format =
      json ? "{\"label\":\"%s\",\"requests\":%" PRIu64
             ",\"duration_s\":%.2f,\"requests_per_s\":%.1f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,"
             "\"p99_ms\":%.3f,\"max_ms\":%.3f,\"non_2xx\":%" PRIu64 ",\"errors\":%" PRIu64
             ",\"connections\":%d}\n"
           : "label=%s requests=%" PRIu64
             " duration_s=%.2f requests_per_s=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
             "max_ms=%.3f non_2xx=%" PRIu64 " errors=%" PRIu64 " connections=%d\n";
  std::printf(format, s.label.c_str(), h.count(), s.duration_s, rate, ms(h.percentile(0.50)),
              ms(h.percentile(0.90)), ms(h.percentile(0.99)), ms(h.max()), s.merged.non_2xx,
              s.merged.errors, s.connections);
  if (s.merged.errors > 0) {
    std::fprintf(stderr, "http_bench: %" PRIu64 " errors; first: %s\n", s.merged.errors,
                 s.merged.first_error.c_str());
  }
}

int run(int argc, char** argv) {
  BenchOptions options;
  Target target;
  try {
    options = parse_args(argc, argv);
    if (options.help) {
      std::fputs(usage_text(), stdout);
      return 0;
    }
    target = parse_target_url(options.url);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "http_bench: %s\n%s", e.what(), usage_text());
    return 2;
  }

  LoadPlan plan;
  plan.addr = target.addr;
  plan.requests = build_requests(options, target);
  plan.head_request = options.method == "HEAD";
  plan.request_timeout_ns = static_cast<int64_t>(options.timeout_s * kNsPerS);
  const int64_t start_ns = steady_now_ns();
  plan.record_start_ns = start_ns + static_cast<int64_t>(options.warmup_s * kNsPerS);
  plan.record_end_ns = plan.record_start_ns + static_cast<int64_t>(options.duration_s * kNsPerS);

  Summary summary;
  summary.label = options.label.empty() ? default_label(target.path) : options.label;
  summary.connections = options.connections;
  summary.duration_s = options.duration_s;
  const int threads = std::min(options.threads, options.connections);
  summary.merged =
      run_workers(plan, options.connections, threads, plan.record_end_ns + kStopGraceNs);
  print_summary(summary, options.json);
  // A run that completed no request measured nothing; scripts should notice.
  return summary.merged.latencies.count() > 0 ? 0 : 1;
}

}  // namespace
}  // namespace nt::bench

int main(int argc, char** argv) {
  return nt::bench::run(argc, argv);
}
