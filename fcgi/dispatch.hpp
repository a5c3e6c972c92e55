// One request through the whole pipeline, independent of FastCGI: host check, CORS, routing
// (404/405), language, authentication, the handler, and the one catch site that turns every
// failure into the JSON error body of DESIGN.md §2.
#pragma once

#include "config.hpp"
#include "http.hpp"
#include "pg.hpp"
#include "redis.hpp"

namespace nt {

Response dispatch(const Config& cfg, Pg& pg, Redis& redis, Request& req);

// Whether the Host header (port ignored) is one of TRUSTED_HOSTS (an empty list allows any).
bool host_allowed(const Config& cfg, const std::string& host);

// The JSON error body for `e` in `lang`, with status and headers set.
class ApiError;
Response error_response(const ApiError& e, const std::string& lang, const std::string& request_id);

}  // namespace nt
