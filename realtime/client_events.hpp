// Client → server frames: parse the envelope, check it, and dispatch by type through one
// table. Errors go back as {"type":"error","data":{"id","code","detail"}} in the session's
// language; nothing here blocks.
#pragma once

#include <string_view>

#include "hub.hpp"

namespace nt::rt {

void handle_client_frame(Hub& hub, Session* s, std::string_view text);

}  // namespace nt::rt
