// A command-line door to the automatic-push hooks of common/push_service.hpp (the call,
// geofence and location-share features call them), so the integration tests
// (tests/integration/test_push.py) run the real functions against the running stack with any
// ids and names: they queue rows and stream entries exactly as those features do, and the
// stack's senders deliver them to the FCM stand-in. test_calls.py, test_geofences.py and
// test_location_nearby.py check the same pushes through the features themselves.
// Settings come from NERUTALK_ENV_FILE (or .env) and the environment, as for every process.
//
//   push_hooks_check incoming-call|missed-call CALL_ID CALLER_ID CALLER_NAME video|audio CALLEE...
//   push_hooks_check geofence-entry|geofence-exit USER_ID GEOFENCE_ID GEOFENCE_NAME
//   push_hooks_check location-share TARGET_USER_ID SHARE_ID SHARER_ID SHARER_NAME
//
// Prints the number of push rows queued. Exit status: 0 done, 2 usage or settings error,
// 1 the database or Redis failed (message on stderr).
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "config.hpp"
#include "push_service.hpp"

namespace {

int usage() {
  std::cerr << "usage: push_hooks_check incoming-call|missed-call CALL_ID CALLER_ID CALLER_NAME "
               "video|audio CALLEE...\n"
               "       push_hooks_check geofence-entry|geofence-exit USER_ID GEOFENCE_ID NAME\n"
               "       push_hooks_check location-share TARGET_USER_ID SHARE_ID SHARER_ID NAME\n";
  return 2;
}

int64_t number(const std::string& s) {
  return std::strtoll(s.c_str(), nullptr, 10);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> a(argv + 1, argv + argc);
  if (a.empty()) return usage();
  nt::Config cfg;
  try {
    cfg = nt::load_config(getenv("NERUTALK_ENV_FILE") ? getenv("NERUTALK_ENV_FILE") : ".env");
  } catch (const nt::ConfigError& e) {
    std::cerr << "push_hooks_check: configuration error: " << e.what() << "\n";
    return 2;
  }
  nt::Pg pg(cfg.database_url, cfg.db_statement_timeout_ms);
  nt::Redis redis(cfg.redis_url);
  nt::Deps d{cfg, pg, redis};
  try {
    size_t queued = 0;
    const std::string& what = a[0];
    if ((what == "incoming-call" || what == "missed-call") && a.size() >= 6) {
      const std::vector<std::string> callees(a.begin() + 5, a.end());
      queued = nt::queue_call_push(
          d, callees, number(a[1]), a[2], a[3], a[4],
          what == "incoming-call" ? nt::CallPushKind::kIncoming : nt::CallPushKind::kMissed);
    } else if ((what == "geofence-entry" || what == "geofence-exit") && a.size() == 4) {
      queued = nt::queue_geofence_push(d, a[1], number(a[2]), a[3], what == "geofence-entry");
    } else if (what == "location-share" && a.size() == 5) {
      queued = nt::queue_location_share_push(d, a[1], number(a[2]), a[3], a[4]);
    } else {
      return usage();
    }
    std::cout << queued << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "push_hooks_check: " << e.what() << "\n";
    return 1;
  }
}
