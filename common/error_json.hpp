// What both doors share about errors: which client error a failure is (one mapping of
// exceptions, Postgres SQLSTATEs included) and the localized field errors of a 422. REST
// (fcgi/dispatch.cpp) and WebSocket error frames (realtime/client_events.cpp) add their own
// envelope fields around them.
#pragma once

#include <string>

#include "errors.hpp"
#include "json.hpp"

namespace nt {

// The client error that the exception being handled means; call it inside a catch block.
// ApiError as is; Postgres or Redis unreachable -> 503 (Retry-After 2); SQLSTATE 23505 -> 409,
// serialization/deadlock/statement timeout/lock or connection limits -> 503 (Retry-After 1),
// bad text representation -> 400; anything else -> 500. log_detail() keeps what happened.
ApiError current_exception_as_api_error();

// [{field, code, message}] in `lang`; an empty Json when the error has no field errors.
Json field_errors_json(const ApiError& e, const std::string& lang);

}  // namespace nt
