// Health, languages and the OpenAPI document.
#include "errors.hpp"
#include "handlers.hpp"
#include "i18n.hpp"

namespace nt {
extern const char* const kOpenApiDocument;  // generated from docs/openapi.json
}

namespace nt::handlers {
namespace {

const char* native_name(const std::string& code) {
  if (code == "en") return "English";
  if (code == "id") return "Bahasa Indonesia";
  if (code == "jp") return "日本語";
  if (code == "ko") return "한국어";
  if (code == "cn") return "中文";
  return "";
}

Json language_json(const std::string& code, const std::string& lang) {
  return Json::object()
      .set("code", code)
      .set("name", tr("lang." + code, lang))
      .set("native_name", native_name(code));
}

}  // namespace

Response health(Ctx&) { return json_response(200, Json::object().set("status", "ok")); }

Response health_ready(Ctx& ctx) {
  const bool pg = ctx.pg.ping();
  const bool redis = ctx.redis.ping();
  if (pg && redis) {
    return json_response(200, Json::object().set("status", "ready").set("postgres", "ok").set(
                                  "redis", "ok"));
  }
  ApiError e(Err::kServiceUnavailable, std::string("not ready:") + (pg ? "" : " postgres") +
                                           (redis ? "" : " redis"));
  e.retry_after = 5;
  throw e;
}

Response languages(Ctx& ctx) {
  Json list = Json::array();
  for (const auto& code : ctx.cfg.supported_languages) list.append(language_json(code, ctx.lang));
  Response r = json_response(200, Json::object()
                                      .set("languages", list)
                                      .set("default", ctx.cfg.default_language)
                                      .set("current", ctx.lang));
  r.headers.emplace_back("Vary", "Accept-Language, X-Language");
  return r;
}

Response language_current(Ctx& ctx) {
  Json j = language_json(ctx.lang, ctx.lang);
  j.set("source", ctx.lang_source);
  return json_response(200, j);
}

Response language_test(Ctx& ctx) {
  Json messages = Json::object();
  for (const auto& key : catalogue_keys()) messages.set(key.c_str(), tr(key, ctx.lang));
  return json_response(200, Json::object().set("language", ctx.lang).set("messages", messages));
}

Response openapi(Ctx&) {
  Response r;
  r.body = kOpenApiDocument;
  r.cacheable = true;
  return r;
}

}  // namespace nt::handlers
