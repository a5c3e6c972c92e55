#include "user_json.hpp"

namespace nt {

AuthUser user_from_row(const PgResult& r, int row, int f) {
  AuthUser u;
  u.id = r.str(row, f + 0);
  u.username = r.str(row, f + 1);
  u.email = r.str(row, f + 2);
  u.display_name = r.opt_str(row, f + 3);
  u.avatar_url = r.opt_str(row, f + 4);
  u.bio = r.opt_str(row, f + 5);
  u.language = r.opt_str(row, f + 6);
  u.is_verified = r.boolean(row, f + 7);
  u.is_admin = r.boolean(row, f + 8);
  u.created_at = r.time(row, f + 9);
  u.last_seen = r.opt_time(row, f + 10);
  return u;
}

Json profile_json(const AuthUser& u) {
  Json j = Json::object();
  j.set("id", u.id)
      .set("username", u.username)
      .set("email", u.email)
      .set("display_name", Json::str_or_null(u.display_name))
      .set("avatar_url", Json::str_or_null(u.avatar_url))
      .set("bio", Json::str_or_null(u.bio))
      .set("language", Json::str_or_null(u.language))
      .set("is_verified", u.is_verified)
      .set("created_at", u.created_at)
      .set("last_seen", Json::str_or_null(u.last_seen));
  return j;
}

}  // namespace nt
