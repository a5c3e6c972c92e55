#include "dispatch.hpp"
#include "text.hpp"

#include <algorithm>
#include <cctype>

#include "ctx.hpp"
#include "error_json.hpp"
#include "errors.hpp"
#include "i18n.hpp"
#include "log.hpp"
#include "router.hpp"
#include "sessions.hpp"

namespace nt {
namespace {

std::string host_without_port(const std::string& host) {
  if (!host.empty() && host[0] == '[') return ascii_lower(host.substr(0, host.find(']') + 1));
  return ascii_lower(host.substr(0, host.find(':')));
}

bool contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

bool host_allowed(const Config& cfg, const std::string& host) {
  return cfg.trusted_hosts.empty() || contains(cfg.trusted_hosts, host_without_port(host));
}

namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// CORS headers for an allowed Origin; nothing for others (the browser then refuses).
void add_cors(const Config& cfg, const Request& req, Response& r) {
  if (req.origin.empty() || !contains(cfg.allowed_origins, req.origin)) return;
  r.headers.emplace_back("Access-Control-Allow-Origin", req.origin);
  r.headers.emplace_back("Access-Control-Allow-Credentials", "true");
  r.headers.emplace_back("Access-Control-Expose-Headers", "X-Request-Id, Retry-After, Content-Language");
  r.headers.emplace_back("Vary", "Origin");
}

Response preflight(const Config& cfg, const Request& req, const RouteMatch& m) {
  if (!contains(cfg.allowed_origins, req.origin)) throw ApiError(Err::kOriginNotAllowed);
  std::vector<std::string> methods = m.allow;
  if (m.route) methods.emplace_back(m.route->method);
  if (methods.empty()) throw ApiError(Err::kNotFound);
  Response r = no_content();
  r.headers.emplace_back("Access-Control-Allow-Methods", join(methods, ", "));
  r.headers.emplace_back("Access-Control-Allow-Headers",
                         "Authorization, Content-Type, X-Language, Accept-Language, X-Request-Id");
  r.headers.emplace_back("Access-Control-Max-Age", "600");
  return r;
}

Response run(const Config& cfg, Pg& pg, Redis& redis, Request& req, std::string* lang) {
  Ctx ctx{cfg, pg, redis, req};
  const LanguageChoice pre =
      resolve_language(req.x_language, req.accept_language, "", cfg.default_language,
                       cfg.supported_languages);
  ctx.lang = *lang = pre.code;
  ctx.lang_source = pre.source;

  // Paths are case-sensitive and have no trailing slash; "/x/" is not "/x".
  RouteMatch m = match_route(route_table(), req.method, req.path);
  // Internal routes (nginx's auth_request) answer only 200/401/403 and check the host
  // themselves: any other status would reach the client as nginx's 500.
  const bool internal = m.route != nullptr && req.path.rfind("/internal/", 0) == 0;
  if (!internal && !host_allowed(cfg, req.host)) throw ApiError(Err::kUntrustedHost, "Host: " + req.host);
  if (req.method == "OPTIONS") {
    if (!req.origin.empty() && !req.cors_request_method.empty()) return preflight(cfg, req, m);
    if (m.route == nullptr && m.allow.empty()) throw ApiError(Err::kNotFound);
    ApiError e(Err::kMethodNotAllowed);
    e.allow = m.allow;
    throw e;
  }
  if (m.route == nullptr) {
    if (m.allow.empty()) throw ApiError(Err::kNotFound);
    ApiError e(Err::kMethodNotAllowed);
    e.allow = m.allow;
    throw e;
  }
  req.path_params = std::move(m.params);

  if (m.route->auth == Auth::kRequired) {
    ctx.user = authenticate_bearer(ctx);
  } else if (m.route->auth == Auth::kOptional && !req.authorization.empty()) {
    try {
      ctx.user = authenticate_bearer(ctx);
    } catch (const ApiError&) {
      // Optional: an unusable token makes the request anonymous.
    }
  }
  if (ctx.user) {
    const LanguageChoice c = resolve_language(req.x_language, req.accept_language,
                                              ctx.user->language.value_or(""),
                                              cfg.default_language, cfg.supported_languages);
    ctx.lang = *lang = c.code;
    ctx.lang_source = c.source;
    set_log_request_id(req.request_id + " user=" + ctx.user->id);
  }
  Response r = m.route->handler(ctx);
  // Authenticated answers and token responses must never be stored by a cache (H3).
  if (!r.cacheable) r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

Response error_response(const ApiError& e, const std::string& lang, const std::string& request_id) {
  const ErrorInfo& info = error_info(e.err());
  const std::string text = tr(info.i18n_key, lang);
  Json body = Json::object();
  body.set("detail", text).set("message", text).set("code", info.code).set("request_id",
                                                                            request_id);
  if (Json errors = field_errors_json(e, lang)) body.set("errors", errors);
  Response r = json_response(info.status, body);
  if (info.status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  if (e.retry_after > 0) r.headers.emplace_back("Retry-After", std::to_string(e.retry_after));
  if (!e.allow.empty()) r.headers.emplace_back("Allow", join(e.allow, ", "));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response dispatch(const Config& cfg, Pg& pg, Redis& redis, Request& req) {
  set_log_request_id(req.request_id);
  std::string lang = cfg.default_language;
  Response r;
  try {
    r = run(cfg, pg, redis, req, &lang);
  } catch (...) {
    // The one catch site of the REST door.
    const ApiError e = current_exception_as_api_error();
    if (error_info(e.err()).status >= 500) {
      log_error("%s %s -> %s: %s", req.method.c_str(), req.path.c_str(), e.what(),
                e.log_detail().c_str());
    } else if (!e.log_detail().empty()) {
      log_info("%s %s -> %s: %s", req.method.c_str(), req.path.c_str(), e.what(),
               e.log_detail().c_str());
    }
    r = error_response(e, lang, req.request_id);
  }
  add_cors(cfg, req, r);
  r.headers.emplace_back("Content-Language", lang);
  set_log_request_id("");
  return r;
}

}  // namespace nt
