// A command-line door to the FCM client (common/fcm_client.hpp), so the integration tests
// (tests/integration/test_fcm_client.py) drive the real C++ client against the FCM stand-in
// without the REST API. Settings come from the environment as for every process (FCM_*,
// HTTP_CLIENT_TIMEOUT_MS); DATABASE_URL, REDIS_URL and JWT_SECRET_KEY are not used here.
//
//   fcm_client_check [--once] [--attempts N] [--normal] [--title T] [--body B]
//                    [--data KEY=VALUE]... DEVICE_TOKEN...
//
// Sends one message to each device token in turn through one client (so one access token
// serves them all), with send_with_retry (N attempts, default FCM_MAX_ATTEMPTS) or, with
// --once, a single send. Prints one JSON line per token: token, outcome, is_sent,
// fcm_message_id, error_message, retry_after_ms, deactivate_token, attempts, http_status,
// error_code.
//
// Exit status: 0 sent (whatever FCM answered), 2 usage or settings error (message on stderr).
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "../tool_config.hpp"
#include "fcm_client.hpp"

namespace {

struct Options {
  bool once = false;
  int attempts = 0;  // 0 = FCM_MAX_ATTEMPTS
  nt::PushMessage message;
  std::vector<std::string> tokens;
};

int usage() {
  std::cerr << "usage: fcm_client_check [--once] [--attempts N] [--normal] [--title T] "
               "[--body B] [--data KEY=VALUE]... DEVICE_TOKEN...\n";
  return 2;
}

bool parse_args(const std::vector<std::string>& args, Options& o) {
  o.message.title = "NeruTalk";
  o.message.body = "You have a new message";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--once") {
      o.once = true;
    } else if (a == "--normal") {
      o.message.high_priority = false;
    } else if (a == "--attempts" && has_value) {
      o.attempts = std::atoi(args[++i].c_str());
      if (o.attempts < 1) return false;
    } else if (a == "--title" && has_value) {
      o.message.title = args[++i];
    } else if (a == "--body" && has_value) {
      o.message.body = args[++i];
    } else if (a == "--data" && has_value) {
      const std::string& kv = args[++i];
      const size_t eq = kv.find('=');
      if (eq == std::string::npos) return false;
      o.message.data[kv.substr(0, eq)] = kv.substr(eq + 1);
    } else if (a.rfind("--", 0) == 0) {
      return false;
    } else {
      o.tokens.push_back(a);
    }
  }
  return !o.tokens.empty();
}

nt::Json result_json(const std::string& token, const nt::FcmResult& r) {
  nt::Json j = nt::Json::object();
  j.set("token", token)
      .set("outcome", nt::fcm_outcome_name(r.outcome))
      .set("is_sent", r.is_sent)
      .set("fcm_message_id", r.fcm_message_id)
      .set("error_message", r.error_message)
      .set("retry_after_ms", r.retry_after_ms)
      .set("deactivate_token", r.deactivate_token)
      .set("attempts", r.attempts)
      .set("http_status", static_cast<int64_t>(r.http_status))
      .set("error_code", r.error_code);
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  Options opts;
  if (!parse_args(std::vector<std::string>(argv + 1, argv + argc), opts)) return usage();
  try {
    const nt::Config cfg = nt::test::tool_config();
    const auto client = nt::make_fcm_client(cfg);
    if (!client) {
      std::cerr << nt::kPushNotConfigured << "\n";
      return 2;
    }
    const int attempts = opts.attempts > 0 ? opts.attempts : static_cast<int>(cfg.fcm_max_attempts);
    for (const std::string& token : opts.tokens) {
      opts.message.token = token;
      const nt::FcmResult r =
          opts.once ? client->send(opts.message) : client->send_with_retry(opts.message, attempts);
      std::cout << result_json(token, r).dump() << std::endl;
    }
  } catch (const nt::ConfigError& e) {
    std::cerr << "ConfigError: " << e.what() << "\n";
    return 2;
  } catch (const nt::FcmConfigError& e) {
    std::cerr << "FcmConfigError: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
