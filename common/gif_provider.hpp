// GIF search and trending behind one interface (DESIGN.md §4.4). GIPHY is the implementation:
// Tenor's API was shut down on 2026-06-30 (vectors/gifs.md). Every provider's answer is
// normalized to one shape, so clients and stored messages never see a provider's own format;
// pages are cached in Redis for GIF_CACHE_SECONDS.
//
// Blocking I/O: call from API worker threads only. Providers are immutable after construction
// and may be shared between threads; the Redis connection passed in belongs to the caller's
// thread. Upstream failures throw ApiError(kGifProviderUnavailable) with a log detail that
// never contains the API key.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.hpp"
#include "json.hpp"
#include "redis.hpp"

namespace nt {

// Paging of GIF lists, suited to GIPHY (beta keys: at most 50 per page; search offsets up to
// 4999, trending up to 499). Clients may search with up to 100 characters; GIPHY reads at most
// 50, so GiphyProvider sends the first 50.
inline constexpr int64_t kGifDefaultLimit = 25;
inline constexpr int64_t kGifMaxLimit = 50;
inline constexpr int64_t kGifMaxSearchOffset = 4999;
inline constexpr int64_t kGifMaxTrendingOffset = 499;
inline constexpr size_t kGifMaxQueryChars = 100;
inline constexpr size_t kGiphyMaxQueryChars = 50;

// One GIF as clients see it and as a `gif` message stores it.
struct Gif {
  std::string provider;  // "giphy"
  std::string id;        // the provider's id (re-resolvable later)
  std::string title;     // for accessibility; may be ""
  std::string url;       // the rendition to show in a message
  std::string mime;      // of `url`: video/mp4, image/webp or image/gif
  int64_t width = 0;
  int64_t height = 0;
  std::string preview_url;  // a small rendition for the picker grid
  int64_t preview_width = 0;
  int64_t preview_height = 0;
};

struct GifPage {
  std::vector<Gif> gifs;
  std::optional<int64_t> next_offset;  // the offset of the next page; nullopt when none
};

class GifProvider {
 public:
  virtual ~GifProvider() = default;
  // Stable provider name ("giphy"), also each item's `provider`.
  virtual const char* name() const = 0;
  // The mark the provider's terms require next to its content ("Powered By GIPHY").
  virtual const char* attribution() const = 0;
  // `query` is trimmed, 1–100 characters of UTF-8; `lang` is a NeruTalk language code.
  virtual GifPage search(const std::string& query, int64_t limit, int64_t offset,
                         const std::string& lang) const = 0;
  virtual GifPage trending(int64_t limit, int64_t offset) const = 0;
};

// GIPHY's /v1/gifs/search and /v1/gifs/trending, always with `rating` (GIPHY_RATING).
class GiphyProvider : public GifProvider {
 public:
  explicit GiphyProvider(const Config& cfg);
  const char* name() const override { return "giphy"; }
  const char* attribution() const override { return "Powered By GIPHY"; }
  GifPage search(const std::string& query, int64_t limit, int64_t offset,
                 const std::string& lang) const override;
  GifPage trending(int64_t limit, int64_t offset) const override;

 private:
  GifPage fetch(const char* path, const std::string& params, int64_t max_offset) const;

  std::string api_key_;
  std::string base_url_;  // without a trailing '/'
  std::string rating_;
  long timeout_ms_;
};

// The provider the settings configure, or nullptr when none is (no GIPHY_API_KEY).
std::unique_ptr<GifProvider> make_gif_provider(const Config& cfg);

// GIPHY's search/trending envelope ({data: [...], pagination, meta}) normalized: the
// fixed_width rendition (mp4, else webp, else the .gif) with fixed_width_small (else
// fixed_width_still) as the preview; dimensions given as strings or numbers become integers;
// items without a usable rendition or preview are left out; next_offset = offset + count while
// that is below total_count. nullopt when `envelope` is not such an envelope. Pure.
std::optional<GifPage> normalize_giphy(const Json& envelope);

// GIPHY's `lang` for a NeruTalk language code (jp -> ja, cn -> zh-CN, ...); "en" if unknown.
std::string giphy_lang(std::string_view lang);

// The response body: {gifs: [...], next_offset, provider, attribution}.
Json gif_page_json(const GifPage& page, const GifProvider& provider);

// What one request asks for; `kind` is "search" or "trending" (no query, no language).
struct GifQuery {
  std::string kind;
  std::string query;
  std::string lang;
  int64_t limit = kGifDefaultLimit;
  int64_t offset = 0;
};

// nerutalk:gif_cache:{kind}:{lang}:{limit}:{offset}:{sha256(query)}
std::string gif_cache_key(const GifQuery& q);

// The response body for `q`: from the Redis cache when it holds it, else from `provider`, then
// cached for `ttl_seconds` (0 disables the cache). Redis failures are logged and never fail
// the request; provider failures throw as the provider does.
Json gif_page_cached(Redis& redis, int64_t ttl_seconds, const GifProvider& provider,
                     const GifQuery& q);

}  // namespace nt
