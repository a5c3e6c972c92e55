// GIPHY's envelope normalized (common/gif_provider.hpp): dimensions as strings and as numbers,
// rendition preference (mp4, webp, gif), previews, items left out, next_offset, malformed
// input; plus the response shape, the cache key and GIPHY's language codes.
#include <gtest/gtest.h>

#include <string>

#include "crypto.hpp"
#include "gif_provider.hpp"

namespace nt {
namespace {

Json parse(const std::string& text) {
  JsonParseError err;
  Json j = parse_json(text, 64, false, &err);
  EXPECT_TRUE(j) << text;
  return j;
}

// An envelope around `items` (JSON text of the data array's elements).
std::string envelope(
    const std::string& items,
    const std::string& pagination = R"({"total_count": 100, "count": 2, "offset": 0})") {
  return R"({"data": [)" + items + R"(], "pagination": )" + pagination +
         R"(, "meta": {"status": 200, "msg": "OK", "response_id": "r1"}})";
}

// GIPHY's documented form: every number a string.
const std::string kStringDims = R"({
  "type": "gif", "id": "YsTs5ltWtEhnq", "url": "https://giphy.com/gifs/YsTs5ltWtEhnq",
  "title": "confused flying", "alt_text": "a bird", "rating": "g",
  "images": {
    "fixed_width": {"url": "https://media.example/a/200w.gif", "width": "200", "height": "112",
                    "size": "32381", "mp4": "https://media.example/a/200w.mp4", "mp4_size": "9000",
                    "webp": "https://media.example/a/200w.webp", "webp_size": "12000"},
    "fixed_width_small": {"url": "https://media.example/a/100w.gif", "width": "100", "height": "56"},
    "fixed_width_still": {"url": "https://media.example/a/200w_s.gif", "width": "200", "height": "112"}
  }})";

// The form giphy-js types describe: numbers as numbers; no mp4, so webp wins.
const std::string kNumberDims = R"({
  "type": "gif", "id": "abc123", "title": "", "alt_text": "dancing cat",
  "images": {
    "fixed_width": {"url": "https://media.example/b/200w.gif", "width": 200, "height": 150,
                    "webp": "https://media.example/b/200w.webp"},
    "fixed_width_small": {"url": "https://media.example/b/100w.gif", "width": 100, "height": 75}
  }})";

// One item in, the Gif it becomes, every field compared.
struct NormalizeCase {
  const char* name;
  std::string item;
  Gif want;
};

TEST(GifNormalize, ItemsBecomeGifsWithThePreferredRendition) {
  const std::string neither_mp4_nor_webp = R"({"id": "g1", "title": "t", "images": {
    "fixed_width": {"url": "https://media.example/c/200w.gif", "width": "200", "height": "90",
                    "mp4": "", "webp": null},
    "fixed_width_still": {"url": "https://media.example/c/200w_s.gif", "width": 200, "height": 90}}})";
  const NormalizeCase cases[] = {
      {"string dimensions, mp4 preferred",
       kStringDims,
       {"giphy", "YsTs5ltWtEhnq", "confused flying", "https://media.example/a/200w.mp4",
        "video/mp4", 200, 112, "https://media.example/a/100w.gif", 100, 56}},
      {"numeric dimensions, webp without mp4, alt_text as title",
       kNumberDims,
       {"giphy", "abc123", "dancing cat", "https://media.example/b/200w.webp", "image/webp", 200,
        150, "https://media.example/b/100w.gif", 100, 75}},
      {"gif url without mp4 or webp, still as preview",
       neither_mp4_nor_webp,
       {"giphy", "g1", "t", "https://media.example/c/200w.gif", "image/gif", 200, 90,
        "https://media.example/c/200w_s.gif", 200, 90}},
  };
  for (const NormalizeCase& c : cases) {
    SCOPED_TRACE(c.name);
    const auto page = normalize_giphy(parse(envelope(c.item)));
    ASSERT_TRUE(page);
    ASSERT_EQ(page->gifs.size(), 1u);
    const Gif& g = page->gifs[0];
    EXPECT_EQ(g.provider, c.want.provider);
    EXPECT_EQ(g.id, c.want.id);
    EXPECT_EQ(g.title, c.want.title);
    EXPECT_EQ(g.url, c.want.url);
    EXPECT_EQ(g.mime, c.want.mime);
    EXPECT_EQ(g.width, c.want.width);
    EXPECT_EQ(g.height, c.want.height);
    EXPECT_EQ(g.preview_url, c.want.preview_url);
    EXPECT_EQ(g.preview_width, c.want.preview_width);
    EXPECT_EQ(g.preview_height, c.want.preview_height);
  }
}

TEST(GifNormalize, ItemsWithoutAUsableRenditionAreLeftOut) {
  const std::string no_images = R"({"id": "n1", "title": "no images"})";
  const std::string no_fixed_width = R"({"id": "n2", "images": {
    "original": {"url": "https://media.example/o.gif", "width": "480", "height": "270"},
    "fixed_width_small": {"url": "https://media.example/s.gif", "width": "100", "height": "56"}}})";
  const std::string bad_dims = R"({"id": "n3", "images": {
    "fixed_width": {"mp4": "https://media.example/x.mp4", "width": "wide", "height": "112"},
    "fixed_width_small": {"url": "https://media.example/s.gif", "width": "100", "height": "56"}}})";
  const std::string zero_dims = R"({"id": "n4", "images": {
    "fixed_width": {"mp4": "https://media.example/x.mp4", "width": 0, "height": 112},
    "fixed_width_small": {"url": "https://media.example/s.gif", "width": "100", "height": "56"}}})";
  const std::string not_http = R"js({"id": "n5", "images": {
    "fixed_width": {"url": "javascript:alert(1)", "width": "200", "height": "112"},
    "fixed_width_small": {"url": "https://media.example/s.gif", "width": "100", "height": "56"}}})js";
  const std::string no_preview = R"({"id": "n6", "images": {
    "fixed_width": {"mp4": "https://media.example/x.mp4", "width": "200", "height": "112"}}})";
  const std::string no_id = R"({"images": {
    "fixed_width": {"mp4": "https://media.example/x.mp4", "width": "200", "height": "112"},
    "fixed_width_small": {"url": "https://media.example/s.gif", "width": "100", "height": "56"}}})";
  const auto page = normalize_giphy(parse(envelope(
      no_images + "," + kStringDims + "," + no_fixed_width + "," + bad_dims + "," + zero_dims +
      "," + not_http + "," + no_preview + "," + no_id + ", 42, \"x\", null," + kNumberDims)));
  ASSERT_TRUE(page);
  ASSERT_EQ(page->gifs.size(), 2u);
  EXPECT_EQ(page->gifs[0].id, "YsTs5ltWtEhnq");
  EXPECT_EQ(page->gifs[1].id, "abc123");
}

TEST(GifNormalize, NextOffsetWhileMoreRemain) {
  const auto more = normalize_giphy(
      parse(envelope(kStringDims, R"({"total_count": 3197, "count": 25, "offset": 50})")));
  ASSERT_TRUE(more);
  ASSERT_TRUE(more->next_offset);
  EXPECT_EQ(*more->next_offset, 75);

  // Counted by GIPHY's pagination, not by the items kept: a left-out item still moves on.
  const auto strings =
      normalize_giphy(parse(envelope(R"({"id": "left-out"},)" + kStringDims,
                                     R"({"total_count": "10", "count": "2", "offset": "4"})")));
  ASSERT_TRUE(strings && strings->next_offset);
  EXPECT_EQ(strings->gifs.size(), 1u);
  EXPECT_EQ(*strings->next_offset, 6);

  const auto last = normalize_giphy(
      parse(envelope(kStringDims, R"({"total_count": 26, "count": 1, "offset": 25})")));
  ASSERT_TRUE(last);
  EXPECT_FALSE(last->next_offset);

  const auto empty =
      normalize_giphy(parse(envelope("", R"({"total_count": 500, "count": 0, "offset": 0})")));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->gifs.empty());
  EXPECT_FALSE(empty->next_offset);

  const auto no_pagination = normalize_giphy(parse(R"({"data": [)" + kStringDims + "]}"));
  ASSERT_TRUE(no_pagination);
  EXPECT_EQ(no_pagination->gifs.size(), 1u);
  EXPECT_FALSE(no_pagination->next_offset);
}

TEST(GifNormalize, MalformedEnvelopes) {
  EXPECT_FALSE(normalize_giphy(Json()));
  EXPECT_FALSE(normalize_giphy(parse("[]")));
  EXPECT_FALSE(normalize_giphy(parse("\"data\"")));
  EXPECT_FALSE(normalize_giphy(parse(R"({"meta": {"status": 401, "msg": "Unauthorized"}})")));
  EXPECT_FALSE(normalize_giphy(parse(R"({"data": {"id": "single"}})")));
  EXPECT_FALSE(normalize_giphy(parse(R"({"data": "nope"})")));
}

TEST(GifNormalize, ResponseShape) {
  const auto page = normalize_giphy(parse(envelope(kStringDims)));
  ASSERT_TRUE(page);
  const GiphyProvider giphy(Config{});
  const Json body = gif_page_json(*page, giphy);
  EXPECT_EQ(body.dump(),
            R"({"gifs":[{"provider":"giphy","id":"YsTs5ltWtEhnq","title":"confused flying",)"
            R"("url":"https://media.example/a/200w.mp4","mime":"video/mp4","width":200,)"
            R"("height":112,"preview_url":"https://media.example/a/100w.gif","preview_width":100,)"
            R"("preview_height":56}],"next_offset":2,"provider":"giphy",)"
            R"("attribution":"Powered By GIPHY"})");
  GifPage last;
  EXPECT_EQ(
      gif_page_json(last, giphy).dump(),
      R"({"gifs":[],"next_offset":null,"provider":"giphy","attribution":"Powered By GIPHY"})");
}

TEST(GifNormalize, CacheKeyNamesEveryPartAndHashesTheQuery) {
  GifQuery q;
  q.kind = "search";
  q.query = "cat dance";
  q.lang = "jp";
  q.limit = 25;
  q.offset = 50;
  EXPECT_EQ(gif_cache_key(q), "nerutalk:gif_cache:search:jp:25:50:" + sha256_hex("cat dance"));
  GifQuery t;
  t.kind = "trending";
  t.limit = 10;
  EXPECT_EQ(gif_cache_key(t), "nerutalk:gif_cache:trending:-:10:0:" + sha256_hex(""));
}

TEST(GifNormalize, GiphyLanguageCodes) {
  EXPECT_EQ(giphy_lang("en"), "en");
  EXPECT_EQ(giphy_lang("id"), "id");
  EXPECT_EQ(giphy_lang("jp"), "ja");
  EXPECT_EQ(giphy_lang("ko"), "ko");
  EXPECT_EQ(giphy_lang("cn"), "zh-CN");
  EXPECT_EQ(giphy_lang("xx"), "en");
}

TEST(GifNormalize, NoKeyMeansNoProvider) {
  Config cfg;
  EXPECT_EQ(make_gif_provider(cfg), nullptr);
  cfg.giphy_api_key = "k";
  const auto p = make_gif_provider(cfg);
  ASSERT_NE(p, nullptr);
  EXPECT_STREQ(p->name(), "giphy");
}

}  // namespace
}  // namespace nt
