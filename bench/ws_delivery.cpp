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
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_options.hpp"
#include "bench_setup.hpp"
#include "json_fields.hpp"
#include "latency_histogram.hpp"
#include "ws_pool.hpp"

namespace nt::bench {
namespace {

constexpr const char* kUsage =
    "usage: ws_delivery --base http://127.0.0.1:PORT [--clients 2000] [--group-size 10]\n"
    "  [--rate 1000] [--duration 20] [--senders 24] [--ws-threads 2] [--setup-threads 16]\n"
    "  [--drain 10] [--max-seconds 480] [--prefix wsd]\n";

// "new_message" out of {"type":"new_message",...}; empty when the frame is not like that.
std::string_view frame_type(std::string_view text) {
  constexpr std::string_view kPrefix = "{\"type\":\"";
  if (!text.starts_with(kPrefix)) return {};
  const size_t end = text.find('"', kPrefix.size());
  return end == std::string_view::npos ? std::string_view()
                                       : text.substr(kPrefix.size(), end - kPrefix.size());
}

// What one pool thread saw; only that thread writes it, main reads it after the pool stops.
struct ArrivalTally {
  LatencyHistogram latency;  // measured messages, POST start -> frame at a recipient
  std::vector<std::pair<std::string, uint64_t>> frames_by_type;
  uint64_t duplicates = 0;
  uint64_t unknown = 0;  // new_message frames with no client_msg_id of ours
};

// Times every arrival of a measured message. Senders call mark_sent() (any thread) just
// before the POST; pool threads call on_text().
class DeliveryRecorder : public WsHandler {
 public:
  DeliveryRecorder(int threads, size_t messages, uint32_t recipients_per_message)
      : tallies_(static_cast<size_t>(threads)),
        messages_(messages),
        recipients_(recipients_per_message),
        sent_ns_(new std::atomic<int64_t>[messages]),
        seen_(new std::atomic<uint32_t>[messages]) {
    for (size_t k = 0; k < messages; ++k) {
      sent_ns_[k].store(0, std::memory_order_relaxed);
      seen_[k].store(0, std::memory_order_relaxed);
    }
  }

  void mark_sent(size_t k, int64_t ns) { sent_ns_[k].store(ns, std::memory_order_release); }

  void on_text(int thread, uint64_t /*tag*/, std::string_view text) override {
    ArrivalTally& t = tallies_[static_cast<size_t>(thread)];
    const std::string_view type = frame_type(text);
    auto it = std::find_if(t.frames_by_type.begin(), t.frames_by_type.end(),
                           [&](const auto& p) { return p.first == type; });
    if (it == t.frames_by_type.end()) {
      t.frames_by_type.emplace_back(std::string(type.empty() ? "(not json)" : type), 1);
    } else {
      ++it->second;
    }
    if (type == "connected") {
      ++connected;
      return;
    }
    if (type != "new_message") return;
    const auto id = json_string(text, "client_msg_id");
    if (id && id->starts_with("w")) {
      ++warmup_arrivals;
      return;
    }
    size_t k = messages_;
    if (id && id->size() > 1 && id->front() == 'b') k = std::strtoull(id->c_str() + 1, nullptr, 10);
    const int64_t sent = k < messages_ ? sent_ns_[k].load(std::memory_order_acquire) : 0;
    if (sent == 0) {
      ++t.unknown;
      return;
    }
    t.latency.record(static_cast<uint64_t>(std::max<int64_t>(0, mono_ns() - sent)));
    if (seen_[k].fetch_add(1, std::memory_order_relaxed) >= recipients_) ++t.duplicates;
    ++arrivals;
  }

  const std::vector<ArrivalTally>& tallies() const { return tallies_; }

  std::atomic<uint64_t> connected{0};
  std::atomic<uint64_t> warmup_arrivals{0};
  std::atomic<uint64_t> arrivals{0};

 private:
  std::vector<ArrivalTally> tallies_;
  const size_t messages_;
  const uint32_t recipients_;
  std::unique_ptr<std::atomic<int64_t>[]> sent_ns_;
  std::unique_ptr<std::atomic<uint32_t>[]> seen_;
};

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
        out.first_error = r.ok() ? "POST message: HTTP " + std::to_string(r.status) + " " +
                                       r.body.substr(0, 200)
                                 : "POST message: " + r.error;
      }
    }
  }
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

int run(int argc, char** argv) {
  const Args a(argc, argv, {{"base", ""}, {"clients", "2000"}, {"group-size", "10"},
                            {"rate", "1000"}, {"duration", "20"}, {"senders", "24"},
                            {"ws-threads", "2"}, {"setup-threads", "16"}, {"drain", "10"},
                            {"max-seconds", "480"}, {"prefix", "wsd"}});
  if (a.str("base").empty()) throw UsageError("--base is required");
  const BenchTarget target = bench_target(a.str("base"));
  const auto clients = static_cast<size_t>(a.integer("clients", 2, 20000));
  const auto group_size = static_cast<size_t>(a.integer("group-size", 2, 1000));
  const double rate = a.number("rate", 1, 20000);
  const double duration = a.number("duration", 1, 300);
  const int senders = static_cast<int>(a.integer("senders", 1, 256));
  const int ws_threads = static_cast<int>(a.integer("ws-threads", 1, 16));
  const int setup_threads = static_cast<int>(a.integer("setup-threads", 1, 128));
  const double drain = a.number("drain", 0, 120);
  const double max_seconds = a.number("max-seconds", 10, 3600);
  if (clients % group_size != 0) throw UsageError("--clients must be a multiple of --group-size");

  // The whole run is bounded, whatever the server does.
  std::thread([max_seconds] {
    std::this_thread::sleep_for(std::chrono::duration<double>(max_seconds));
    std::fprintf(stderr, "ws_delivery: gave up after %.0f s\n", max_seconds);
    std::fflush(stdout);
    _exit(3);
  }).detach();

  const int64_t t_setup = mono_ns();
  const std::vector<BenchUser> users = register_users(target, clients, a.str("prefix"), setup_threads);
  log("registered %zu users in %.1f s", users.size(), (mono_ns() - t_setup) / 1e9);

  std::vector<Group> groups(clients / group_size);
  for (size_t g = 0; g < groups.size(); ++g) {
    for (size_t i = 0; i < group_size; ++i) groups[g].members.push_back(g * group_size + i);
  }
  std::string error = parallel_for(target, setup_threads, groups.size(), [&](RestClient& c, size_t g) {
    std::vector<const BenchUser*> others;
    for (size_t i = 1; i < group_size; ++i) others.push_back(&users[groups[g].members[i]]);
    groups[g].chat_id = create_group(c, users[groups[g].members[0]], "bench " + std::to_string(g), others);
  });
  if (!error.empty()) throw SetupError(error);
  log("created %zu groups of %zu", groups.size(), group_size);

  const auto messages = static_cast<size_t>(rate * duration);
  DeliveryRecorder recorder(ws_threads, messages, static_cast<uint32_t>(group_size));
  WsPool pool(target.addr, target.host_header, ws_threads, recorder, 64);
  const int64_t t_connect = mono_ns();
  std::vector<std::string> tokens;
  for (const auto& u : users) tokens.push_back(u.token);
  const std::vector<std::string> tickets = fetch_tickets(target, tokens, setup_threads);
  std::vector<WsOpenRequest> opens;
  for (size_t i = 0; i < tickets.size(); ++i) opens.push_back({"/ws?ticket=" + tickets[i], i});
  pool.open(std::move(opens));
  pool.wait_settled(120);
  wait_until(recorder.connected, clients, 10);
  WsPoolStats ws = pool.stats();
  log("%" PRIu64 " WebSockets open (%" PRIu64 " failed) in %.1f s", ws.opened, ws.open_failed,
      (mono_ns() - t_connect) / 1e9);
  if (ws.opened < clients) throw SetupError("not every WebSocket opened: " + ws.first_error);

  // Warm-up, not recorded: one message per group, until every member has it (the daemon loads
  // each user's chats when they connect, asynchronously).
  error = parallel_for(target, setup_threads, groups.size(), [&](RestClient& c, size_t g) {
    const std::string body = "{\"content\":\"warm-up\",\"client_msg_id\":\"w" + std::to_string(g) + "\"}";
    const RestReply r = c.request("POST", "/api/v1/chats/" + std::to_string(groups[g].chat_id) + "/messages",
                                  body, users[groups[g].members[0]].token);
    if (!r.ok() || r.status != 201) throw SetupError("warm-up POST: " + r.error + " " + r.body.substr(0, 200));
  });
  if (!error.empty()) throw SetupError(error);
  wait_until(recorder.warmup_arrivals, clients, 30);
  log("warm-up: %" PRIu64 " of %zu deliveries", recorder.warmup_arrivals.load(), clients);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  SendPlan plan{target, &users, &groups, &recorder, messages, rate, senders, mono_ns() + 50'000'000};
  std::vector<SenderTally> sent(static_cast<size_t>(senders));
  std::vector<std::thread> threads;
  for (int j = 0; j < senders; ++j) threads.emplace_back(run_sender, std::cref(plan), j, std::ref(sent[j]));
  for (auto& t : threads) t.join();
  const int64_t send_end = mono_ns();
  SenderTally total;
  for (const auto& s : sent) {
    total.post_latency.merge(s.post_latency);
    total.ok += s.ok;
    total.errors += s.errors;
    total.expected_deliveries += s.expected_deliveries;
    if (total.first_error.empty()) total.first_error = s.first_error;
  }
  wait_until(recorder.arrivals, total.expected_deliveries, drain);
  const int64_t drain_end = mono_ns();
  const uint64_t open_at_end = pool.open_now();
  ws = pool.stats();
  pool.stop();

  LatencyHistogram latency;
  uint64_t duplicates = 0, unknown = 0;
  std::vector<std::pair<std::string, uint64_t>> frames;
  for (const auto& t : recorder.tallies()) {
    latency.merge(t.latency);
    duplicates += t.duplicates;
    unknown += t.unknown;
    for (const auto& [type, n] : t.frames_by_type) {
      auto it = std::find_if(frames.begin(), frames.end(), [&](const auto& p) { return p.first == type; });
      if (it == frames.end()) frames.emplace_back(type, n); else it->second += n;
    }
  }
  const double send_s = static_cast<double>(send_end - plan.start_ns) / 1e9;
  const uint64_t received = recorder.arrivals.load();
  const uint64_t unique = received - std::min(received, duplicates);
  const uint64_t missing = total.expected_deliveries > unique ? total.expected_deliveries - unique : 0;
  const uint64_t errors = total.errors + missing + duplicates + unknown + ws.closed;
  std::printf("label=ws_delivery clients=%zu groups=%zu group_size=%zu ws_open_at_end=%" PRIu64
              " messages_planned=%zu messages_sent=%" PRIu64 " post_errors=%" PRIu64
              " send_s=%.2f messages_per_s=%.1f deliveries_expected=%" PRIu64
              " deliveries_received=%" PRIu64 " missing=%" PRIu64 " duplicates=%" PRIu64
              " deliveries_per_s=%.1f %s post_p99_ms=%.2f ws_closed=%" PRIu64
              " unknown_frames=%" PRIu64 " errors=%" PRIu64 " drain_s=%.2f\n",
              clients, groups.size(), group_size, open_at_end, messages, total.ok, total.errors, send_s,
              static_cast<double>(total.ok) / send_s, total.expected_deliveries, received, missing,
              duplicates, static_cast<double>(received) / send_s, latency_summary_ms(latency).c_str(),
              static_cast<double>(total.post_latency.percentile(0.99)) / 1e6, ws.closed, unknown,
              errors, static_cast<double>(drain_end - send_end) / 1e9);
  std::string by_type = "label=ws_delivery_frames";
  for (const auto& [type, n] : frames) by_type += " " + type + "=" + std::to_string(n);
  std::printf("%s\n", by_type.c_str());
  if (!total.first_error.empty()) log("first POST error: %s", total.first_error.c_str());
  if (!ws.first_error.empty()) log("first WebSocket error: %s", ws.first_error.c_str());
  return received > 0 ? 0 : 1;
}

}  // namespace
}  // namespace nt::bench

int main(int argc, char** argv) {
  try {
    return nt::bench::run(argc, argv);
  } catch (const nt::bench::UsageError& e) {
    std::fprintf(stderr, "ws_delivery: %s\n%s", e.what(), nt::bench::kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ws_delivery: %s\n", e.what());
    return 1;
  }
}
