// Matches a method and path against the route table. Patterns are written as in the OpenAPI
// document ("/api/v1/users/{user_id}"); a segment in braces matches one non-empty segment.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "http.hpp"

namespace nt {

struct Ctx;
using Handler = Response (*)(Ctx&);

enum class Auth { kNone, kOptional, kRequired };

struct Route {
  const char* method;
  const char* pattern;
  Handler handler;
  Auth auth;
  const char* summary;
};

struct RouteMatch {
  const Route* route = nullptr;          // set when method and path match
  std::vector<std::string> allow;        // methods of the path when only the path matched
  std::map<std::string, std::string> params;
};

// Finds the route; when the path exists under other methods, `allow` lists them (405).
// HEAD is answered by GET routes.
RouteMatch match_route(const std::vector<Route>& routes, const std::string& method,
                       const std::string& path);

// The one route table (routes.cpp).
const std::vector<Route>& route_table();

}  // namespace nt
