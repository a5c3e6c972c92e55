#include "bench_options.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string_view>

#include "http_text.hpp"

namespace nt::bench {

namespace {

constexpr const char* kUsage =
    "usage: http_bench --url http://127.0.0.1:8080/path [options]\n"
    "  --url URL            http:// with host 127.x.x.x or localhost only (required)\n"
    "  --method M           request method (default GET)\n"
    "  --header 'N: v'      extra request header, repeatable\n"
    "  --body TEXT          request body (Content-Length is added)\n"
    "  --body-file PATH     request body read from a file, byte for byte\n"
    "  --paths-file PATH    one /path?query per line; requests take them in turn\n"
    "  --connections N      keep-alive connections, 1..1024 (default 64)\n"
    "  --threads N          epoll threads, 1..64 (default 2)\n"
    "  --duration S         recorded seconds (default 10)\n"
    "  --warmup S           unrecorded seconds before that (default 2)\n"
    "  --timeout S          per-request timeout, counted as an error (default 5)\n"
    "  --label NAME         name printed with the results (default: the URL path)\n"
    "  --json               print one JSON object instead of key=value\n";

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_-./:").find(c) != std::string_view::npos;
}

// RFC 9110 token characters, for methods and header names.
bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

std::string_view header_name(std::string_view header) {
  return header.substr(0, header.find(':'));
}

bool has_header(const BenchOptions& o, std::string_view name) {
  return std::any_of(o.headers.begin(), o.headers.end(),
                     [&](const std::string& h) { return iequals(header_name(h), name); });
}

int parse_int(std::string_view option, std::string_view v, int min, int max) {
  int n = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || ptr != v.data() + v.size() || n < min || n > max) {
    throw UsageError(std::string(option) + " wants a whole number in " + std::to_string(min) +
                     ".." + std::to_string(max) + ", got '" + std::string(v) + "'");
  }
  return n;
}

double parse_seconds(std::string_view option, std::string_view v, double min, double max,
                     bool min_inclusive) {
  double s = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), s);
  const bool above_min = min_inclusive ? s >= min : s > min;
  if (ec != std::errc() || ptr != v.data() + v.size() || !above_min || s > max) {
    throw UsageError(std::string(option) + " wants seconds " + (min_inclusive ? "in [" : "in (") +
                     std::to_string(static_cast<int>(min)) + ", " +
                     std::to_string(static_cast<int>(max)) + "], got '" + std::string(v) + "'");
  }
  return s;
}

void add_header(BenchOptions& o, std::string_view v) {
  const std::string_view name = header_name(v);
  if (v.find(':') == std::string_view::npos || !is_token(name) ||
      v.find_first_of("\r\n") != std::string_view::npos) {
    throw UsageError("--header wants 'Name: value' on one line, got '" + std::string(v) + "'");
  }
  // The body length is ours to compute; a wrong one would desynchronise the connection.
  if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding")) {
    throw UsageError("--header " + std::string(name) + " is set by http_bench itself");
  }
  o.headers.emplace_back(v);
}

// The body from a file, byte for byte (binary uploads cannot travel in argv).
void read_body_file(BenchOptions& o, std::string_view path) {
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in) throw UsageError("--body-file cannot read '" + std::string(path) + "'");
  std::ostringstream buf;
  buf << in.rdbuf();
  o.body = buf.str();
  o.has_body = true;
}

// Paths for successive requests, one per line (blank lines skipped).
void read_paths_file(BenchOptions& o, std::string_view path) {
  std::ifstream in{std::string(path)};
  if (!in) throw UsageError("--paths-file cannot read '" + std::string(path) + "'");
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    if (line.front() != '/' || line.find_first_of(" \r\t") != std::string::npos) {
      throw UsageError("--paths-file lines must be /path?query without blanks, got '" + line + "'");
    }
    o.paths.push_back(line);
  }
  if (o.paths.empty()) throw UsageError("--paths-file '" + std::string(path) + "' has no paths");
}

struct OptionSpec {
  std::string_view name;
  bool takes_value;
  void (*apply)(BenchOptions&, std::string_view value);
};

// The whole command line, one row per option.
constexpr OptionSpec kOptions[] = {
    {"--url", true, [](BenchOptions& o, std::string_view v) { o.url = v; }},
    {"--method", true, [](BenchOptions& o, std::string_view v) { o.method = v; }},
    {"--header", true, add_header},
    {"--body", true,
     [](BenchOptions& o, std::string_view v) {
       o.body = v;
       o.has_body = true;
     }},
    {"--body-file", true, read_body_file},
    {"--paths-file", true, read_paths_file},
    {"--connections", true,
     [](BenchOptions& o, std::string_view v) {
       o.connections = parse_int("--connections", v, 1, 1'000'000);
     }},
    {"--threads", true,
     [](BenchOptions& o, std::string_view v) {
       o.threads = parse_int("--threads", v, 1, kMaxThreads);
     }},
    {"--duration", true,
     [](BenchOptions& o, std::string_view v) {
       o.duration_s = parse_seconds("--duration", v, 0, kMaxDurationS, false);
     }},
    {"--warmup", true,
     [](BenchOptions& o, std::string_view v) {
       o.warmup_s = parse_seconds("--warmup", v, 0, kMaxWarmupS, true);
     }},
    {"--timeout", true,
     [](BenchOptions& o, std::string_view v) {
       o.timeout_s = parse_seconds("--timeout", v, 0, 60, false);
     }},
    {"--label", true, [](BenchOptions& o, std::string_view v) { o.label = v; }},
    {"--json", false, [](BenchOptions& o, std::string_view) { o.json = true; }},
    {"--help", false, [](BenchOptions& o, std::string_view) { o.help = true; }},
    {"-h", false, [](BenchOptions& o, std::string_view) { o.help = true; }},
};

void validate(BenchOptions& o) {
  if (o.url.empty()) throw UsageError("--url is required");
  if (o.method.size() > 32 || !is_token(o.method)) {
    throw UsageError("--method must be an HTTP token such as GET or POST");
  }
  if (o.connections > kMaxConnections) {
    std::fprintf(stderr, "http_bench: --connections capped at %d\n", kMaxConnections);
    o.connections = kMaxConnections;
  }
  // Labels end up unquoted in key=value output and unescaped in JSON, so keep them plain.
  if (!std::all_of(o.label.begin(), o.label.end(), is_label_char)) {
    throw UsageError("--label may use only letters, digits and _-./:");
  }
}

}  // namespace

const char* usage_text() {
  return kUsage;
}

std::string default_label(const std::string& path) {
  std::string label = path.substr(0, path.find('?'));
  std::replace_if(
      label.begin(), label.end(), [](char c) { return !is_label_char(c); }, '_');
  return label;
}

BenchOptions parse_args(int argc, char** argv) {
  BenchOptions o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view inline_value;
    bool has_inline_value = false;
    if (const size_t eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_inline_value = true;
    }
    const auto* spec = std::find_if(std::begin(kOptions), std::end(kOptions),
                                    [&](const OptionSpec& s) { return s.name == arg; });
    if (spec == std::end(kOptions)) throw UsageError("unknown option '" + std::string(arg) + "'");
    if (!spec->takes_value) {
      if (has_inline_value) throw UsageError(std::string(arg) + " takes no value");
      spec->apply(o, {});
      continue;
    }
    if (!has_inline_value) {
      if (i + 1 >= argc) throw UsageError(std::string(arg) + " needs a value");
      inline_value = argv[++i];
    }
    spec->apply(o, inline_value);
  }
  if (!o.help) validate(o);
  return o;
}

Target parse_target_url(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    throw UsageError("--url must start with http:// (no TLS or other schemes): " + url);
  }
  std::string_view rest = std::string_view(url).substr(kScheme.size());
  rest = rest.substr(0, rest.find('#'));  // fragments never reach the server
  const size_t authority_end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, authority_end);

  Target t;
  t.host_header = authority;
  t.path = authority_end == std::string_view::npos ? "/" : std::string(rest.substr(authority_end));
  if (t.path.front() == '?') t.path.insert(0, "/");
  if (t.path.find_first_of(" \r\n") != std::string::npos) {
    throw UsageError("--url path must not contain spaces or line breaks");
  }

  std::string_view host = authority;
  int port = 80;
  if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = parse_int("--url port", authority.substr(colon + 1), 1, 65535);
  }
  const std::string host_text(host);
  t.addr.sin_family = AF_INET;
  t.addr.sin_port = htons(static_cast<uint16_t>(port));
  // "localhost" is mapped here rather than resolved, so no resolver can send the load elsewhere.
  const bool is_localhost = iequals(host, "localhost");
  const bool parsed =
      inet_pton(AF_INET, is_localhost ? "127.0.0.1" : host_text.c_str(), &t.addr.sin_addr) == 1;
  if (!parsed || (ntohl(t.addr.sin_addr.s_addr) >> 24) != 127) {
    throw UsageError("refusing host '" + host_text +
                     "': load may only target this machine (127.x.x.x or localhost)");
  }
  return t;
}

std::string build_request(const BenchOptions& o, const Target& t) {
  std::string r = o.method + " " + t.path + " HTTP/1.1\r\n";
  if (!has_header(o, "Host")) r += "Host: " + t.host_header + "\r\n";
  if (!has_header(o, "User-Agent")) r += "User-Agent: nerutalk-http_bench\r\n";
  for (const std::string& h : o.headers) r += h + "\r\n";
  // Servers may wait for a body on these methods unless told there is none.
  const bool body_method = o.method == "POST" || o.method == "PUT" || o.method == "PATCH";
  if (o.has_body || body_method) r += "Content-Length: " + std::to_string(o.body.size()) + "\r\n";
  r += "\r\n";
  r += o.body;
  return r;
}

std::vector<std::string> build_requests(const BenchOptions& o, const Target& t) {
  if (o.paths.empty()) return {build_request(o, t)};
  std::vector<std::string> out;
  out.reserve(o.paths.size());
  Target each = t;
  for (const std::string& p : o.paths) {
    each.path = p;
    out.push_back(build_request(o, each));
  }
  return out;
}

}  // namespace nt::bench
