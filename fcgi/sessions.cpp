#include "sessions.hpp"

#include "crypto.hpp"
#include "events.hpp"
#include "jwt.hpp"
#include "log.hpp"
#include "time_util.hpp"
#include "user_json.hpp"
#include "validate.hpp"

namespace nt {
namespace {

// Refresh families live at most this long however often they are rotated (ASVS 3.3.2).
constexpr int64_t kAbsoluteSessionDays = 30;

const Sql kOpenSession{"session_open",
                       "INSERT INTO sessions (id, user_id, current_jti, user_agent, ip_address, "
                       "expires_at, absolute_expires_at) VALUES ($1, $2, $3, left($4, 255), $5, "
                       "now() + make_interval(days => $6::int), "
                       "now() + make_interval(days => $7::int))"};

const Sql kRotate{"session_rotate",
                  "UPDATE sessions SET current_jti = $3, generation = generation + 1, "
                  "last_used_at = now(), "
                  "expires_at = least(now() + make_interval(days => $4::int), absolute_expires_at) "
                  "FROM users u WHERE sessions.id = $1 AND sessions.current_jti = $2 "
                  "AND sessions.user_id = $5 "
                  "AND sessions.revoked_at IS NULL AND sessions.expires_at > now() "
                  "AND u.id = sessions.user_id AND u.is_active "
                  "RETURNING sessions.user_id"};

const Sql kRevokeReused{"session_revoke_reused",
                        "UPDATE sessions SET revoked_at = now(), revoked_reason = 'reuse' "
                        "WHERE id = $1 AND user_id = $2 AND current_jti <> $3 AND revoked_at IS NULL "
                        "RETURNING user_id"};

const Sql kRevokeOne{"session_revoke_one",
                     "UPDATE sessions SET revoked_at = now(), revoked_reason = 'logout' "
                     "WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL"};

const Sql kRevokeOthers{"session_revoke_others",
                        "UPDATE sessions SET revoked_at = now(), revoked_reason = 'password' "
                        "WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL RETURNING id"};

const Sql kAuthLookup{"auth_lookup",
                      "SELECT " NT_USER_COLUMNS
                      " FROM sessions s JOIN users u ON u.id = s.user_id "
                      "WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL "
                      "AND s.absolute_expires_at > now() AND u.is_active"};

TokenPair issue_pair(const Config& cfg, const std::string& user_id, const std::string& sid,
                     const std::string& refresh_jti) {
  const int64_t now = now_s();
  TokenPair p;
  p.expires_in = cfg.jwt_access_token_expire_minutes * 60;
  p.access_token = jwt_issue({user_id, sid, random_token(16), "access", now, now + p.expires_in},
                             cfg.jwt_secret_key);
  p.refresh_token =
      jwt_issue({user_id, sid, refresh_jti, "refresh", now,
                 now + cfg.jwt_refresh_token_expire_days * 86400},
                cfg.jwt_secret_key);
  return p;
}

Err jwt_error(JwtStatus st) { return st == JwtStatus::kExpired ? Err::kTokenExpired : Err::kInvalidToken; }

}  // namespace

TokenPair open_session(Ctx& ctx, const std::string& user_id) {
  const std::string sid = random_uuid();
  const std::string jti = random_token(16);
  ctx.pg.exec(kOpenSession, {sid, user_id, jti, ctx.req.user_agent, ctx.req.remote_addr,
                             pg_int(ctx.cfg.jwt_refresh_token_expire_days),
                             pg_int(kAbsoluteSessionDays)});
  return issue_pair(ctx.cfg, user_id, sid, jti);
}

TokenPair rotate_session(Ctx& ctx, const std::string& refresh_token, std::string* user_id) {
  TokenClaims c;
  const JwtStatus st = jwt_decode(refresh_token, ctx.cfg.jwt_secret_key, "refresh", now_s(), &c);
  if (st != JwtStatus::kOk) throw ApiError(jwt_error(st), "refresh token rejected");
  if (!is_uuid(c.sid) || !is_uuid(c.sub)) throw ApiError(Err::kInvalidToken, "bad sid/sub");

  const std::string new_jti = random_token(16);
  PgResult r = ctx.pg.exec(kRotate, {c.sid, c.jti, new_jti,
                                     pg_int(ctx.cfg.jwt_refresh_token_expire_days), c.sub});
  if (r.empty()) {
    // Either the family is gone/expired, or this token is an older generation: a reuse. A
    // reuse revokes the family (RFC 9700 §4.14.2); revoking an already revoked one is a no-op.
    PgResult rev = ctx.pg.exec(kRevokeReused, {c.sid, c.sub, c.jti});
    if (!rev.empty()) {
      announce_revoked_sessions(ctx, rev.str(0, 0), {c.sid});
      throw ApiError(Err::kRefreshTokenReused, "refresh token reuse; family revoked");
    }
    throw ApiError(Err::kInvalidToken, "refresh of a revoked or expired session");
  }
  *user_id = r.str(0, 0);
  return issue_pair(ctx.cfg, *user_id, c.sid, new_jti);
}

AuthUser authenticate_access_token(Ctx& ctx, const std::string& token) {
  TokenClaims c;
  const JwtStatus st = jwt_decode(token, ctx.cfg.jwt_secret_key, "access", now_s(), &c);
  if (st != JwtStatus::kOk) throw ApiError(jwt_error(st), "access token rejected");
  return authenticate_session(ctx, c.sub, c.sid);
}

AuthUser authenticate_session(Ctx& ctx, const std::string& user_id, const std::string& session_id) {
  if (!is_uuid(session_id) || !is_uuid(user_id)) throw ApiError(Err::kInvalidToken, "bad sid/sub");
  PgResult r = ctx.pg.exec(kAuthLookup, {session_id, user_id});
  if (r.empty()) throw ApiError(Err::kSessionRevoked, "session revoked, expired or user inactive");
  AuthUser u = user_from_row(r, 0);
  u.session_id = session_id;
  return u;
}

AuthUser authenticate_bearer(Ctx& ctx) {
  const std::string& h = ctx.req.authorization;
  if (h.empty()) throw ApiError(Err::kNotAuthenticated);
  if (h.size() < 8 || (h.compare(0, 7, "Bearer ") != 0 && h.compare(0, 7, "bearer ") != 0)) {
    throw ApiError(Err::kInvalidToken, "authorization scheme is not Bearer");
  }
  return authenticate_access_token(ctx, h.substr(7));
}

void announce_revoked_sessions(Ctx& ctx, const std::string& user_id,
                               const std::vector<std::string>& session_ids) {
  if (session_ids.empty()) return;
  try {
    std::vector<std::vector<std::string>> cmds;
    const std::string ttl = std::to_string(ctx.cfg.jwt_refresh_token_expire_days * 86400);
    Json ids = Json::array();
    for (const auto& sid : session_ids) {
      cmds.push_back({"SET", key_revoked_session(sid), "1", "EX", ttl});
      ids.append(Json::str(sid));
    }
    cmds.push_back({"PUBLISH", user_channel(user_id),
                    bus_message(ev::kSessionRevoked, Json::object().set("session_ids", ids))});
    ctx.redis.pipeline(cmds);
  } catch (const RedisUnavailable& e) {
    log_warn("session revocation not announced on redis: %s", e.what());
  }
}

void revoke_session(Ctx& ctx, const std::string& user_id, const std::string& session_id) {
  ctx.pg.exec(kRevokeOne, {session_id, user_id});
  announce_revoked_sessions(ctx, user_id, {session_id});
}

void revoke_other_sessions(Ctx& ctx, const std::string& user_id,
                           const std::string& keep_session_id) {
  PgResult r = ctx.pg.exec(kRevokeOthers, {user_id, keep_session_id});
  std::vector<std::string> ids;
  for (int i = 0; i < r.rows(); ++i) ids.push_back(r.str(i, 0));
  announce_revoked_sessions(ctx, user_id, ids);
}

Json token_response(const TokenPair& t, const Json& user) {
  Json j = Json::object();
  j.set("user", user)
      .set("access_token", t.access_token)
      .set("refresh_token", t.refresh_token)
      .set("token_type", "bearer")
      .set("expires_in", t.expires_in);
  return j;
}

}  // namespace nt
