#include "user_settings.hpp"

namespace nt {
namespace {
const Sql kShowsOnline{"settings_shows_online",
                       "SELECT coalesce((SELECT show_online_status FROM user_settings "
                       "WHERE user_id = $1), true)"};
const Sql kLastSeen{"user_touch_last_seen", "UPDATE users SET last_seen = now() WHERE id = $1"};
}  // namespace

bool shows_online_status(Pg& pg, const std::string& user_id) {
  return pg.exec(kShowsOnline, {user_id}).boolean(0, 0);
}

void touch_last_seen(Pg& pg, const std::string& user_id) { pg.exec(kLastSeen, {user_id}); }

}  // namespace nt
