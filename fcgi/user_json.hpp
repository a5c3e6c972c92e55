// How users appear in responses: the own profile (with email) and the public profile.
#pragma once

#include <string>

#include "ctx.hpp"
#include "pg.hpp"

namespace nt {

// Column list that user_from_row() reads, prefixed for table alias "u".
#define NT_USER_COLUMNS                                                                      \
  "u.id, u.username, u.email, u.display_name, u.avatar_url, u.bio, u.language, u.is_verified, " \
  "u.is_admin, " NT_SQL_EPOCH_MS("u.created_at") ", " NT_SQL_EPOCH_MS("u.last_seen")
constexpr int kUserColumnCount = 11;

// Reads NT_USER_COLUMNS starting at column `first` of `row`.
AuthUser user_from_row(const PgResult& r, int row, int first = 0);

// {id, username, email, display_name, avatar_url, bio, language, is_verified, created_at, last_seen}
Json profile_json(const AuthUser& u);

}  // namespace nt
