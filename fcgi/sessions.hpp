// Sessions (refresh-token families) and the tokens issued for them. The rules: a login opens a
// session; each refresh token works once (rotation); presenting an older one revokes the
// family (reuse detection); logout and password changes revoke sessions at once, and the
// realtime daemons are told through Redis so they close those sockets.
#pragma once

#include <string>
#include <vector>

#include "ctx.hpp"

namespace nt {

struct TokenPair {
  std::string access_token;
  std::string refresh_token;
  int64_t expires_in = 0;  // seconds of the access token
};

// Opens a new session for `user_id` and returns its first token pair. Runs in its own
// statement (call inside the caller's transaction when one is open).
TokenPair open_session(Ctx& ctx, const std::string& user_id);

// Rotates the refresh token. Throws ApiError 401 (invalid_token / refresh_token_reused).
TokenPair rotate_session(Ctx& ctx, const std::string& refresh_token, std::string* user_id);

// Authenticates the Bearer access token of the request and loads the caller.
// Throws ApiError 401 with the reason.
AuthUser authenticate_bearer(Ctx& ctx);

// Authenticates an access token given directly (WebSocket ?token=).
AuthUser authenticate_access_token(Ctx& ctx, const std::string& token);

// Loads the user of a live session (not revoked, not past its absolute lifetime, user active).
AuthUser authenticate_session(Ctx& ctx, const std::string& user_id, const std::string& session_id);

// Revokes sessions in Postgres (already done by the caller's statement) and tells Redis:
// marks them revoked for the daemons and publishes session_revoked to the user. A Redis
// failure is logged, never fatal: Postgres already holds the truth.
void announce_revoked_sessions(Ctx& ctx, const std::string& user_id,
                               const std::vector<std::string>& session_ids);

// Revokes one session (logout).
void revoke_session(Ctx& ctx, const std::string& user_id, const std::string& session_id);

// Revokes every session of the user except `keep_session_id` (password change).
void revoke_other_sessions(Ctx& ctx, const std::string& user_id, const std::string& keep_session_id);

// The JSON the register/login/refresh endpoints return.
Json token_response(const TokenPair& tokens, const Json& user);

}  // namespace nt
