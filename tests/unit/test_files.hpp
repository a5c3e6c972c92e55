// Helpers shared by the unit tests: reading the known-answer vector files and documents
// that live outside the build tree. Failures are reported as GoogleTest failures by callers.
#pragma once

#include <string>

#include "json.hpp"
#include "read_file.hpp"

namespace nt::test {

// The whole file as bytes; "" when it cannot be opened.
inline std::string read_file(const std::string& path) {
  return nt::read_file(path).value_or("");
}

// The file parsed as a JSON object with nt::parse_json; an empty Json when it is missing or
// is not an object.
inline Json load_json_file(const std::string& path) {
  JsonParseError err = JsonParseError::kNone;
  return parse_json(read_file(path), 64, true, &err);
}

// Bytes from lower- or upper-case hex.
inline std::string from_hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

// A string member of a JSON object, or "" when absent / not a string.
inline std::string json_str(const Json& obj, const char* key) {
  return string_member(obj.get(), key);
}

}  // namespace nt::test
