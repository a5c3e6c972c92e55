// The one route table: every path the API serves, in one readable list. Paths are written as
// in the OpenAPI document (docs/openapi.json); a unit test checks the two agree.
#include "handlers/handlers.hpp"
#include "router.hpp"

namespace nt {

using namespace handlers;

const std::vector<Route>& route_table() {
  static const std::vector<Route> kRoutes = {
      // System
      {"GET", "/health", health, Auth::kNone, "Liveness"},
      {"GET", "/health/ready", health_ready, Auth::kNone, "Readiness (Postgres and Redis)"},
      {"GET", "/api/v1/health", health, Auth::kNone, "Liveness"},
      {"GET", "/api/v1/health/ready", health_ready, Auth::kNone, "Readiness"},
      {"GET", "/api/v1/openapi.json", openapi, Auth::kNone, "This API's OpenAPI document"},
      // Accounts
      {"POST", "/api/v1/register", register_user, Auth::kNone, "Create an account"},
      {"POST", "/api/v1/login", login, Auth::kNone, "Sign in"},
      {"POST", "/api/v1/refresh-token", refresh_token, Auth::kNone, "Rotate the refresh token"},
      {"POST", "/api/v1/logout", logout, Auth::kRequired, "Sign out this session"},
      {"GET", "/api/v1/profile", get_profile, Auth::kRequired, "Own profile"},
      {"PUT", "/api/v1/profile", update_profile, Auth::kRequired, "Update own profile"},
      {"POST", "/api/v1/change-password", change_password, Auth::kRequired, "Change password"},
      {"GET", "/api/v1/users/search", search_users, Auth::kRequired, "Search users"},
      {"GET", "/api/v1/users/{user_id}", get_user, Auth::kRequired, "Public profile"},
      {"POST", "/api/v1/ws-ticket", ws_ticket, Auth::kRequired, "Single-use WebSocket ticket"},
      // Languages
      {"GET", "/api/v1/languages", languages, Auth::kOptional, "Supported languages"},
      {"GET", "/api/v1/language/current", language_current, Auth::kOptional, "Request language"},
      {"GET", "/api/v1/language/test", language_test, Auth::kOptional, "Sample translations"},
      // Internal (reachable only through nginx's auth_request for /ws)
      {"GET", "/internal/ws-auth", ws_auth, Auth::kNone, "WebSocket handshake check"},
  };
  return kRoutes;
}

}  // namespace nt
