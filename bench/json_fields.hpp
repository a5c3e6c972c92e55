// Just enough JSON reading for the WebSocket benchmarks, which may link nothing but libc: the
// first value of a key in compact JSON text (jansson's JSON_COMPACT output, as the API and the
// realtime daemon write it). Not a parser: a key nested anywhere matches, so callers ask only
// for keys whose first occurrence is the one they mean. Pure functions, no allocation beyond the
// returned string.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nt::bench {

// The string value of the first `"key":"..."` (escapes \" \\ \/ decoded; \uXXXX left as is), or
// nullopt when the key is missing or its value is not a string.
std::optional<std::string> json_string(std::string_view text, std::string_view key);

// The integer value of the first `"key":123`, or nullopt.
std::optional<int64_t> json_int(std::string_view text, std::string_view key);

// Escapes `s` as the inside of a JSON string (quotes, backslashes, control characters).
std::string json_escape(std::string_view s);

}  // namespace nt::bench
