#include "bench_setup.hpp"

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "bench_options.hpp"
#include "json_fields.hpp"
#include "latency_histogram.hpp"

namespace nt::bench {

int64_t mono_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

long read_pid(const std::string& file) {
  FILE* f = std::fopen(file.c_str(), "r");
  if (f == nullptr) return 0;
  long pid = 0;
  if (std::fscanf(f, "%ld", &pid) != 1) pid = 0;
  std::fclose(f);
  return pid;
}

Args::Args(int argc, char** argv, std::map<std::string, std::string> known)
    : values_(std::move(known)) {
  for (int i = 1; i < argc; ++i) {
    std::string name = argv[i];
    std::string value;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      throw UsageError("option " + name + " needs a value");
    }
    if (!name.starts_with("--") || !values_.count(name.substr(2))) {
      throw UsageError("unknown option " + name);
    }
    values_[name.substr(2)] = value;
  }
}

const std::string& Args::str(const std::string& name) const {
  return values_.at(name);
}

int64_t Args::integer(const std::string& name, int64_t min, int64_t max) const {
  const std::string& v = str(name);
  int64_t out = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || ptr != v.data() + v.size() || out < min || out > max) {
    throw UsageError("--" + name + " must be an integer in [" + std::to_string(min) + ", " +
                     std::to_string(max) + "], got '" + v + "'");
  }
  return out;
}

double Args::number(const std::string& name, double min, double max) const {
  const std::string& v = str(name);
  char* end = nullptr;
  const double out = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(out >= min && out <= max)) {
    throw UsageError("--" + name + " must be a number in [" + std::to_string(min) + ", " +
                     std::to_string(max) + "], got '" + v + "'");
  }
  return out;
}

BenchTarget bench_target(const std::string& base_url) {
  try {
    const Target t = parse_target_url(base_url + "/");
    return {t.addr, t.host_header};
  } catch (const UsageError& e) {
    throw UsageError(std::string("--base: ") + e.what());
  }
}

std::string parallel_for(const BenchTarget& t, int threads, size_t count,
                         const std::function<void(RestClient&, size_t)>& fn) {
  std::atomic<size_t> next{0};
  std::mutex mutex;
  std::string first_error;
  std::vector<std::thread> pool;
  for (int k = 0; k < threads; ++k) {
    pool.emplace_back([&] {
      RestClient client(t.addr, t.host_header);
      for (size_t i; (i = next++) < count;) {
        try {
          fn(client, i);
        } catch (const std::exception& e) {
          std::lock_guard lock(mutex);
          if (first_error.empty()) first_error = e.what();
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  return first_error;
}

namespace {

// The reply, or SetupError naming the call and what came back.
RestReply expect(RestReply r, int status_a, int status_b, const std::string& what) {
  if (!r.ok()) throw SetupError(what + ": " + r.error);
  if (r.status != status_a && r.status != status_b) {
    throw SetupError(what + ": HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 300));
  }
  return r;
}

}  // namespace

std::vector<BenchUser> register_users(const BenchTarget& t, size_t count, const std::string& prefix,
                                      int threads) {
  std::vector<BenchUser> users(count);
  const std::string error = parallel_for(t, threads, count, [&](RestClient& c, size_t i) {
    const std::string name = prefix + "_" + std::to_string(i);
    const std::string body = "{\"username\":\"" + name + "\",\"email\":\"" + name +
                             "@example.com\",\"password\":\"Bench123pass\"}";
    const RestReply r =
        expect(c.request("POST", "/api/v1/register", body), 201, 201, "register " + name);
    // {"user":{"id":"…",…},"access_token":"…",…}: the first "id" is the user's.
    auto id = json_string(r.body, "id");
    auto token = json_string(r.body, "access_token");
    if (!id || !token)
      throw SetupError("register " + name + ": no id or token in " + r.body.substr(0, 200));
    users[i] = {std::move(*id), std::move(*token)};
  });
  if (!error.empty()) throw SetupError(error);
  return users;
}

int64_t create_group(RestClient& c, const BenchUser& owner, const std::string& name,
                     const std::vector<const BenchUser*>& members) {
  std::string ids;
  for (const BenchUser* m : members) ids += (ids.empty() ? "\"" : ",\"") + m->id + "\"";
  const std::string body = "{\"chat_type\":\"group\",\"name\":\"" + json_escape(name) +
                           "\",\"participant_ids\":[" + ids + "]}";
  const RestReply r = expect(c.request("POST", "/api/v1/chats", body, owner.token), 201, 200,
                             "create chat " + name);
  const auto id = json_int(r.body, "id");
  if (!id) throw SetupError("create chat " + name + ": no id in " + r.body.substr(0, 200));
  return *id;
}

std::vector<std::string> fetch_tickets(const BenchTarget& t, const std::vector<std::string>& tokens,
                                       int threads) {
  std::vector<std::string> tickets(tokens.size());
  const std::string error = parallel_for(t, threads, tokens.size(), [&](RestClient& c, size_t i) {
    const RestReply r =
        expect(c.request("POST", "/api/v1/ws-ticket", "", tokens[i]), 200, 201, "ws-ticket");
    auto ticket = json_string(r.body, "ticket");
    if (!ticket) throw SetupError("ws-ticket: no ticket in " + r.body.substr(0, 200));
    tickets[i] = std::move(*ticket);
  });
  if (!error.empty()) throw SetupError(error);
  return tickets;
}

std::string latency_summary_ms(const LatencyHistogram& h) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f",
                static_cast<double>(h.percentile(0.50)) / 1e6,
                static_cast<double>(h.percentile(0.90)) / 1e6,
                static_cast<double>(h.percentile(0.99)) / 1e6, static_cast<double>(h.max()) / 1e6);
  return buf;
}

int run_main(const char* name, const char* usage, int (*run)(int, char**), int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: %s\n%s", name, e.what(), usage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", name, e.what());
    return 1;
  }
}

}  // namespace nt::bench
