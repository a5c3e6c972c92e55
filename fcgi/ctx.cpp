#include "ctx.hpp"

#include <cctype>

#include "errors.hpp"

namespace nt {

namespace {
constexpr int kMaxJsonDepth = 32;

bool is_json_content_type(const std::string& ct) {
  std::string base = ct.substr(0, ct.find(';'));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  for (char& c : base) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return base == "application/json";
}
}  // namespace

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
