#include "log.hpp"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <ctime>

#include "time_util.hpp"

namespace nt {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
thread_local std::string t_request_id;

const char* level_name(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

}  // namespace

void set_log_level(const std::string& name) {
  LogLevel l = LogLevel::kInfo;
  if (name == "debug") l = LogLevel::kDebug;
  if (name == "warn") l = LogLevel::kWarn;
  if (name == "error") l = LogLevel::kError;
  g_level = static_cast<int>(l);
}

void set_log_request_id(const std::string& id) { t_request_id = id; }

void log_at(LogLevel level, const char* fmt, ...) {
  if (static_cast<int>(level) < g_level.load(std::memory_order_relaxed)) return;
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  const std::string ts = format_rfc3339(now_ms());
  if (t_request_id.empty()) {
    fprintf(stderr, "%s %s %s\n", ts.c_str(), level_name(level), msg);
  } else {
    fprintf(stderr, "%s %s rid=%s %s\n", ts.c_str(), level_name(level), t_request_id.c_str(), msg);
  }
}

}  // namespace nt
