// Small text helpers shared by every parser in common/ and fcgi/ (headers, settings, names).
// ASCII only on purpose: they serve protocol tokens, not user-visible text.
#pragma once

#include <string>
#include <string_view>

namespace nt {

// A-Z -> a-z; every other byte unchanged.
std::string ascii_lower(std::string_view s);

// `s` without leading and trailing characters from `chars` (default: space and tab).
std::string_view trim(std::string_view s, std::string_view chars = " \t");

}  // namespace nt
