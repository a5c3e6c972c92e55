// What the WebSocket benchmarks do before they measure: a small command line, parallel REST
// calls (register users, create chats, fetch single-use WebSocket tickets), and the clock.
// Every call goes to the loopback target given by --base; failures are returned or thrown as
// SetupError with the server's answer, never ignored.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "latency_histogram.hpp"
#include "rest_client.hpp"

namespace nt::bench {

class SetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Nanoseconds on the monotonic clock.
int64_t mono_ns();

// The process id in a pid file; 0 when the file is missing or holds no number.
long read_pid(const std::string& file);

// "--name value" pairs; every option must be one of `known` (name -> default). Throws
// UsageError (bench_options.hpp) for an unknown option, a missing value or a bad number.
class Args {
 public:
  Args(int argc, char** argv, std::map<std::string, std::string> known);
  const std::string& str(const std::string& name) const;
  int64_t integer(const std::string& name, int64_t min, int64_t max) const;
  double number(const std::string& name, double min, double max) const;

 private:
  std::map<std::string, std::string> values_;
};

// Where the stack listens: parse_target_url of --base, so only 127.x.x.x is accepted.
struct BenchTarget {
  sockaddr_in addr{};
  std::string host_header;
};
BenchTarget bench_target(const std::string& base_url);

struct BenchUser {
  std::string id;
  std::string token;  // access token
};

// Runs fn(client, i) for i in [0, count) on `threads` threads, each with its own keep-alive
// RestClient. Returns the first exception's message (the others still run to the end), or "".
std::string parallel_for(const BenchTarget& t, int threads, size_t count,
                         const std::function<void(RestClient&, size_t)>& fn);

// Registers `count` users named <prefix>_<i> (password Bench123pass) in parallel.
std::vector<BenchUser> register_users(const BenchTarget& t, size_t count, const std::string& prefix,
                                      int threads);

// Creates a group chat (the creator is `owner`) with `members` besides the owner; its id.
int64_t create_group(RestClient& c, const BenchUser& owner, const std::string& name,
                     const std::vector<const BenchUser*>& members);

// One fresh ticket for each token, fetched in parallel (tickets are single-use and expire, so
// fetch them just before connecting).
std::vector<std::string> fetch_tickets(const BenchTarget& t, const std::vector<std::string>& tokens,
                                       int threads);

// "p50_ms=… p90_ms=… p99_ms=… max_ms=…" of a histogram of nanoseconds.
std::string latency_summary_ms(const LatencyHistogram& h);

// main() of a bench program: runs `run`, turning a UsageError into exit status 2 with the
// usage text and any other failure into status 1, both reported under `name`.
int run_main(const char* name, const char* usage, int (*run)(int, char**), int argc, char** argv);

}  // namespace nt::bench
