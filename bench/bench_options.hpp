// Command line of http_bench: parsing, limits, the loopback-only target URL and the request
// bytes every connection sends. Pure functions, no I/O; errors are thrown as UsageError with a
// message meant for the person at the terminal.
#pragma once

#include <netinet/in.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace nt::bench {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Hard limits: load stays bounded whatever is typed.
constexpr int kMaxConnections = 1024;
constexpr int kMaxThreads = 64;
constexpr double kMaxDurationS = 3600;
constexpr double kMaxWarmupS = 600;

struct BenchOptions {
  std::string url;
  std::string method = "GET";
  std::vector<std::string> headers;  // "Name: value", validated
  std::string body;
  bool has_body = false;
  // --paths-file: paths (with queries) that successive requests take in turn, e.g. one
  // search point per line; empty = every request uses the URL's path.
  std::vector<std::string> paths;
  int connections = 64;
  int threads = 2;
  double duration_s = 10;
  double warmup_s = 2;
  double timeout_s = 5;  // per request; a slower response counts as an error
  std::string label;     // defaults to the URL path
  bool json = false;
  bool help = false;
};

// Where the load goes. Only ever a 127.x.x.x address.
struct Target {
  sockaddr_in addr{};
  std::string host_header;  // host[:port] as written in the URL
  std::string path;         // "/..." including any query
};

// Parses argv (options as "--name value" or "--name=value"). Connections above the cap are
// clamped with a note on stderr; every other bad value throws UsageError.
BenchOptions parse_args(int argc, char** argv);

// Accepts only http://127.x.x.x[:port]/path or http://localhost[:port]/path; anything else throws
// UsageError, because this tool may only load the machine it runs on.
Target parse_target_url(const std::string& url);

// The complete request (head and body) that is sent again and again on every connection.
std::string build_request(const BenchOptions& options, const Target& target);

// The requests to send in turn: one per --paths-file line on the URL's host, else the one of
// build_request().
std::vector<std::string> build_requests(const BenchOptions& options, const Target& target);

// The label used when --label is not given: the URL path without its query, with characters
// that are not allowed in labels replaced by '_'.
std::string default_label(const std::string& path);

const char* usage_text();

}  // namespace nt::bench
