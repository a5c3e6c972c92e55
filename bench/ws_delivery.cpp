// ws_delivery: latency from POST /chats/{id}/messages to the new_message frame at every member's
// WebSocket (DESIGN.md §10: 2,000 clients, 1,000 messages/s, p99 <= 50 ms). Registers the users,
// puts them in groups, connects one WebSocket per user through nginx, then sends messages over
// REST at a steady rate from several threads and times each arrival against the moment just
// before its POST (same process, monotonic clock). See bench/README.md.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_options.hpp"
#include "bench_setup.hpp"
#include "delivery_recorder.hpp"
#include "json_fields.hpp"
#include "latency_histogram.hpp"
#include "ws_pool.hpp"

namespace nt::bench {
namespace {

constexpr const char* kUsage =
    "usage: ws_delivery --base http://127.0.0.1:PORT [--clients 2000] [--group-size 10]\n"
    "  [--rate 1000] [--duration 20] [--senders 32] [--ws-threads 2] [--setup-threads 16]\n"
    "  [--drain 10] [--max-seconds 480] [--prefix wsd] [--timeline 0|1]\n"
    "  [--daemon-pid-file $STACK/run/realtime1.pid]\n";

struct Group {
  int64_t chat_id = 0;
  std::vector<size_t> members;  // indexes into the users
};

// What one sender thread did; only that thread writes it until it is joined.
struct SenderTally {
  LatencyHistogram post_latency;
  uint64_t ok = 0;
  uint64_t errors = 0;
  uint64_t expected_deliveries = 0;
  std::string first_error;
};

struct SendPlan {
  BenchTarget target;
  const std::vector<BenchUser>* users;
  const std::vector<Group>* groups;
  DeliveryRecorder* recorder;
  size_t messages = 0;
  double rate = 0;
  int senders = 0;
  int64_t start_ns = 0;
};

// Sender `j` sends messages j, j+senders, ... each at start + k/rate (or at once when late).
// Message k goes to group k % groups, from its member (k / groups) % size.
void run_sender(const SendPlan& p, int j, SenderTally& out) {
  RestClient client(p.target.addr, p.target.host_header);
  const size_t groups = p.groups->size();
  for (size_t k = static_cast<size_t>(j); k < p.messages; k += static_cast<size_t>(p.senders)) {
    const int64_t due = p.start_ns + static_cast<int64_t>(static_cast<double>(k) * 1e9 / p.rate);
    const int64_t wait = due - mono_ns();
    if (wait > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(wait));
    const Group& g = (*p.groups)[k % groups];
    const BenchUser& sender = (*p.users)[g.members[(k / groups) % g.members.size()]];
    const std::string path = "/api/v1/chats/" + std::to_string(g.chat_id) + "/messages";
    const std::string body = "{\"content\":\"bench message " + std::to_string(k) +
                             "\",\"client_msg_id\":\"b" + std::to_string(k) + "\"}";
    const int64_t t0 = mono_ns();
    p.recorder->mark_sent(k, t0);
    const RestReply r = client.request("POST", path, body, sender.token);
    out.post_latency.record(static_cast<uint64_t>(mono_ns() - t0));
    if (r.ok() && r.status == 201) {
      ++out.ok;
      out.expected_deliveries += g.members.size();
    } else {
      ++out.errors;
      if (out.first_error.empty()) {
        out.first_error =
            r.ok() ? "POST message: HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200)
                   : "POST message: " + r.error;
      }
    }
  }
}

// CPU seconds (user + system) the process in `pid_file` has used so far; -1 if unknown.
double process_cpu_s(const std::string& pid_file) {
  const long pid = pid_file.empty() ? 0 : read_pid(pid_file);
  if (pid <= 0) return -1;
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (f == nullptr) return -1;
  char buf[1024];
  const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const char* p = std::strrchr(buf, ')');
  unsigned long long utime = 0, stime = 0;
  if (p == nullptr || std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                                  &utime, &stime) != 2) {
    return -1;
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

void wait_until(const std::atomic<uint64_t>& counter, uint64_t target, double timeout_s) {
  const int64_t deadline = mono_ns() + static_cast<int64_t>(timeout_s * 1e9);
  while (counter.load() < target && mono_ns() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void log(const char* fmt, auto... args) {
  std::fprintf(stderr, "ws_delivery: ");
  std::fprintf(stderr, fmt, args...);
  std::fprintf(stderr, "\n");
}

struct Options {
  BenchTarget target;
  size_t clients = 0;
  size_t group_size = 0;
  double rate = 0;
  double duration = 0;
  int senders = 0;
  int ws_threads = 0;
  int setup_threads = 0;
  double drain = 0;
  double max_seconds = 0;
  bool timeline = false;
  std::string prefix;
  std::string daemon_pid_file;
};

Options parse_options(int argc, char** argv) {
  const Args a(argc, argv,
               {{"base", ""},
                {"clients", "2000"},
                {"group-size", "10"},
                {"rate", "1000"},
                {"duration", "20"},
                {"senders", "32"},
                {"ws-threads", "2"},
                {"setup-threads", "16"},
                {"drain", "10"},
                {"max-seconds", "480"},
                {"prefix", "wsd"},
                {"timeline", "0"},
                {"daemon-pid-file", ""}});
  if (a.str("base").empty()) throw UsageError("--base is required");
  Options o;
  o.target = bench_target(a.str("base"));
  o.clients = static_cast<size_t>(a.integer("clients", 2, 20000));
  o.group_size = static_cast<size_t>(a.integer("group-size", 2, 1000));
  o.rate = a.number("rate", 1, 20000);
  o.duration = a.number("duration", 1, 300);
  o.senders = static_cast<int>(a.integer("senders", 1, 256));
  o.ws_threads = static_cast<int>(a.integer("ws-threads", 1, 16));
  o.setup_threads = static_cast<int>(a.integer("setup-threads", 1, 128));
  o.drain = a.number("drain", 0, 120);
  o.max_seconds = a.number("max-seconds", 10, 3600);
  o.timeline = a.integer("timeline", 0, 1) == 1;
  o.prefix = a.str("prefix");
  o.daemon_pid_file = a.str("daemon-pid-file");
  if (o.clients % o.group_size != 0) {
    throw UsageError("--clients must be a multiple of --group-size");
  }
  return o;
}

// Consecutive users form a group; the first one creates it.
std::vector<Group> create_groups(const Options& o, const std::vector<BenchUser>& users) {
  std::vector<Group> groups(o.clients / o.group_size);
  for (size_t g = 0; g < groups.size(); ++g) {
    for (size_t i = 0; i < o.group_size; ++i) groups[g].members.push_back(g * o.group_size + i);
  }
  const std::string error =
      parallel_for(o.target, o.setup_threads, groups.size(), [&](RestClient& c, size_t g) {
        std::vector<const BenchUser*> others;
        for (size_t i = 1; i < o.group_size; ++i) others.push_back(&users[groups[g].members[i]]);
        groups[g].chat_id =
            create_group(c, users[groups[g].members[0]], "bench " + std::to_string(g), others);
      });
  if (!error.empty()) throw SetupError(error);
  return groups;
}

// One WebSocket per user (tag = user index); returns when all said "connected".
void connect_all(const Options& o, const std::vector<BenchUser>& users, WsPool& pool,
                 const DeliveryRecorder& recorder) {
  const int64_t t0 = mono_ns();
  std::vector<std::string> tokens;
  for (const auto& u : users) tokens.push_back(u.token);
  const std::vector<std::string> tickets = fetch_tickets(o.target, tokens, o.setup_threads);
  std::vector<WsOpenRequest> opens;
  for (size_t i = 0; i < tickets.size(); ++i) opens.push_back({"/ws?ticket=" + tickets[i], i});
  pool.open(std::move(opens));
  pool.wait_settled(120);
  wait_until(recorder.connected, o.clients, 10);
  const WsPoolStats ws = pool.stats();
  log("%" PRIu64 " WebSockets open (%" PRIu64 " failed) in %.1f s", ws.opened, ws.open_failed,
      (mono_ns() - t0) / 1e9);
  if (ws.opened < o.clients) throw SetupError("not every WebSocket opened: " + ws.first_error);
}

// Not recorded: one message per group, until every member has it (the daemon loads each
// user's chats when they connect, asynchronously, so this also shows routing is ready).
void warm_up(const Options& o, const std::vector<BenchUser>& users,
             const std::vector<Group>& groups, const DeliveryRecorder& recorder) {
  const std::string error =
      parallel_for(o.target, o.setup_threads, groups.size(), [&](RestClient& c, size_t g) {
        const std::string body =
            "{\"content\":\"warm-up\",\"client_msg_id\":\"w" + std::to_string(g) + "\"}";
        const RestReply r =
            c.request("POST", "/api/v1/chats/" + std::to_string(groups[g].chat_id) + "/messages",
                      body, users[groups[g].members[0]].token);
        if (!r.ok() || r.status != 201) {
          throw SetupError("warm-up POST: " + r.error + " " + r.body.substr(0, 200));
        }
      });
  if (!error.empty()) throw SetupError(error);
  wait_until(recorder.warmup_arrivals, o.clients, 30);
  log("warm-up: %" PRIu64 " of %zu deliveries", recorder.warmup_arrivals.load(), o.clients);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
}

// Runs the sender threads to the end of the plan and adds up what they did.
SenderTally send_all(const SendPlan& plan) {
  std::vector<SenderTally> sent(static_cast<size_t>(plan.senders));
  std::vector<std::thread> threads;
  for (int j = 0; j < plan.senders; ++j) {
    threads.emplace_back(run_sender, std::cref(plan), j, std::ref(sent[static_cast<size_t>(j)]));
  }
  for (auto& t : threads) t.join();
  SenderTally total;
  for (const auto& s : sent) {
    total.post_latency.merge(s.post_latency);
    total.ok += s.ok;
    total.errors += s.errors;
    total.expected_deliveries += s.expected_deliveries;
    if (total.first_error.empty()) total.first_error = s.first_error;
  }
  return total;
}

int run(int argc, char** argv) {
  const Options o = parse_options(argc, argv);
  // The whole run is bounded, whatever the server does.
  std::thread([max_seconds = o.max_seconds] {
    std::this_thread::sleep_for(std::chrono::duration<double>(max_seconds));
    std::fprintf(stderr, "ws_delivery: gave up after %.0f s\n", max_seconds);
    std::fflush(stdout);
    _exit(3);
  }).detach();

  const int64_t t_setup = mono_ns();
  const std::vector<BenchUser> users =
      register_users(o.target, o.clients, o.prefix, o.setup_threads);
  log("registered %zu users in %.1f s", users.size(), (mono_ns() - t_setup) / 1e9);
  const std::vector<Group> groups = create_groups(o, users);
  log("created %zu groups of %zu", groups.size(), o.group_size);

  const auto messages = static_cast<size_t>(o.rate * o.duration);
  DeliveryRecorder recorder(o.ws_threads, messages, static_cast<uint32_t>(o.group_size));
  WsPool pool(o.target.addr, o.target.host_header, o.ws_threads, recorder, 64);
  connect_all(o, users, pool, recorder);
  warm_up(o, users, groups, recorder);

  const SendPlan plan{o.target, &users, &groups,   &recorder,
                      messages, o.rate, o.senders, mono_ns() + 50'000'000};
  recorder.set_start(plan.start_ns);
  const double daemon_cpu_start = process_cpu_s(o.daemon_pid_file);
  const uint64_t frames_start = pool.stats().texts;
  const SenderTally sent = send_all(plan);
  const int64_t send_end = mono_ns();
  wait_until(recorder.arrivals, sent.expected_deliveries, o.drain);
  const int64_t drain_end = mono_ns();
  const double daemon_cpu_end = process_cpu_s(o.daemon_pid_file);
  const uint64_t open_at_end = pool.open_now();
  const WsPoolStats ws = pool.stats();
  pool.stop();

  const Arrivals got = recorder.merged();
  const double send_s = static_cast<double>(send_end - plan.start_ns) / 1e9;
  const uint64_t received = recorder.arrivals.load();
  const uint64_t unique = received - std::min(received, got.duplicates);
  const uint64_t missing =
      sent.expected_deliveries > unique ? sent.expected_deliveries - unique : 0;
  const uint64_t errors = sent.errors + missing + got.duplicates + got.unknown + ws.closed;
  std::printf("label=ws_delivery clients=%zu groups=%zu group_size=%zu ws_open_at_end=%" PRIu64
              " messages_planned=%zu messages_sent=%" PRIu64 " post_errors=%" PRIu64
              " send_s=%.2f messages_per_s=%.1f deliveries_expected=%" PRIu64
              " deliveries_received=%" PRIu64 " missing=%" PRIu64 " duplicates=%" PRIu64
              " deliveries_per_s=%.1f %s post_p99_ms=%.2f ws_closed=%" PRIu64
              " unknown_frames=%" PRIu64 " errors=%" PRIu64 " drain_s=%.2f\n",
              o.clients, groups.size(), o.group_size, open_at_end, messages, sent.ok, sent.errors,
              send_s, static_cast<double>(sent.ok) / send_s, sent.expected_deliveries, received,
              missing, got.duplicates, static_cast<double>(received) / send_s,
              latency_summary_ms(got.latency).c_str(),
              static_cast<double>(sent.post_latency.percentile(0.99)) / 1e6, ws.closed, got.unknown,
              errors, static_cast<double>(drain_end - send_end) / 1e9);
  std::string by_type = "label=ws_delivery_frames";
  if (daemon_cpu_start >= 0 && daemon_cpu_end >= 0) {
    // What the realtime daemon spent while messages flowed, per text frame the clients got.
    const double cpu = daemon_cpu_end - daemon_cpu_start;
    const uint64_t phase_frames = ws.texts - frames_start;
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  " daemon_cpu_s=%.2f daemon_cpu_share=%.2f daemon_us_per_frame=%.1f", cpu,
                  cpu / (static_cast<double>(drain_end - plan.start_ns) / 1e9),
                  phase_frames ? cpu * 1e6 / static_cast<double>(phase_frames) : 0.0);
    by_type += buf;
  }
  for (const auto& [type, n] : got.frames_by_type) {
    by_type += " " + type + "=" + std::to_string(n);
  }
  std::printf("%s\n", by_type.c_str());
  if (o.timeline) recorder.print_timeline();
  if (!sent.first_error.empty()) log("first POST error: %s", sent.first_error.c_str());
  if (!ws.first_error.empty()) log("first WebSocket error: %s", ws.first_error.c_str());
  return received > 0 ? 0 : 1;
}

}  // namespace
}  // namespace nt::bench

int main(int argc, char** argv) {
  return nt::bench::run_main("ws_delivery", nt::bench::kUsage, nt::bench::run, argc, argv);
}
