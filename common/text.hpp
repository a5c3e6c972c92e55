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

// Printable ASCII of an upstream text (anything else becomes '?'), at most `max` bytes, for
// error messages and logs.
std::string printable_excerpt(std::string_view s, size_t max = 300);

// RFC 3986 percent-encoding with upper-case hex: only A-Z a-z 0-9 - . _ ~ stay, and '/' when
// keep_slash is set (a URL path). Query values, form fields, S3 keys and SigV4 all use it.
std::string url_encode(std::string_view s, bool keep_slash = false);
// "%XX" becomes its byte (a malformed escape stays as it is); '+' becomes a space when
// plus_is_space (query strings and forms), and stays otherwise (URL paths).
std::string url_decode(std::string_view s, bool plus_is_space);

}  // namespace nt
