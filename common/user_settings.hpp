// Privacy settings that decide what presence others see (DESIGN.md §4.1, §5).
#pragma once

#include <string>

#include "pg.hpp"

namespace nt {

// Whether others may see the user's online status (default true when never set).
bool shows_online_status(Pg& pg, const std::string& user_id);

// Records the moment the user's last connection closed.
void touch_last_seen(Pg& pg, const std::string& user_id);

}  // namespace nt
