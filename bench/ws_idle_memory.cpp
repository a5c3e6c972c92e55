// ws_idle_memory: resident memory of the realtime daemon per idle WebSocket connection
// (DESIGN.md §10: <= 4 KiB each at 10,000 connections). Registers a few users, reads the
// daemon's VmRSS, opens users x per-user connections through nginx in batches (each with its
// own single-use ticket), holds them open while answering the server's pings, and reads VmRSS
// again. See bench/README.md.
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench_options.hpp"
#include "bench_setup.hpp"
#include "ws_pool.hpp"

namespace nt::bench {
namespace {

constexpr const char* kUsage =
    "usage: ws_idle_memory --base http://127.0.0.1:PORT --pid-file $STACK/run/realtime1.pid\n"
    "  [--users 100] [--per-user 100] [--batch 1000] [--hold 30] [--ws-threads 2]\n"
    "  [--setup-threads 16] [--nginx-pid-file $STACK/run/nginx.pid] [--max-seconds 480]\n"
    "  [--prefix wsi]\n";

// Counts what idle connections receive (the first frame is "connected"; presence events of
// the other users follow). Called on pool threads.
class IdleCounter : public WsHandler {
 public:
  void on_text(int, uint64_t, std::string_view text) override {
    if (text.starts_with("{\"type\":\"connected\"")) {
      ++connected;
    } else {
      ++other;
    }
  }
  std::atomic<uint64_t> connected{0};
  std::atomic<uint64_t> other{0};
};

// VmRSS of a process in KiB (0 when it is gone).
int64_t rss_kib(long pid) {
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/status").c_str(), "r");
  if (f == nullptr) return 0;
  char line[256];
  int64_t kib = 0;
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, "VmRSS:", 6) == 0) kib = std::strtoll(line + 6, nullptr, 10);
  }
  std::fclose(f);
  return kib;
}

// Summed VmRSS of the children of `parent` (nginx's workers), in KiB.
int64_t children_rss_kib(long parent) {
  if (parent <= 0) return 0;
  int64_t total = 0;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return 0;
  while (dirent* e = ::readdir(d)) {
    const long pid = std::strtol(e->d_name, nullptr, 10);
    if (pid <= 0) continue;
    FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
    if (f == nullptr) continue;
    char buf[512];
    const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    const char* p = std::strrchr(buf, ')');
    long ppid = 0;
    if (p && std::sscanf(p + 2, "%*c %ld", &ppid) == 1 && ppid == parent) total += rss_kib(pid);
  }
  ::closedir(d);
  return total;
}

void log(const char* fmt, auto... args) {
  std::fprintf(stderr, "ws_idle_memory: ");
  std::fprintf(stderr, fmt, args...);
  std::fprintf(stderr, "\n");
}

int run(int argc, char** argv) {
  const Args a(argc, argv,
               {{"base", ""},
                {"pid-file", ""},
                {"users", "100"},
                {"per-user", "100"},
                {"batch", "1000"},
                {"hold", "30"},
                {"ws-threads", "2"},
                {"setup-threads", "16"},
                {"nginx-pid-file", ""},
                {"max-seconds", "480"},
                {"prefix", "wsi"}});
  if (a.str("base").empty() || a.str("pid-file").empty()) {
    throw UsageError("--base and --pid-file are required");
  }
  const BenchTarget target = bench_target(a.str("base"));
  const auto users_n = static_cast<size_t>(a.integer("users", 1, 10000));
  const auto per_user = static_cast<size_t>(a.integer("per-user", 1, 10000));
  const auto batch = static_cast<size_t>(a.integer("batch", 1, 10000));
  const double hold = a.number("hold", 0, 600);
  const int ws_threads = static_cast<int>(a.integer("ws-threads", 1, 16));
  const int setup_threads = static_cast<int>(a.integer("setup-threads", 1, 128));
  const double max_seconds = a.number("max-seconds", 10, 3600);
  const size_t total = users_n * per_user;
  if (total > 60000) throw UsageError("at most 60,000 connections (one client address)");
  const long daemon = read_pid(a.str("pid-file"));
  if (daemon <= 0 || rss_kib(daemon) == 0)
    throw SetupError("no running daemon in " + a.str("pid-file"));
  const long nginx = a.str("nginx-pid-file").empty() ? 0 : read_pid(a.str("nginx-pid-file"));

  std::thread([max_seconds] {
    std::this_thread::sleep_for(std::chrono::duration<double>(max_seconds));
    std::fprintf(stderr, "ws_idle_memory: gave up after %.0f s\n", max_seconds);
    _exit(3);
  }).detach();

  const std::vector<BenchUser> users =
      register_users(target, users_n, a.str("prefix"), setup_threads);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const int64_t rss_before = rss_kib(daemon);
  const int64_t nginx_before = children_rss_kib(nginx);
  log("%zu users; daemon VmRSS %" PRId64 " KiB before any connection", users.size(), rss_before);

  IdleCounter counter;
  WsPool pool(target.addr, target.host_header, ws_threads, counter, 64);
  const int64_t t_open = mono_ns();
  for (size_t first = 0; first < total; first += batch) {
    const size_t n = std::min(batch, total - first);
    std::vector<std::string> tokens;
    for (size_t i = first; i < first + n; ++i) tokens.push_back(users[i % users_n].token);
    const std::vector<std::string> tickets = fetch_tickets(target, tokens, setup_threads);
    std::vector<WsOpenRequest> opens;
    for (size_t i = 0; i < n; ++i) opens.push_back({"/ws?ticket=" + tickets[i], first + i});
    pool.open(std::move(opens));
    pool.wait_settled(60);
    const WsPoolStats s = pool.stats();
    log("%" PRIu64 " open, %" PRIu64 " failed; daemon VmRSS %" PRId64 " KiB", pool.open_now(),
        s.open_failed, rss_kib(daemon));
    if (s.open_failed > 0) break;  // a limit was hit: measure what is open, say why below
  }
  const uint64_t opened = pool.stats().opened;
  const int64_t wait_end = mono_ns() + 20'000'000'000;
  while (counter.connected < opened && mono_ns() < wait_end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  log("%" PRIu64 " connections open in %.1f s; holding %.0f s", pool.open_now(),
      (mono_ns() - t_open) / 1e9, hold);

  // Hold idle; the server pings every 25 s and the pool answers.
  int64_t rss_peak = 0, rss_after = 0;
  const int64_t hold_end = mono_ns() + static_cast<int64_t>(hold * 1e9);
  do {
    rss_after = rss_kib(daemon);
    rss_peak = std::max(rss_peak, rss_after);
    std::this_thread::sleep_for(std::chrono::seconds(1));
  } while (mono_ns() < hold_end);
  rss_after = rss_kib(daemon);
  const int64_t nginx_after = children_rss_kib(nginx);
  const uint64_t open_at_end = pool.open_now();
  const WsPoolStats s = pool.stats();
  pool.stop();

  const double conns = static_cast<double>(std::max<uint64_t>(open_at_end, 1));
  std::printf("label=ws_idle_memory connections=%" PRIu64
              " asked=%zu users=%zu open_failed=%" PRIu64 " closed_while_held=%" PRIu64
              " pings_answered=%" PRIu64
              " held_s=%.0f"
              " rss_before_kib=%" PRId64 " rss_after_kib=%" PRId64 " rss_peak_kib=%" PRId64
              " kib_per_connection=%.2f total_kib_per_connection=%.2f",
              open_at_end, total, users_n, s.open_failed, s.closed, s.pings, hold, rss_before,
              rss_after, rss_peak, static_cast<double>(rss_after - rss_before) / conns,
              static_cast<double>(rss_after) / conns);
  if (nginx > 0) {
    std::printf(" nginx_workers_rss_before_kib=%" PRId64 " nginx_workers_rss_after_kib=%" PRId64
                " nginx_kib_per_connection=%.2f",
                nginx_before, nginx_after, static_cast<double>(nginx_after - nginx_before) / conns);
  }
  std::printf(" other_frames=%" PRIu64 "\n", counter.other.load());
  if (!s.first_error.empty()) log("first WebSocket error: %s", s.first_error.c_str());
  return open_at_end > 0 ? 0 : 1;
}

}  // namespace
}  // namespace nt::bench

int main(int argc, char** argv) {
  return nt::bench::run_main("ws_idle_memory", nt::bench::kUsage, nt::bench::run, argc, argv);
}
