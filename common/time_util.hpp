// Wall-clock helpers. Times on the wire are RFC 3339 UTC with milliseconds and 'Z'.
#pragma once

#include <cstdint>
#include <string>

namespace nt {

int64_t now_ms();
int64_t now_s();
// 1700000000123 -> "2023-11-14T22:13:20.123Z"
std::string format_rfc3339(int64_t epoch_ms);

}  // namespace nt
