// Every REST handler; routes.cpp maps paths to them. Handlers are thin: read input, call the
// domain functions, shape the response. They throw ApiError for every failure.
#pragma once

#include "ctx.hpp"

namespace nt::handlers {

// accounts.cpp
Response register_user(Ctx& ctx);
Response login(Ctx& ctx);
Response refresh_token(Ctx& ctx);
Response logout(Ctx& ctx);
Response change_password(Ctx& ctx);
Response ws_ticket(Ctx& ctx);

// profile.cpp
Response get_profile(Ctx& ctx);
Response update_profile(Ctx& ctx);
Response get_user(Ctx& ctx);
Response search_users(Ctx& ctx);

// system.cpp
Response health(Ctx& ctx);
Response health_ready(Ctx& ctx);
Response languages(Ctx& ctx);
Response language_current(Ctx& ctx);
Response language_test(Ctx& ctx);
Response openapi(Ctx& ctx);

// ws_auth.cpp (internal: nginx auth_request for /ws)
Response ws_auth(Ctx& ctx);

}  // namespace nt::handlers
