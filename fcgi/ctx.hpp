// Everything a handler may touch for one request. Owned by the worker thread that runs it;
// the Pg and Redis connections belong to that thread.
#pragma once

#include <optional>
#include <string>

#include "app_deps.hpp"
#include "config.hpp"
#include "http.hpp"
#include "json.hpp"
#include "pg.hpp"
#include "redis.hpp"

namespace nt {

// The authenticated caller, loaded by the one query that also checks the session.
struct AuthUser {
  std::string id;
  std::string session_id;
  std::string username;
  std::string email;
  std::optional<std::string> display_name;
  std::optional<std::string> avatar_url;
  std::optional<std::string> bio;
  std::optional<std::string> language;
  bool is_verified = false;
  bool is_admin = false;
  std::string created_at;
  std::optional<std::string> last_seen;
};

// An integer form or query field; 422 (invalid_format / out_of_range) otherwise.
int64_t parse_int_param(const char* name, const std::string& text, int64_t min, int64_t max);

struct Ctx {
  const Config& cfg;
  Pg& pg;
  Redis& redis;
  Request& req;
  std::string lang = "en";
  std::string lang_source = "default";
  std::optional<AuthUser> user;

  // The caller; only valid in handlers of routes with Auth::kRequired.
  const AuthUser& me() const { return *user; }
  // The request body as a JSON object: 415 unless Content-Type is application/json, 400 for
  // malformed JSON or a non-object, 413 over the cap.
  Json json_body() const;
  // A path parameter by name (always present for the matched route).
  const std::string& param(const char* name) const { return req.path_params.at(name); }
  // A numeric id path parameter; 404 when it is not a positive integer (an id that cannot
  // exist is the same as a missing one).
  int64_t id_param(const char* name) const;
  // An optional integer query parameter; 422 when present but not an integer in range.
  std::optional<int64_t> int_query(const char* name, int64_t min, int64_t max) const;
  // The domain services' view of this request's connections.
  Deps deps() { return Deps{cfg, pg, redis}; }
};

}  // namespace nt
