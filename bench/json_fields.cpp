#include "json_fields.hpp"

#include <charconv>
#include <cstdio>

namespace nt::bench {
namespace {

// Where the value of the first `"key":` starts (after the colon), or npos.
size_t value_start(std::string_view text, std::string_view key) {
  std::string needle;
  needle.reserve(key.size() + 3);
  needle += '"';
  needle += key;
  needle += "\":";
  const size_t at = text.find(needle);
  return at == std::string_view::npos ? at : at + needle.size();
}

}  // namespace

std::optional<std::string> json_string(std::string_view text, std::string_view key) {
  size_t p = value_start(text, key);
  if (p == std::string_view::npos || p >= text.size() || text[p] != '"') return std::nullopt;
  std::string out;
  for (++p; p < text.size(); ++p) {
    const char c = text[p];
    if (c == '"') return out;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++p >= text.size()) break;
    const char e = text[p];
    if (e == '"' || e == '\\' || e == '/') {
      out += e;
    } else {
      out += '\\';
      out += e;
    }
  }
  return std::nullopt;  // unterminated
}

std::optional<int64_t> json_int(std::string_view text, std::string_view key) {
  const size_t p = value_start(text, key);
  if (p == std::string_view::npos) return std::nullopt;
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data() + p, text.data() + text.size(), v);
  if (ec != std::errc() || ptr == text.data() + p) return std::nullopt;
  return v;
}

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace nt::bench
