// How other users appear in responses (GET /users/{id}, /users/search, /location/nearby): the
// public profile without email, with presence as each user's privacy settings allow.
#pragma once

#include <string>
#include <vector>

#include "json.hpp"
#include "pg.hpp"
#include "redis.hpp"

namespace nt {

// The columns public_user_json() reads, for "FROM users u LEFT JOIN user_settings s ON
// s.user_id = u.id" (8 columns, the user id first).
#define NT_PUBLIC_USER_COLUMNS \
  "u.id, u.username, u.display_name, u.avatar_url, u.bio, " NT_SQL_EPOCH_MS("u.created_at") ", " \
  "CASE WHEN coalesce(s.show_last_seen, true) THEN " NT_SQL_EPOCH_MS("u.last_seen") " END, "  \
  "coalesce(s.show_online_status, true)"

// Presence ("online", "away" or "offline") of the users whose ids are in column `id_col` of
// `r`, one MGET. A Redis outage shows everyone as offline and never fails the request.
std::vector<std::string> presence_of(Redis& redis, const PgResult& r, int id_col = 0);

// {id, username, display_name, avatar_url, bio, created_at, status, is_online, last_seen} of
// row `row`, whose NT_PUBLIC_USER_COLUMNS start at column `first`, with its presence from
// presence_of().
Json public_user_json(const PgResult& r, int row, const std::string& presence, int first = 0);

}  // namespace nt
