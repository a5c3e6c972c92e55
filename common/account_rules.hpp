// Account rules with no I/O (DESIGN.md §4.1): what a valid username, email and password are.
// Each returns "" when valid or the field error code of a 422.
#pragma once

#include <string>
#include <string_view>

namespace nt {

// 3–50 of [A-Za-z0-9_]; stored lower-case.
std::string check_username(std::string_view username);
std::string normalize_username(std::string_view username);

// One '@', a non-empty local part, a dotted domain, no spaces or control characters, ≤ 255.
std::string check_email(std::string_view email);
std::string normalize_email(std::string_view email);

// 8–72 bytes (bcrypt's limit; never truncated), with an upper-case letter, a lower-case letter
// and a digit, and not one of the most common breached passwords.
std::string check_password(std::string_view password);

constexpr size_t kPasswordMinBytes = 8;
constexpr size_t kPasswordMaxBytes = 72;

}  // namespace nt
