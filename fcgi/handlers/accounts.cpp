// Accounts: register, login, refresh, logout, change password, WebSocket tickets.
#include "account_rules.hpp"
#include "crypto.hpp"
#include "errors.hpp"
#include "events.hpp"
#include "handlers.hpp"
#include "i18n.hpp"
#include "password.hpp"
#include "rate_limit.hpp"
#include "sessions.hpp"
#include "user_json.hpp"
#include "validate.hpp"

namespace nt::handlers {
namespace {

const Sql kInsertUser{"user_insert",
                      "INSERT INTO users AS u (username, email, password_hash, display_name) "
                      "VALUES ($1, $2, $3, $4) RETURNING " NT_USER_COLUMNS};

const Sql kLoginLookup{"user_login_lookup",
                       "SELECT u.password_hash, " NT_USER_COLUMNS " FROM users u "
                       "WHERE u.is_active AND (u.username = $1 OR lower(u.email) = $1)"};

const Sql kUserById{"user_by_id", "SELECT " NT_USER_COLUMNS " FROM users u WHERE u.id = $1"};

const Sql kPasswordHash{"user_password_hash", "SELECT password_hash FROM users WHERE id = $1"};

const Sql kSetPassword{"user_set_password",
                       "UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1"};

// Reads a password field: present, a string, at most 1,000 characters (A14: long inputs are
// refused before bcrypt ever sees them).
std::optional<std::string> password_field(FieldReader& f, const char* name) {
  return f.str(name, true, 1, 1000);
}

void add_password_rule_error(FieldReader& f, const char* name, const std::string& pw) {
  const std::string code = check_password(pw);
  if (code == "password_too_short") {
    f.add({name, code, {{"min", std::to_string(kPasswordMinBytes)}}});
  } else if (code == "password_too_long") {
    f.add({name, code, {{"max", std::to_string(kPasswordMaxBytes)}}});
  } else if (!code.empty()) {
    f.add({name, code, {}});
  }
}

Json message(Ctx& ctx, const char* key) { return Json::object().set("message", tr(key, ctx.lang)); }

}  // namespace

Response register_user(Ctx& ctx) {
  const Json body = ctx.json_body();
  FieldReader f(body);
  const auto username = f.str("username", true, 1, 200);
  const auto email = f.str("email", true, 1, 255);
  const auto password = password_field(f, "password");
  const auto display_name = f.str("display_name", false, 0, 100);
  if (username && !check_username(*username).empty()) f.add({"username", "invalid_username", {}});
  if (email && !check_email(*email).empty()) f.add({"email", "invalid_email", {}});
  if (password) add_password_rule_error(f, "password", *password);
  f.done();

  rate_limit_hit(ctx, key_rate_limit("register", ctx.req.remote_addr), ctx.cfg.register_rate_per_ip,
                 ctx.cfg.register_rate_window_seconds);

  const std::string hash = hash_password(*password, static_cast<int>(ctx.cfg.bcrypt_cost));
  AuthUser user;
  TokenPair tokens;
  try {
    Tx tx(ctx.pg);
    PgResult r = ctx.pg.exec(kInsertUser, {normalize_username(*username), *email, hash,
                                           display_name && !display_name->empty() ? PgParam(*display_name)
                                                                           : std::nullopt});
    user = user_from_row(r, 0);
    tokens = open_session(ctx, user.id);
    tx.commit();
  } catch (const DbError& e) {
    if (e.sqlstate() != "23505") throw;
    throw ApiError(e.constraint() == "users_username_key" ? Err::kUsernameTaken : Err::kEmailTaken,
                   e.constraint());
  }
  return json_response(201, token_response(tokens, profile_json(user)));
}

Response login(Ctx& ctx) {
  const Json body = ctx.json_body();
  FieldReader f(body);
  const auto password = password_field(f, "password");
  const auto username = f.str("username", false, 1, 255);
  const auto email = f.str("email", false, 1, 255);
  if (!username && !email && !f.has("username") && !f.has("email")) {
    f.add({"username", "one_of_required", {{"fields", "username, email"}}});
  }
  f.done();
  const std::string login_id = username ? normalize_username(*username) : normalize_email(*email);

  // Per IP every attempt counts; per account only failures (ASVS 2.2.1). Fail closed. The
  // account counter is keyed by the user id, so username and email share one budget; an
  // unknown name gets its own, so both throttle alike and nothing tells who exists.
  rate_limit_hit(ctx, key_rate_limit("login", ctx.req.remote_addr), ctx.cfg.login_rate_per_ip,
                 ctx.cfg.login_rate_window_seconds);
  const int cost = static_cast<int>(ctx.cfg.bcrypt_cost);
  PgResult r = ctx.pg.exec(kLoginLookup, {login_id});
  const std::string account_key =
      r.empty() ? key_rate_limit("login_fail", "name-" + sha256_hex(login_id).substr(0, 32))
                : key_rate_limit("login_fail", "user-" + r.str(0, 1));
  rate_limit_check(ctx, account_key, ctx.cfg.login_rate_per_account);
  // Unknown users cost one bcrypt too, so timing does not tell who exists (A10).
  const std::string stored = r.empty() ? dummy_password_hash(cost) : r.str(0, 0);
  const bool ok = verify_password(*password, stored) && !r.empty();
  if (!ok) {
    rate_limit_record(ctx, account_key, ctx.cfg.login_rate_window_seconds);
    throw ApiError(Err::kInvalidCredentials);
  }
  const AuthUser user = user_from_row(r, 0, 1);
  const TokenPair tokens = open_session(ctx, user.id);
  return json_response(200, token_response(tokens, profile_json(user)));
}

Response refresh_token(Ctx& ctx) {
  const Json body = ctx.json_body();
  FieldReader f(body);
  const auto token = f.str("refresh_token", true, 1, 8192);
  f.done();
  std::string user_id;
  const TokenPair tokens = rotate_session(ctx, *token, &user_id);
  PgResult r = ctx.pg.exec(kUserById, {user_id});
  if (r.empty()) throw ApiError(Err::kInvalidToken, "user vanished");
  return json_response(200, token_response(tokens, profile_json(user_from_row(r, 0))));
}

Response logout(Ctx& ctx) {
  revoke_session(ctx, ctx.me().id, ctx.me().session_id);
  return json_response(200, message(ctx, "auth.logged_out"));
}

Response change_password(Ctx& ctx) {
  const Json body = ctx.json_body();
  FieldReader f(body);
  const auto current = password_field(f, "current_password");
  const auto next = password_field(f, "new_password");
  if (next) add_password_rule_error(f, "new_password", *next);
  f.done();

  const std::string account_key = key_rate_limit("password_fail", ctx.me().id);
  rate_limit_check(ctx, account_key, ctx.cfg.login_rate_per_account);
  PgResult r = ctx.pg.exec(kPasswordHash, {ctx.me().id});
  if (r.empty() || !verify_password(*current, r.str(0, 0))) {
    rate_limit_record(ctx, account_key, ctx.cfg.login_rate_window_seconds);
    throw ApiError(Err::kWrongPassword);
  }
  const std::string hash = hash_password(*next, static_cast<int>(ctx.cfg.bcrypt_cost));
  ctx.pg.exec(kSetPassword, {ctx.me().id, hash});
  revoke_other_sessions(ctx, ctx.me().id, ctx.me().session_id);
  return json_response(200, message(ctx, "auth.password_changed"));
}

Response ws_ticket(Ctx& ctx) {
  const std::string ticket = random_token(32);
  const Json value = Json::object().set("user_id", ctx.me().id).set("session_id", ctx.me().session_id);
  RedisReplyPtr r = ctx.redis.command({"SET", key_ws_ticket(ticket), value.dump(), "EX",
                                       std::to_string(ctx.cfg.ws_ticket_ttl_seconds)});
  if (r->type == REDIS_REPLY_ERROR) throw RedisUnavailable("SET ws ticket failed");
  return json_response(200, Json::object().set("ticket", ticket).set("expires_in",
                                                                      ctx.cfg.ws_ticket_ttl_seconds));
}

}  // namespace nt::handlers
