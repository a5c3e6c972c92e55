// One-line logs to stderr (journald picks them up under systemd): time, level, the current
// request id of this thread, message. Secrets and tokens are never passed here.
#pragma once

#include <string>

namespace nt {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

void set_log_level(const std::string& name);
// The request id attached to this thread's log lines ("" when none).
void set_log_request_id(const std::string& id);

void log_at(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) ::nt::log_at(::nt::LogLevel::kDebug, __VA_ARGS__)
#define log_info(...) ::nt::log_at(::nt::LogLevel::kInfo, __VA_ARGS__)
#define log_warn(...) ::nt::log_at(::nt::LogLevel::kWarn, __VA_ARGS__)
#define log_error(...) ::nt::log_at(::nt::LogLevel::kError, __VA_ARGS__)

}  // namespace nt
