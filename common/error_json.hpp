// The parts of an error body both doors share: the localized field errors of a 422.
// REST (fcgi/dispatch.cpp) and WebSocket error frames (realtime/client_events.cpp) add their
// own envelope fields around it.
#pragma once

#include <string>

#include "errors.hpp"
#include "json.hpp"

namespace nt {

// [{field, code, message}] in `lang`; an empty Json when the error has no field errors.
Json field_errors_json(const ApiError& e, const std::string& lang);

}  // namespace nt
