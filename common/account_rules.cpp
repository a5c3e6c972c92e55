#include "account_rules.hpp"
#include "text.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace nt {
namespace {

// Common breached passwords that would otherwise pass the character-class rule (compared
// case-insensitively).
constexpr std::array<std::string_view, 24> kCommonPasswords = {
    "password1", "password12", "password123", "passw0rd", "p@ssw0rd1", "qwerty123", "qwerty1234",
    "abc12345", "abcd1234", "welcome1", "welcome123", "letmein1", "iloveyou1", "admin123",
    "admin1234", "changeme1", "football1", "baseball1", "sunshine1", "princess1", "monkey123",
    "dragon123", "master123", "trustno1a"};

}  // namespace

std::string check_username(std::string_view u) {
  if (u.size() < 3 || u.size() > 50) return "invalid_username";
  for (unsigned char c : u) {
    if (!std::isalnum(c) && c != '_') return "invalid_username";
  }
  return "";
}

std::string normalize_username(std::string_view u) { return ascii_lower(u); }

std::string check_email(std::string_view e) {
  if (e.size() < 3 || e.size() > 255) return "invalid_email";
  for (unsigned char c : e) {
    if (c <= 0x20 || c == 0x7F) return "invalid_email";
  }
  const size_t at = e.find('@');
  if (at == std::string_view::npos || at == 0 || e.find('@', at + 1) != std::string_view::npos) {
    return "invalid_email";
  }
  const std::string_view domain = e.substr(at + 1);
  const size_t dot = domain.rfind('.');
  if (domain.empty() || dot == std::string_view::npos || dot == 0 || dot + 1 == domain.size() ||
      domain.find("..") != std::string_view::npos) {
    return "invalid_email";
  }
  return "";
}

std::string normalize_email(std::string_view e) { return ascii_lower(e); }

std::string check_password(std::string_view p) {
  if (p.size() < kPasswordMinBytes) return "password_too_short";
  if (p.size() > kPasswordMaxBytes) return "password_too_long";
  if (p.find('\0') != std::string_view::npos) return "invalid_format";
  const bool upper = std::any_of(p.begin(), p.end(), [](unsigned char c) { return std::isupper(c); });
  const bool low = std::any_of(p.begin(), p.end(), [](unsigned char c) { return std::islower(c); });
  const bool digit = std::any_of(p.begin(), p.end(), [](unsigned char c) { return std::isdigit(c); });
  if (!upper || !low || !digit) return "weak_password";
  const std::string l = ascii_lower(p);
  if (std::find(kCommonPasswords.begin(), kCommonPasswords.end(), l) != kCommonPasswords.end()) {
    return "weak_password";
  }
  return "";
}

}  // namespace nt
