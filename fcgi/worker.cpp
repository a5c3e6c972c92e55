#include "worker.hpp"

#include <fcgiapp.h>
#include <sys/stat.h>

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <csignal>
#include <cstring>
#include <thread>
#include <vector>

#include "dispatch.hpp"
#include "errors.hpp"
#include "log.hpp"

namespace nt {
namespace {

std::atomic<bool> g_stop{false};

// Requests larger than this are refused before reading; nginx caps bodies earlier.
int64_t hard_body_cap(const Config& cfg) {
  return std::max(cfg.max_json_body_bytes, cfg.max_file_size) + 1024 * 1024;
}

const char* param(FCGX_Request& r, const char* name) {
  const char* v = FCGX_GetParam(name, r.envp);
  return v ? v : "";
}

// Reads the whole body, or false when it is larger than `cap` (the rest is drained). Always
// reads stdin to its end: the empty FCGI_STDIN record that closes the body may arrive after
// the last byte of a large body, and left unread on a kept-alive connection it is taken for
// the start of the next request and libfcgi drops the connection (nginx: "upstream
// prematurely closed connection", a 502 for the next request sent on it).
bool read_body(FCGX_Request& r, int64_t length, int64_t cap, std::string* out) {
  const bool fits = length <= cap;
  if (fits) out->reserve(static_cast<size_t>(length));
  char buf[16384];
  int64_t left = length;
  while (left > 0) {
    const int n = FCGX_GetStr(buf, static_cast<int>(std::min<int64_t>(left, sizeof buf)), r.in);
    if (n <= 0) break;
    if (fits) out->append(buf, static_cast<size_t>(n));
    left -= n;
  }
  while (FCGX_GetStr(buf, sizeof buf, r.in) > 0) {
  }
  return fits;
}

Request build_request(FCGX_Request& r) {
  Request req;
  req.method = param(r, "REQUEST_METHOD");
  req.path = param(r, "DOCUMENT_URI");
  if (req.path.empty()) {
    req.path = param(r, "REQUEST_URI");
    req.path = req.path.substr(0, req.path.find('?'));
  }
  req.query = param(r, "QUERY_STRING");
  req.content_type = param(r, "CONTENT_TYPE");
  req.remote_addr = param(r, "REMOTE_ADDR");
  req.request_id = param(r, "REQUEST_ID");
  req.host = param(r, "HTTP_HOST");
  req.origin = param(r, "HTTP_ORIGIN");
  req.authorization = param(r, "HTTP_AUTHORIZATION");
  req.accept_language = param(r, "HTTP_ACCEPT_LANGUAGE");
  req.x_language = param(r, "HTTP_X_LANGUAGE");
  req.user_agent = param(r, "HTTP_USER_AGENT");
  req.original_uri = param(r, "ORIGINAL_URI");
  req.cors_request_method = param(r, "HTTP_ACCESS_CONTROL_REQUEST_METHOD");
  return req;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

void write_response(FCGX_Request& r, const Response& resp, const std::string& request_id,
                    bool head) {
  std::string out = "Status: " + std::to_string(resp.status) + " " + reason_phrase(resp.status) + "\r\n";
  if (!resp.content_type.empty()) out += "Content-Type: " + resp.content_type + "\r\n";
  if (resp.status != 204) out += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n";
  out += "X-Request-Id: " + request_id + "\r\n";
  out += "X-Content-Type-Options: nosniff\r\n";
  out += "X-Frame-Options: DENY\r\n";
  out += "Referrer-Policy: no-referrer\r\n";
  for (const auto& [k, v] : resp.headers) out += k + ": " + v + "\r\n";
  out += "\r\n";
  if (!head && resp.status != 204) out += resp.body;
  FCGX_PutStr(out.data(), static_cast<int>(out.size()), r.out);
}

void worker_loop(const Config& cfg, int sock, int index) {
  Pg pg(cfg.database_url, cfg.db_statement_timeout_ms);
  Redis redis(cfg.redis_url, 1000);
  FCGX_Request fr;
  FCGX_InitRequest(&fr, sock, FCGI_FAIL_ACCEPT_ON_INTR);
  const int64_t cap = hard_body_cap(cfg);
  while (!g_stop.load()) {
    if (FCGX_Accept_r(&fr) < 0) {
      if (g_stop.load()) break;
      continue;
    }
    Request req = build_request(fr);
    const int64_t length = std::strtoll(param(fr, "CONTENT_LENGTH"), nullptr, 10);
    Response resp;
    if (!read_body(fr, length, cap, &req.body)) {
      ApiError e(Err::kPayloadTooLarge);
      resp = error_response(e, cfg.default_language, req.request_id);
    } else {
      resp = dispatch(cfg, pg, redis, req);
    }
    write_response(fr, resp, req.request_id, req.method == "HEAD");
    FCGX_Finish_r(&fr);
  }
  FCGX_Free(&fr, 1);
  log_info("worker %d stopped", index);
}

std::mutex g_mu;
std::condition_variable g_cv;
int g_running = 0;

}  // namespace

int run_workers(const Config& cfg) {
  if (FCGX_Init() != 0) {
    log_error("FCGX_Init failed");
    return 1;
  }
  const int sock = FCGX_OpenSocket(cfg.api_listen.c_str(), 1024);
  if (sock < 0) {
    log_error("cannot listen on %s", cfg.api_listen.c_str());
    return 1;
  }
  if (cfg.api_listen.find(':') == std::string::npos) {
    chmod(cfg.api_listen.c_str(), static_cast<mode_t>(std::strtol(cfg.api_socket_mode.c_str(), nullptr, 8)));
  }

  // Workers never see SIGTERM/SIGINT; the main thread waits for them with sigwait().
  signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  log_info("nerutalk-api listening on %s with %lld threads", cfg.api_listen.c_str(),
           static_cast<long long>(cfg.api_threads));
  g_running = static_cast<int>(cfg.api_threads);
  for (int i = 0; i < cfg.api_threads; ++i) {
    std::thread([&cfg, sock, i] {
      worker_loop(cfg, sock, i);
      std::lock_guard<std::mutex> lock(g_mu);
      --g_running;
      g_cv.notify_all();
    }).detach();
  }
  int sig = 0;
  sigwait(&stop_signals, &sig);
  log_info("signal %d: stopping; requests in progress finish", sig);
  g_stop.store(true);
  FCGX_ShutdownPending();
  // Wakes the threads blocked in accept(); a thread inside a request finishes it first.
  shutdown(sock, SHUT_RDWR);
  std::unique_lock<std::mutex> lock(g_mu);
  g_cv.wait_for(lock, std::chrono::seconds(5), [] { return g_running == 0; });
  return 0;
}

}  // namespace nt
