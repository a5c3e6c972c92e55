// RAII around jansson's json_t. A Json owns one reference; copies take another. Jansson's
// reference counts are atomic, but values are not: a value may be handed to another thread
// (deep_copy() when the sender keeps using its parent) and never modified by two at once.
#pragma once

#include <jansson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nt {

class Json {
 public:
  Json() = default;
  // Takes ownership of a new reference (as returned by json_object(), json_loadb(), ...).
  static Json steal(json_t* j) { return Json(j); }
  // Adds a reference to a borrowed value (as returned by json_object_get()).
  static Json borrow(json_t* j) { return Json(json_incref(j)); }

  static Json object() { return Json(json_object()); }
  static Json array() { return Json(json_array()); }
  static Json str(std::string_view s) { return Json(json_stringn(s.data(), s.size())); }
  static Json integer(int64_t v) { return Json(json_integer(v)); }
  static Json real(double v) { return Json(json_real(v)); }
  static Json boolean(bool v) { return Json(json_boolean(v)); }
  static Json null() { return Json(json_null()); }
  // A string, or null when absent.
  static Json str_or_null(const std::optional<std::string>& s) {
    return s ? str(*s) : null();
  }

  Json(const Json& o) : j_(o.j_ ? json_incref(o.j_) : nullptr) {}
  Json(Json&& o) noexcept : j_(o.j_) { o.j_ = nullptr; }
  Json& operator=(Json o) noexcept {
    std::swap(j_, o.j_);
    return *this;
  }
  ~Json() {
    if (j_) json_decref(j_);
  }

  json_t* get() const { return j_; }
  // An independent copy (no shared children), safe to hand to another thread.
  Json deep_copy() const { return j_ ? Json(json_deep_copy(j_)) : Json(); }
  explicit operator bool() const { return j_ != nullptr; }

  // Object members; each returns *this so a response reads as one expression.
  Json& set(const char* key, Json v);
  Json& set(const char* key, std::string_view v) { return set(key, str(v)); }
  Json& set(const char* key, const char* v) { return set(key, str(v)); }
  Json& set(const char* key, const std::string& v) { return set(key, str(v)); }
  Json& set(const char* key, int64_t v) { return set(key, integer(v)); }
  Json& set(const char* key, int v) { return set(key, integer(v)); }
  Json& set(const char* key, bool v) { return set(key, boolean(v)); }
  Json& append(Json v);

  // Member lookup on an object; an empty Json when absent or not an object.
  Json at(const char* key) const;

  // Compact UTF-8 text, keys in insertion order.
  std::string dump() const;

 private:
  explicit Json(json_t* j) : j_(j) {}
  json_t* j_ = nullptr;
};

// The string member `key` of `obj` (a jansson object; null is fine), or "" when it is absent
// or not a string. For reading upstream documents, where a missing text is an empty one.
std::string string_member(json_t* obj, const char* key);

enum class JsonParseError { kNone, kSyntax, kTooDeep, kNotObject };

// Parses a request body strictly: duplicate keys, NUL in strings, invalid UTF-8 and nesting
// deeper than max_depth are errors. With require_object the top level must be an object.
Json parse_json(std::string_view text, int max_depth, bool require_object, JsonParseError* err);

}  // namespace nt
