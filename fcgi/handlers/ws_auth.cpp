// The WebSocket handshake check, called by nginx's auth_request before /ws is proxied to a
// realtime daemon. Blocking work (Redis for tickets, Postgres for sessions) happens here, in
// an API worker, so the daemon's event loop never waits on it. On success the daemon gets a
// signed identity (X-NT-Assertion); on failure nginx answers the client with our JSON error
// (X-NT-Error) and the status we chose, before any upgrade.
#include "crypto.hpp"
#include "dispatch.hpp"
#include <algorithm>

#include "errors.hpp"
#include "events.hpp"
#include "handlers.hpp"
#include "i18n.hpp"
#include "sessions.hpp"
#include "time_util.hpp"
#include "ws_assertion.hpp"

namespace nt::handlers {
namespace {

// The identity behind a single-use ticket; GETDEL makes the second use fail.
std::pair<std::string, std::string> consume_ticket(Ctx& ctx, const std::string& ticket) {
  if (ticket.empty() || ticket.size() > 128) throw ApiError(Err::kInvalidToken, "bad ticket");
  RedisReplyPtr r = ctx.redis.command({"GETDEL", key_ws_ticket(ticket)});
  if (r->type != REDIS_REPLY_STRING) throw ApiError(Err::kInvalidToken, "unknown or used ticket");
  JsonParseError err;
  const Json v = parse_json(std::string_view(r->str, r->len), 4, true, &err);
  const Json uid = v.at("user_id");
  const Json sid = v.at("session_id");
  if (!json_is_string(uid.get()) || !json_is_string(sid.get())) {
    throw ApiError(Err::kInvalidToken, "malformed ticket record");
  }
  return {json_string_value(uid.get()), json_string_value(sid.get())};
}

// nginx's auth_request passes on 401 and 403 only (anything else becomes its 500), so every
// refusal is one of those two, with the real code in the body.
Response deny(Ctx& ctx, const ApiError& e) {
  Response body = error_response(e, ctx.lang, ctx.req.request_id);
  Response r;
  r.status = body.status == 401 ? 401 : 403;
  r.headers.emplace_back("X-NT-Error", body.body);
  return r;
}

}  // namespace

Response ws_auth(Ctx& ctx) {
  const std::string& uri = ctx.req.original_uri;
  const std::string query = uri.find('?') == std::string::npos ? "" : uri.substr(uri.find('?') + 1);
  try {
    if (!host_allowed(ctx.cfg, ctx.req.host)) throw ApiError(Err::kUntrustedHost, ctx.req.host);
    // Browsers send Origin; it must be an allowed one or this server itself (same origin).
    const auto& origins = ctx.cfg.allowed_origins;
    const std::string& origin = ctx.req.origin;
    const bool same_origin = origin == "http://" + ctx.req.host || origin == "https://" + ctx.req.host;
    if (!origin.empty() && !same_origin &&
        std::find(origins.begin(), origins.end(), origin) == origins.end()) {
      throw ApiError(Err::kOriginNotAllowed, "origin " + ctx.req.origin);
    }
    AuthUser user;
    if (const auto ticket = query_param(query, "ticket")) {
      const auto [user_id, session_id] = consume_ticket(ctx, *ticket);
      // Still check the session: a ticket must not outlive a logout.
      user = authenticate_session(ctx, user_id, session_id);
    } else if (const auto token = query_param(query, "token")) {
      user = authenticate_access_token(ctx, *token);
    } else {
      throw ApiError(Err::kNotAuthenticated, "no ticket or token");
    }
    const LanguageChoice lang =
        resolve_language(ctx.req.x_language, ctx.req.accept_language, user.language.value_or(""),
                         ctx.cfg.default_language, ctx.cfg.supported_languages);
    const WsIdentity id{user.id, user.session_id, lang.code, now_s() + 30};
    Response r;
    r.status = 200;
    r.headers.emplace_back("X-NT-Assertion", make_ws_assertion(id, ctx.cfg.jwt_secret_key));
    return r;
  } catch (const ApiError& e) {
    return deny(ctx, e);
  }
  // Redis or Postgres down: DbUnavailable/RedisUnavailable reach the worker's catch site,
  // whose 503 nginx turns into its own 500 and then our JSON 503 (@unavailable).
}

}  // namespace nt::handlers
