// Own profile and other users' public profiles.
#include <algorithm>

#include "errors.hpp"
#include "text.hpp"
#include "events.hpp"
#include "handlers.hpp"
#include "paging.hpp"
#include "public_user.hpp"
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

const Sql kPublicUser{"user_public",
                      "SELECT " NT_PUBLIC_USER_COLUMNS " FROM users u "
                      "LEFT JOIN user_settings s ON s.user_id = u.id "
                      "WHERE u.id = $1 AND u.is_active"};

// Prefix match on username or display name, both served by text_pattern_ops indexes.
const Sql kSearchUsers{"user_search",
                       "SELECT " NT_PUBLIC_USER_COLUMNS " FROM users u "
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
  return json_response(200, public_user_json(r, 0, presence_of(ctx.redis, r)[0]));
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
  const auto presence = presence_of(ctx.redis, r);
  Json users = Json::array();
  for (int i = 0; i < r.rows(); ++i) users.append(public_user_json(r, i, presence[i]));
  return json_response(200, Json::object().set("users", users).set("limit", page.limit).set("offset", page.offset));
}

}  // namespace nt::handlers
