#include "validate.hpp"

#include <cmath>

namespace nt {

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string utf8_prefix(std::string_view s, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && chars++ == max_chars) {
      return std::string(s.substr(0, i));
    }
  }
  return std::string(s);
}

bool FieldReader::has(const char* name) const {
  json_t* v = json_object_get(obj_.get(), name);
  return v != nullptr && !json_is_null(v);
}

json_t* FieldReader::field(const char* name, bool required) {
  json_t* v = json_object_get(obj_.get(), name);
  if (v == nullptr || json_is_null(v)) {
    if (required) add({name, "required", {}});
    return nullptr;
  }
  return v;
}

std::optional<std::string> FieldReader::str(const char* name, bool required, size_t min_chars,
                                            size_t max_chars) {
  json_t* v = field(name, required);
  if (!v) return std::nullopt;
  if (!json_is_string(v)) {
    add({name, "invalid_type", {}});
    return std::nullopt;
  }
  std::string s(json_string_value(v), json_string_length(v));
  const size_t len = utf8_length(s);
  if (len < min_chars) {
    add({name, required || min_chars > 0 ? "too_short" : "required",
         {{"min", std::to_string(min_chars)}}});
    return std::nullopt;
  }
  if (len > max_chars) {
    add({name, "too_long", {{"max", std::to_string(max_chars)}}});
    return std::nullopt;
  }
  return s;
}

std::optional<int64_t> FieldReader::integer(const char* name, bool required, int64_t min,
                                            int64_t max) {
  json_t* v = field(name, required);
  if (!v) return std::nullopt;
  if (!json_is_integer(v)) {
    add({name, "invalid_type", {}});
    return std::nullopt;
  }
  const int64_t i = json_integer_value(v);
  if (i < min || i > max) {
    add({name, "out_of_range", {}});
    return std::nullopt;
  }
  return i;
}

std::optional<double> FieldReader::number(const char* name, bool required, double min, double max) {
  json_t* v = field(name, required);
  if (!v) return std::nullopt;
  if (!json_is_number(v)) {
    add({name, "invalid_type", {}});
    return std::nullopt;
  }
  const double d = json_number_value(v);
  if (!std::isfinite(d) || d < min || d > max) {
    add({name, "out_of_range", {}});
    return std::nullopt;
  }
  return d;
}

std::optional<bool> FieldReader::boolean(const char* name, bool required) {
  json_t* v = field(name, required);
  if (!v) return std::nullopt;
  if (!json_is_boolean(v)) {
    add({name, "invalid_type", {}});
    return std::nullopt;
  }
  return json_is_true(v);
}

void FieldReader::done() const {
  if (!errors_.empty()) throw ApiError(Err::kValidation, errors_);
}

}  // namespace nt

namespace nt {
bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}
}  // namespace nt
