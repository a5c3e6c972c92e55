// GIF search and trending (DESIGN.md §4.4) through the configured provider (GIPHY), with
// pages cached in Redis. Without GIPHY_API_KEY both answer 503 gif_provider_not_configured
// before looking at anything else.
#include <algorithm>

#include "errors.hpp"
#include "gif_provider.hpp"
#include "handlers.hpp"
#include "text.hpp"
#include "validate.hpp"

namespace nt::handlers {
namespace {

std::unique_ptr<GifProvider> provider_or_throw(const Config& cfg) {
  auto provider = make_gif_provider(cfg);
  if (!provider) throw ApiError(Err::kGifProviderNotConfigured, "GIPHY_API_KEY is not set");
  return provider;
}

// limit (default 25, above 50 capped) and offset (0..max_offset); 422 otherwise.
void read_window(const Ctx& ctx, int64_t max_offset, GifQuery* q) {
  q->limit =
      std::min(ctx.int_query("limit", 1, INT64_MAX).value_or(kGifDefaultLimit), kGifMaxLimit);
  q->offset = ctx.int_query("offset", 0, max_offset).value_or(0);
}

Response answer(Ctx& ctx, const GifProvider& provider, const GifQuery& q) {
  return json_response(200, gif_page_cached(ctx.redis, ctx.cfg.gif_cache_seconds, provider, q));
}

}  // namespace

Response gif_search(Ctx& ctx) {
  const auto provider = provider_or_throw(ctx.cfg);
  const auto raw = query_param(ctx.req.query, "q");
  GifQuery q;
  q.kind = "search";
  q.query = raw ? std::string(trim(*raw, " \t\r\n")) : "";
  if (q.query.empty()) throw_field_error("q", "required");
  // jansson refuses to build a string from invalid UTF-8: the same check the response needs.
  if (!Json::str(q.query)) throw_field_error("q", "invalid_utf8");
  if (utf8_length(q.query) > kGifMaxQueryChars) {
    throw_field_error("q", "too_long", {{"max", std::to_string(kGifMaxQueryChars)}});
  }
  read_window(ctx, kGifMaxSearchOffset, &q);
  q.lang = ctx.lang;
  return answer(ctx, *provider, q);
}

Response gif_trending(Ctx& ctx) {
  const auto provider = provider_or_throw(ctx.cfg);
  GifQuery q;
  q.kind = "trending";
  read_window(ctx, kGifMaxTrendingOffset, &q);
  return answer(ctx, *provider, q);
}

}  // namespace nt::handlers
