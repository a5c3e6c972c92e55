#include "ctx.hpp"
#include "text.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "errors.hpp"

namespace nt {

namespace {
constexpr int kMaxJsonDepth = 32;

bool is_json_content_type(const std::string& ct) {
  return ascii_lower(trim(std::string_view(ct).substr(0, ct.find(';')))) == "application/json";
}
}  // namespace

int64_t Ctx::id_param(const char* name) const {
  const std::string& v = param(name);
  if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos) {
    throw ApiError(Err::kNotFound);
  }
  const int64_t id = std::stoll(v);
  if (id <= 0) throw ApiError(Err::kNotFound);
  return id;
}

int64_t parse_int_param(const char* name, const std::string& text, int64_t min, int64_t max) {
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0) throw_field_error(name, "invalid_format");
  if (n < min || n > max) throw_field_error(name, "out_of_range");
  return n;
}

std::optional<int64_t> Ctx::int_query(const char* name, int64_t min, int64_t max) const {
  const auto v = query_param(req.query, name);
  if (!v) return std::nullopt;
  return parse_int_param(name, *v, min, max);
}

Json Ctx::json_body() const {
  if (!is_json_content_type(req.content_type)) throw ApiError(Err::kUnsupportedMediaType);
  if (static_cast<int64_t>(req.body.size()) > cfg.max_json_body_bytes) {
    throw ApiError(Err::kPayloadTooLarge);
  }
  JsonParseError err;
  Json j = parse_json(req.body, kMaxJsonDepth, true, &err);
  if (!j) throw ApiError(Err::kInvalidJson);
  return j;
}

}  // namespace nt
