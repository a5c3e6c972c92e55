#include "gif_provider.hpp"

#include <algorithm>

#include "crypto.hpp"
#include "errors.hpp"
#include "http_client.hpp"
#include "log.hpp"
#include "text.hpp"
#include "validate.hpp"

namespace nt {
namespace {

constexpr size_t kMaxUrlBytes = 2048;
constexpr int64_t kMaxDimension = 100000;
constexpr size_t kMaxResponseBytes = 4 * 1024 * 1024;
constexpr int kMaxResponseDepth = 32;
constexpr int kRetryAfterSeconds = 5;

// A GIPHY number: an integer, an integral real, or a string of digits ("320"). GIPHY's
// documented Image Object sends strings; its own TypeScript types say numbers.
std::optional<int64_t> giphy_int(json_t* v) {
  if (json_is_integer(v)) return json_integer_value(v);
  if (json_is_real(v)) {
    const double d = json_real_value(v);
    if (d >= 0 && d <= 1e15 && d == static_cast<double>(static_cast<int64_t>(d))) {
      return static_cast<int64_t>(d);
    }
    return std::nullopt;
  }
  if (!json_is_string(v)) return std::nullopt;
  const std::string_view s(json_string_value(v), json_string_length(v));
  if (s.empty() || s.size() > 15 || s.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  int64_t n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

// A URL a client can load: an http(s) string of sane length.
std::optional<std::string> usable_url(json_t* v) {
  if (!json_is_string(v)) return std::nullopt;
  const std::string_view s(json_string_value(v), json_string_length(v));
  if (s.size() > kMaxUrlBytes) return std::nullopt;
  if (s.rfind("https://", 0) != 0 && s.rfind("http://", 0) != 0) return std::nullopt;
  if (s.find_first_of(" \t\r\n\"<>") != std::string_view::npos) return std::nullopt;
  return std::string(s);
}

struct Rendition {
  std::string url;
  std::string mime;
  int64_t width = 0;
  int64_t height = 0;
};

// `images[name]` with positive dimensions and the first usable URL among `fields`
// ({field, mime} pairs in order of preference).
std::optional<Rendition> pick(json_t* images, const char* name,
                              std::initializer_list<std::pair<const char*, const char*>> fields) {
  json_t* r = json_object_get(images, name);
  if (!json_is_object(r)) return std::nullopt;
  const auto w = giphy_int(json_object_get(r, "width"));
  const auto h = giphy_int(json_object_get(r, "height"));
  if (!w || !h || *w <= 0 || *h <= 0 || *w > kMaxDimension || *h > kMaxDimension) {
    return std::nullopt;
  }
  for (const auto& [field, mime] : fields) {
    if (auto url = usable_url(json_object_get(r, field))) return Rendition{*url, mime, *w, *h};
  }
  return std::nullopt;
}

std::optional<Gif> normalize_item(json_t* item) {
  if (!json_is_object(item)) return std::nullopt;
  const std::string id = string_member(item, "id");
  json_t* images = json_object_get(item, "images");
  if (id.empty() || !json_is_object(images)) return std::nullopt;
  const auto main = pick(images, "fixed_width",
                         {{"mp4", "video/mp4"}, {"webp", "image/webp"}, {"url", "image/gif"}});
  if (!main) return std::nullopt;
  auto preview = pick(images, "fixed_width_small", {{"url", "image/gif"}});
  if (!preview) preview = pick(images, "fixed_width_still", {{"url", "image/gif"}});
  if (!preview) return std::nullopt;
  Gif g;
  g.provider = "giphy";
  g.id = id;
  g.title = string_member(item, "title");
  if (g.title.empty()) g.title = string_member(item, "alt_text");
  g.url = main->url;
  g.mime = main->mime;
  g.width = main->width;
  g.height = main->height;
  g.preview_url = preview->url;
  g.preview_width = preview->width;
  g.preview_height = preview->height;
  return g;
}

ApiError unavailable(const char* path, const std::string& what, int retry_after) {
  ApiError e(Err::kGifProviderUnavailable, std::string("giphy ") + path + ": " + what);
  e.retry_after = retry_after;
  return e;
}

// What went wrong in a non-2xx answer, for the log: status, GIPHY's meta.msg or message.
std::string describe_status(const HttpResponse& resp) {
  std::string what = "HTTP " + std::to_string(resp.status);
  if (resp.status == 401 || resp.status == 403) what += " (GIPHY_API_KEY refused)";
  if (resp.status == 429) what += " (rate limited)";
  JsonParseError err;
  const Json body = parse_json(resp.body, kMaxResponseDepth, true, &err);
  std::string msg = string_member(body.at("meta").get(), "msg");
  if (msg.empty()) msg = string_member(body.get(), "message");
  if (!msg.empty()) what += ": " + printable_excerpt(msg, 200);
  return what;
}

int retry_after_of(const HttpResponse& resp) {
  if (resp.status != 429) return kRetryAfterSeconds;
  const std::string h = resp.header("retry-after");
  if (h.empty() || h.size() > 5 || h.find_first_not_of("0123456789") != std::string::npos) {
    return 30;
  }
  return std::clamp(std::stoi(h), 1, 3600);
}

}  // namespace

std::optional<GifPage> normalize_giphy(const Json& envelope) {
  json_t* data = json_object_get(envelope.get(), "data");
  if (!json_is_array(data)) return std::nullopt;
  GifPage page;
  size_t i;
  json_t* item;
  json_array_foreach(data, i, item) {
    if (auto g = normalize_item(item)) page.gifs.push_back(std::move(*g));
  }
  json_t* pagination = json_object_get(envelope.get(), "pagination");
  const auto total = giphy_int(json_object_get(pagination, "total_count"));
  const auto count = giphy_int(json_object_get(pagination, "count"));
  const auto offset = giphy_int(json_object_get(pagination, "offset"));
  if (total && count && offset && *count > 0 && *offset + *count < *total) {
    page.next_offset = *offset + *count;
  }
  return page;
}

std::string giphy_lang(std::string_view lang) {
  if (lang == "jp") return "ja";
  if (lang == "cn") return "zh-CN";
  if (lang == "id" || lang == "ko") return std::string(lang);
  return "en";
}

GiphyProvider::GiphyProvider(const Config& cfg)
    : api_key_(cfg.giphy_api_key),
      base_url_(cfg.giphy_base_url),
      rating_(cfg.giphy_rating),
      timeout_ms_(static_cast<long>(cfg.http_client_timeout_ms)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

GifPage GiphyProvider::search(const std::string& query, int64_t limit, int64_t offset,
                              const std::string& lang) const {
  return fetch("/v1/gifs/search",
               "&q=" + url_encode(utf8_prefix(query, kGiphyMaxQueryChars)) +
                   "&limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset) +
                   "&lang=" + url_encode(giphy_lang(lang)),
               kGifMaxSearchOffset);
}

GifPage GiphyProvider::trending(int64_t limit, int64_t offset) const {
  return fetch("/v1/gifs/trending",
               "&limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset),
               kGifMaxTrendingOffset);
}

GifPage GiphyProvider::fetch(const char* path, const std::string& params,
                             int64_t max_offset) const {
  HttpRequest req;
  // The key travels in the query string, as GIPHY wants it; the URL is therefore never logged.
  req.url = base_url_ + path + "?api_key=" + url_encode(api_key_) + params +
            "&rating=" + url_encode(rating_);
  req.headers = {{"Accept", "application/json"}};
  req.timeout_ms = timeout_ms_;
  req.connect_timeout_ms = std::min(timeout_ms_, 2000L);
  req.max_response_bytes = kMaxResponseBytes;
  const HttpResponse resp = http_request(req);
  if (resp.status == 0) throw unavailable(path, resp.error, kRetryAfterSeconds);
  if (!resp.ok()) throw unavailable(path, describe_status(resp), retry_after_of(resp));
  JsonParseError err;
  const Json body = parse_json(resp.body, kMaxResponseDepth, true, &err);
  if (!body) throw unavailable(path, "malformed JSON in the response", kRetryAfterSeconds);
  // GIPHY also reports errors in meta.status.
  const auto meta_status = giphy_int(json_object_get(body.at("meta").get(), "status"));
  if (meta_status && *meta_status != 200) {
    throw unavailable(path,
                      "meta.status " + std::to_string(*meta_status) + ": " +
                          printable_excerpt(string_member(body.at("meta").get(), "msg"), 200),
                      kRetryAfterSeconds);
  }
  auto page = normalize_giphy(body);
  if (!page) throw unavailable(path, "response without a data array", kRetryAfterSeconds);
  if (page->next_offset && *page->next_offset > max_offset) page->next_offset.reset();
  return std::move(*page);
}

std::unique_ptr<GifProvider> make_gif_provider(const Config& cfg) {
  if (cfg.giphy_api_key.empty()) return nullptr;
  return std::make_unique<GiphyProvider>(cfg);
}

Json gif_page_json(const GifPage& page, const GifProvider& provider) {
  Json gifs = Json::array();
  for (const Gif& g : page.gifs) {
    gifs.append(Json::object()
                    .set("provider", g.provider)
                    .set("id", g.id)
                    .set("title", g.title)
                    .set("url", g.url)
                    .set("mime", g.mime)
                    .set("width", g.width)
                    .set("height", g.height)
                    .set("preview_url", g.preview_url)
                    .set("preview_width", g.preview_width)
                    .set("preview_height", g.preview_height));
  }
  return Json::object()
      .set("gifs", gifs)
      .set("next_offset", page.next_offset ? Json::integer(*page.next_offset) : Json::null())
      .set("provider", provider.name())
      .set("attribution", provider.attribution());
}

std::string gif_cache_key(const GifQuery& q) {
  return "nerutalk:gif_cache:" + q.kind + ":" + (q.lang.empty() ? "-" : q.lang) + ":" +
         std::to_string(q.limit) + ":" + std::to_string(q.offset) + ":" + sha256_hex(q.query);
}

Json gif_page_cached(Redis& redis, int64_t ttl_seconds, const GifProvider& provider,
                     const GifQuery& q) {
  const std::string key = gif_cache_key(q);
  if (ttl_seconds > 0) {
    try {
      if (const auto cached = redis.get(key)) {
        JsonParseError err;
        Json body = parse_json(*cached, kMaxResponseDepth, true, &err);
        if (body) return body;
        log_warn("gif cache: unreadable entry %s, fetching again", key.c_str());
      }
    } catch (const RedisUnavailable& e) {
      log_warn("gif cache: Redis unavailable, not cached: %s", e.what());
    }
  }
  const GifPage page = q.kind == "search" ? provider.search(q.query, q.limit, q.offset, q.lang)
                                          : provider.trending(q.limit, q.offset);
  Json body = gif_page_json(page, provider);
  if (ttl_seconds > 0) {
    try {
      RedisReplyPtr r = redis.command({"SET", key, body.dump(), "EX", std::to_string(ttl_seconds)});
      if (r->type == REDIS_REPLY_ERROR) log_warn("gif cache: SET failed: %s", r->str);
    } catch (const RedisUnavailable& e) {
      log_warn("gif cache: Redis unavailable, not cached: %s", e.what());
    }
  }
  return body;
}

}  // namespace nt
