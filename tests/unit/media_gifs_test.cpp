// The GIF handlers (fcgi/handlers/media_gifs.cpp) up to the point where they would call the
// provider: without GIPHY_API_KEY they answer 503 gif_provider_not_configured before anything
// else; with a key, q, limit and offset are validated first. No network: every case here
// fails before a connection is made (the Postgres and Redis handles connect lazily).
#include <gtest/gtest.h>

#include <string>

#include "errors.hpp"
#include "handlers/handlers.hpp"

namespace nt {
namespace {

struct Outcome {
  Err err = Err::kCount;  // kCount: no ApiError
  std::string field;
  std::string field_code;
};

Outcome call(Response (*handler)(Ctx&), const std::string& api_key, const std::string& query) {
  Config cfg;
  cfg.giphy_api_key = api_key;
  cfg.giphy_base_url = "http://127.0.0.1:9";  // never reached by these cases
  cfg.giphy_rating = "pg-13";
  Pg pg("host=/nonexistent", 1000);
  Redis redis("redis://127.0.0.1:9/0");
  Request req;
  req.method = "GET";
  req.query = query;
  Ctx ctx{cfg, pg, redis, req};
  Outcome out;
  try {
    handler(ctx);
  } catch (const ApiError& e) {
    out.err = e.err();
    if (!e.fields().empty()) {
      out.field = e.fields()[0].field;
      out.field_code = e.fields()[0].code;
    }
  }
  return out;
}

TEST(MediaGifs, NoKeyIsNotConfiguredBeforeAnyValidation) {
  for (const char* query : {"q=cats", "", "q=&limit=abc", "limit=-1&offset=99999"}) {
    EXPECT_EQ(call(handlers::gif_search, "", query).err, Err::kGifProviderNotConfigured) << query;
    EXPECT_EQ(call(handlers::gif_trending, "", query).err, Err::kGifProviderNotConfigured) << query;
  }
}

TEST(MediaGifs, NotConfiguredIsA503WithItsOwnCode) {
  const ErrorInfo& info = error_info(Err::kGifProviderNotConfigured);
  EXPECT_EQ(info.status, 503);
  EXPECT_STREQ(info.code, "gif_provider_not_configured");
}

TEST(MediaGifs, SearchQueryIsRequiredAndBounded) {
  struct Case {
    std::string query;
    std::string code;
  };
  const std::string k101(101, 'a');
  std::string cjk101;
  for (int i = 0; i < 101; ++i) cjk101 += "\xE7\x8C\xAB";  // 猫
  for (const Case& c : std::vector<Case>{{"", "required"},
                                         {"q=", "required"},
                                         {"q=%20%20%09", "required"},
                                         {"limit=5", "required"},
                                         {"q=" + k101, "too_long"},
                                         {"q=" + cjk101, "too_long"},
                                         {"q=%ff%fe", "invalid_utf8"}}) {
    const Outcome o = call(handlers::gif_search, "key", c.query);
    EXPECT_EQ(o.err, Err::kValidation) << c.query;
    EXPECT_EQ(o.field, "q") << c.query;
    EXPECT_EQ(o.field_code, c.code) << c.query;
  }
}

TEST(MediaGifs, LimitAndOffsetAreValidated) {
  struct Case {
    std::string query;
    std::string field;
    std::string code;
  };
  for (const Case& c : std::vector<Case>{{"limit=abc", "limit", "invalid_format"},
                                         {"limit=", "limit", "invalid_format"},
                                         {"limit=-1", "limit", "out_of_range"},
                                         {"limit=0", "limit", "out_of_range"},
                                         {"limit=99999999999999999999", "limit", "invalid_format"},
                                         {"offset=x", "offset", "invalid_format"},
                                         {"offset=-5", "offset", "out_of_range"},
                                         {"offset=5000", "offset", "out_of_range"}}) {
    const Outcome s = call(handlers::gif_search, "key", "q=cat&" + c.query);
    EXPECT_EQ(s.err, Err::kValidation) << c.query;
    EXPECT_EQ(s.field, c.field) << c.query;
    EXPECT_EQ(s.field_code, c.code) << c.query;
    const Outcome t = call(handlers::gif_trending, "key", c.query);
    EXPECT_EQ(t.err, Err::kValidation) << c.query;
    EXPECT_EQ(t.field, c.field) << c.query;
    EXPECT_EQ(t.field_code, c.code) << c.query;
  }
  // GIPHY's trending stops at offset 499; search goes to 4999.
  const Outcome t = call(handlers::gif_trending, "key", "offset=500");
  EXPECT_EQ(t.err, Err::kValidation);
  EXPECT_EQ(t.field_code, "out_of_range");
}

}  // namespace
}  // namespace nt
