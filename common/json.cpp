#include "json.hpp"

namespace nt {

Json& Json::set(const char* key, Json v) {
  json_object_set(j_, key, v.get());
  return *this;
}

Json& Json::append(Json v) {
  json_array_append(j_, v.get());
  return *this;
}

Json Json::at(const char* key) const {
  if (!j_ || !json_is_object(j_)) return Json();
  json_t* v = json_object_get(j_, key);
  return v ? borrow(v) : Json();
}

std::string string_member(json_t* obj, const char* key) {
  json_t* v = json_object_get(obj, key);
  return json_is_string(v) ? std::string(json_string_value(v), json_string_length(v)) : "";
}

std::string Json::dump() const {
  if (!j_) return "null";
  char* text = json_dumps(j_, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
  if (!text) return "null";
  std::string out(text);
  free(text);
  return out;
}

namespace {

// Measures nesting without recursion into the parser: brackets outside strings.
bool depth_within(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

}  // namespace

Json parse_json(std::string_view text, int max_depth, bool require_object, JsonParseError* err) {
  *err = JsonParseError::kNone;
  // Checked before parsing so a bracket bomb never reaches jansson's recursive parser.
  if (!depth_within(text, max_depth)) {
    *err = JsonParseError::kTooDeep;
    return Json();
  }
  json_error_t error;
  json_t* j = json_loadb(text.data(), text.size(), JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                         &error);
  if (!j) {
    *err = JsonParseError::kSyntax;
    return Json();
  }
  Json out = Json::steal(j);
  if (require_object && !json_is_object(j)) {
    *err = JsonParseError::kNotObject;
    return Json();
  }
  return out;
}

}  // namespace nt
