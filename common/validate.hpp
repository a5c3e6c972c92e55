// Reading and validating fields of a JSON object, collecting every problem so one 422 lists
// them all. Used by REST handlers and WebSocket events alike.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "errors.hpp"
#include "json.hpp"

namespace nt {

// Number of Unicode code points in valid UTF-8 text.
size_t utf8_length(std::string_view s);
// The first `max_chars` code points of valid UTF-8 text (never cuts a character in half).
std::string utf8_prefix(std::string_view s, size_t max_chars);

class FieldReader {
 public:
  explicit FieldReader(const Json& object) : obj_(object) {}

  // A string field; nullopt when absent/null (an error if required) or invalid.
  std::optional<std::string> str(const char* name, bool required, size_t min_chars,
                                 size_t max_chars);
  std::optional<int64_t> integer(const char* name, bool required, int64_t min, int64_t max);
  // A JSON number (integer or real) within [min, max]; `invalid_type` for anything else
  // (strings such as "48.8" or "NaN", booleans), `out_of_range` outside the bounds or when not
  // finite. Integers beyond 2^53 lose precision as doubles (callers' ranges are far smaller).
  std::optional<double> number(const char* name, bool required, double min, double max);
  std::optional<bool> boolean(const char* name, bool required);
  // Whether the field is present and not null.
  bool has(const char* name) const;

  void add(FieldError e) { errors_.push_back(std::move(e)); }
  bool ok() const { return errors_.empty(); }
  // Errors collected so far (compare before and after reading a group of fields).
  size_t error_count() const { return errors_.size(); }
  // Throws ApiError(kValidation) listing every collected error; no-op when there are none.
  void done() const;

 private:
  json_t* field(const char* name, bool required);
  Json obj_;
  std::vector<FieldError> errors_;
};

}  // namespace nt

namespace nt {
// Canonical textual UUID (8-4-4-4-12 hex digits).
bool is_uuid(std::string_view s);
}  // namespace nt
