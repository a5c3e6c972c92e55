// Own profile and other users' public profiles.
#include <algorithm>

#include "errors.hpp"
#include "text.hpp"
#include "events.hpp"
#include "handlers.hpp"
#include "paging.hpp"
#include "i18n.hpp"
#include "user_json.hpp"
#include "validate.hpp"

namespace nt::handlers {
namespace {

const Sql kUpdateProfile{
    "user_update_profile",
    "UPDATE users AS u SET "
    "display_name = CASE WHEN $2 THEN $3 ELSE display_name END, "
    "bio = CASE WHEN $4 THEN $5 ELSE bio END, "
    "language = CASE WHEN $6 THEN $7 ELSE language END, "
    "updated_at = now() WHERE u.id = $1 RETURNING " NT_USER_COLUMNS};

// Public profile with the privacy settings that decide what presence shows.
#define NT_PUBLIC_COLUMNS                                                                 \
  "u.id, u.username, u.display_name, u.avatar_url, u.bio, " NT_SQL_EPOCH_MS("u.created_at") ", " \
  "CASE WHEN coalesce(s.show_last_seen, true) THEN " NT_SQL_EPOCH_MS("u.last_seen") " END, "  \
  "coalesce(s.show_online_status, true)"

const Sql kPublicUser{"user_public",
                      "SELECT " NT_PUBLIC_COLUMNS " FROM users u "
                      "LEFT JOIN user_settings s ON s.user_id = u.id "
                      "WHERE u.id = $1 AND u.is_active"};

// Prefix match on username or display name, both served by text_pattern_ops indexes.
const Sql kSearchUsers{"user_search",
                       "SELECT " NT_PUBLIC_COLUMNS " FROM users u "
                       "LEFT JOIN user_settings s ON s.user_id = u.id "
                       "WHERE u.is_active AND (u.username LIKE $1 || '%' "
                       "OR lower(u.display_name) LIKE lower($2) || '%') "
                       "ORDER BY u.username LIMIT $3 OFFSET $4"};

std::string escape_like(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// Presence ("online", "away" or "offline") comes from Redis; a Redis outage shows everyone as
// offline, never fails the request.
std::vector<std::string> presence_of(Ctx& ctx, const PgResult& r) {
  std::vector<std::string> out(static_cast<size_t>(r.rows()), "offline");
  if (r.empty()) return out;
  std::vector<std::string> argv = {"MGET"};
  for (int i = 0; i < r.rows(); ++i) argv.push_back(key_user_status(r.str(i, 0)));
  try {
    RedisReplyPtr rep = ctx.redis.command(argv);
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

Json public_user_json(const PgResult& r, int row, const std::string& presence) {
  const bool show_status = r.boolean(row, 7);
  const bool online = presence != "offline";
  Json j = Json::object();
  j.set("id", r.str(row, 0))
      .set("username", r.str(row, 1))
      .set("display_name", Json::str_or_null(r.opt_str(row, 2)))
      .set("avatar_url", Json::str_or_null(r.opt_str(row, 3)))
      .set("bio", Json::str_or_null(r.opt_str(row, 4)))
      .set("created_at", r.time(row, 5))
      .set("status", show_status ? presence : std::string("unknown"))
      .set("is_online", show_status && online)
      .set("last_seen", Json::str_or_null(r.opt_time(row, 6)));
  return j;
}

}  // namespace

Response get_profile(Ctx& ctx) { return json_response(200, profile_json(ctx.me())); }

Response update_profile(Ctx& ctx) {
  const Json body = ctx.json_body();
  FieldReader f(body);
  // Only these three fields may change; id, email, is_admin and the rest are ignored (C8).
  const bool has_name = json_object_get(body.get(), "display_name") != nullptr;
  const bool has_bio = json_object_get(body.get(), "bio") != nullptr;
  const bool has_lang = json_object_get(body.get(), "language") != nullptr;
  const auto name = f.str("display_name", false, 0, 100);
  const auto bio = f.str("bio", false, 0, 500);
  const auto lang = f.str("language", false, 0, 8);
  if (lang && !lang->empty()) {
    const auto& sup = ctx.cfg.supported_languages;
    if (std::find(sup.begin(), sup.end(), *lang) == sup.end()) {
      std::string list;
      for (const auto& l : sup) list += (list.empty() ? "" : ", ") + l;
      f.add({"language", "invalid_language", {{"languages", list}}});
    }
  }
  f.done();
  const auto empty_to_null = [](const std::optional<std::string>& v) -> PgParam {
    return v && !v->empty() ? PgParam(*v) : std::nullopt;
  };
  PgResult r = ctx.pg.exec(kUpdateProfile, {ctx.me().id, pg_bool(has_name), empty_to_null(name),
                                            pg_bool(has_bio), empty_to_null(bio), pg_bool(has_lang),
                                            empty_to_null(lang)});
  if (r.empty()) throw ApiError(Err::kNotFound);
  AuthUser u = user_from_row(r, 0);
  Response resp = json_response(200, profile_json(u));
  return resp;
}

Response get_user(Ctx& ctx) {
  const std::string& id = ctx.param("user_id");
  if (!is_uuid(id)) throw ApiError(Err::kNotFound);
  PgResult r = ctx.pg.exec(kPublicUser, {id});
  if (r.empty()) throw ApiError(Err::kNotFound);
  return json_response(200, public_user_json(r, 0, presence_of(ctx, r)[0]));
}

Response search_users(Ctx& ctx) {
  const auto q = query_param(ctx.req.query, "q");
  if (!q || utf8_length(*q) < 1 || utf8_length(*q) > 100) {
    throw_field_error("q", !q || q->empty() ? "required" : "too_long", {{"max", "100"}});
  }
  const Paging page = read_paging(ctx.req);
  const std::string pattern = escape_like(*q);
  // Usernames are stored lower-case; ASCII upper-case in the query still matches them.
  PgResult r = ctx.pg.exec(kSearchUsers, {ascii_lower(pattern), pattern, pg_int(page.limit),
                                          pg_int(page.offset)});
  const auto presence = presence_of(ctx, r);
  Json users = Json::array();
  for (int i = 0; i < r.rows(); ++i) users.append(public_user_json(r, i, presence[i]));
  return json_response(200, Json::object().set("users", users).set("limit", page.limit).set("offset", page.offset));
}

}  // namespace nt::handlers
