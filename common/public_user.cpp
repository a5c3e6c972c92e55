#include "public_user.hpp"

#include "events.hpp"

namespace nt {

std::vector<std::string> presence_of(Redis& redis, const PgResult& r, int id_col) {
  std::vector<std::string> out(static_cast<size_t>(r.rows()), "offline");
  if (r.empty()) return out;
  std::vector<std::string> argv = {"MGET"};
  for (int i = 0; i < r.rows(); ++i) argv.push_back(key_user_status(r.str(i, id_col)));
  try {
    RedisReplyPtr rep = redis.command(argv);
    if (rep->type != REDIS_REPLY_ARRAY) return out;
    for (size_t i = 0; i < rep->elements && i < out.size(); ++i) {
      const redisReply* e = rep->element[i];
      const std::string v = e->type == REDIS_REPLY_STRING ? std::string(e->str, e->len) : "";
      if (v == "online" || v == "away") out[i] = v;
    }
  } catch (const RedisUnavailable&) {
  }
  return out;
}

Json public_user_json(const PgResult& r, int row, const std::string& presence, int first) {
  const bool show_status = r.boolean(row, first + 7);
  const bool online = presence != "offline";
  Json j = Json::object();
  j.set("id", r.str(row, first + 0))
      .set("username", r.str(row, first + 1))
      .set("display_name", Json::str_or_null(r.opt_str(row, first + 2)))
      .set("avatar_url", Json::str_or_null(r.opt_str(row, first + 3)))
      .set("bio", Json::str_or_null(r.opt_str(row, first + 4)))
      .set("created_at", r.time(row, first + 5))
      .set("status", show_status ? presence : std::string("unknown"))
      .set("is_online", show_status && online)
      .set("last_seen", Json::str_or_null(r.opt_time(row, first + 6)));
  return j;
}

}  // namespace nt
