// Settings (common/config.hpp): required settings, validation naming every bad value at once,
// defaults, and the .env parser.
#include "config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "read_file.hpp"

namespace nt {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const std::string kSecret32 = "0123456789abcdef0123456789abcdef";

std::map<std::string, std::string> minimal() {
  return {{"DATABASE_URL", "postgresql://nerutalk@/nerutalk"},
          {"REDIS_URL", "redis://127.0.0.1:6379/0"},
          {"JWT_SECRET_KEY", kSecret32}};
}

// The ConfigError message for `vars`, or "" when they load.
std::string error_for(const std::map<std::string, std::string>& vars) {
  try {
    config_from_map(vars);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::map<std::string, std::string> minimal_with(const std::string& key, const std::string& value) {
  auto vars = minimal();
  vars[key] = value;
  return vars;
}

TEST(Config, EmptyMapNamesEveryRequiredSetting) {
  const std::string msg = error_for({});
  EXPECT_THAT(msg, HasSubstr("DATABASE_URL"));
  EXPECT_THAT(msg, HasSubstr("REDIS_URL"));
  EXPECT_THAT(msg, HasSubstr("JWT_SECRET_KEY"));
  EXPECT_THAT(msg, HasSubstr("missing"));
}

TEST(Config, EmptyValueCountsAsMissing) {
  const std::string msg = error_for(minimal_with("REDIS_URL", ""));
  EXPECT_THAT(msg, HasSubstr("REDIS_URL"));
  EXPECT_THAT(msg, Not(HasSubstr("DATABASE_URL")));
}

TEST(Config, MinimalSettingsLoadWithDefaults) {
  const Config c = config_from_map(minimal());
  EXPECT_EQ(c.database_url, "postgresql://nerutalk@/nerutalk");
  EXPECT_EQ(c.redis_url, "redis://127.0.0.1:6379/0");
  EXPECT_EQ(c.jwt_secret_key, kSecret32);
  EXPECT_EQ(c.jwt_algorithm, "HS256");
  EXPECT_EQ(c.jwt_access_token_expire_minutes, 30);
  EXPECT_EQ(c.jwt_refresh_token_expire_days, 7);
  EXPECT_EQ(c.bcrypt_cost, 12);
  EXPECT_EQ(c.default_language, "en");
  EXPECT_THAT(c.supported_languages, ElementsAre("en", "id", "jp", "ko", "cn"));
  EXPECT_EQ(c.ws_ping_interval_seconds, 25);
  EXPECT_EQ(c.ws_pong_timeout_seconds, 60);
  EXPECT_EQ(c.ws_max_message_bytes, 65536);
  EXPECT_EQ(c.ws_send_queue_bytes, 1048576);
  EXPECT_EQ(c.ws_ticket_ttl_seconds, 60);
  EXPECT_FALSE(c.realtime_node_id.empty());
}

TEST(Config, GivenValuesOverrideDefaults) {
  auto vars = minimal();
  vars["JWT_ACCESS_TOKEN_EXPIRE_MINUTES"] = "15";
  vars["JWT_REFRESH_TOKEN_EXPIRE_DAYS"] = "14";
  vars["BCRYPT_COST"] = "4";
  vars["SUPPORTED_LANGUAGES"] = " en , jp ";
  vars["DEFAULT_LANGUAGE"] = "jp";
  vars["ALLOWED_ORIGINS"] = "https://a.example, https://b.example";
  const Config c = config_from_map(vars);
  EXPECT_EQ(c.jwt_access_token_expire_minutes, 15);
  EXPECT_EQ(c.jwt_refresh_token_expire_days, 14);
  EXPECT_EQ(c.bcrypt_cost, 4);
  EXPECT_THAT(c.supported_languages, ElementsAre("en", "jp"));
  EXPECT_EQ(c.default_language, "jp");
  EXPECT_THAT(c.allowed_origins, ElementsAre("https://a.example", "https://b.example"));
}

TEST(Config, ShortJwtSecretIsInvalid) {
  const std::string msg = error_for(minimal_with("JWT_SECRET_KEY", std::string(31, 'k')));
  EXPECT_THAT(msg, HasSubstr("JWT_SECRET_KEY"));
  EXPECT_THAT(msg, HasSubstr("invalid"));
  EXPECT_THAT(msg, Not(HasSubstr("missing")));
  EXPECT_EQ(error_for(minimal_with("JWT_SECRET_KEY", std::string(32, 'k'))), "");
}

TEST(Config, OnlyHs256IsAccepted) {
  EXPECT_THAT(error_for(minimal_with("JWT_ALGORITHM", "RS256")), HasSubstr("JWT_ALGORITHM"));
  EXPECT_THAT(error_for(minimal_with("JWT_ALGORITHM", "none")), HasSubstr("JWT_ALGORITHM"));
  EXPECT_THAT(error_for(minimal_with("JWT_ALGORITHM", "HS512")), HasSubstr("JWT_ALGORITHM"));
  EXPECT_EQ(error_for(minimal_with("JWT_ALGORITHM", "HS256")), "");
}

TEST(Config, BcryptCostBounds) {
  EXPECT_THAT(error_for(minimal_with("BCRYPT_COST", "3")), HasSubstr("BCRYPT_COST"));
  EXPECT_THAT(error_for(minimal_with("BCRYPT_COST", "32")), HasSubstr("BCRYPT_COST"));
  EXPECT_EQ(error_for(minimal_with("BCRYPT_COST", "4")), "");
  EXPECT_EQ(error_for(minimal_with("BCRYPT_COST", "31")), "");
}

TEST(Config, NonNumericIntegersAreInvalid) {
  for (const char* bad : {"abc", "8x", "", " ", "1e3", "0x10", "99999999999999999999999"}) {
    EXPECT_THAT(error_for(minimal_with("API_THREADS", bad)), HasSubstr("API_THREADS"))
        << "'" << bad << "'";
  }
  EXPECT_THAT(error_for(minimal_with("API_THREADS", "0")), HasSubstr("API_THREADS"));
  EXPECT_EQ(config_from_map(minimal_with("API_THREADS", "16")).api_threads, 16);
}

TEST(Config, EveryProblemIsNamedAtOnce) {
  std::map<std::string, std::string> vars = {{"JWT_SECRET_KEY", "short"},
                                             {"BCRYPT_COST", "3"},
                                             {"API_THREADS", "abc"},
                                             {"JWT_ALGORITHM", "RS256"}};
  const std::string msg = error_for(vars);
  for (const char* name : {"DATABASE_URL", "REDIS_URL", "JWT_SECRET_KEY", "BCRYPT_COST",
                           "API_THREADS", "JWT_ALGORITHM"}) {
    EXPECT_THAT(msg, HasSubstr(name));
  }
}

TEST(Config, LanguagesMustBeCatalogueLanguages) {
  // DEFAULT_LANGUAGE=ja (the ISO code, not ours: jp) or an unknown code in SUPPORTED_LANGUAGES
  // would otherwise load and silently serve another language.
  EXPECT_THAT(error_for(minimal_with("DEFAULT_LANGUAGE", "ja")), HasSubstr("DEFAULT_LANGUAGE"));
  EXPECT_THAT(error_for(minimal_with("SUPPORTED_LANGUAGES", "en,fr")),
              HasSubstr("SUPPORTED_LANGUAGES"));
  EXPECT_THAT(error_for(minimal_with("SUPPORTED_LANGUAGES", " , ")),
              HasSubstr("SUPPORTED_LANGUAGES"));
  // The default must be one of the supported languages.
  auto vars = minimal_with("SUPPORTED_LANGUAGES", "en,id");
  vars["DEFAULT_LANGUAGE"] = "ko";
  EXPECT_THAT(error_for(vars), HasSubstr("DEFAULT_LANGUAGE"));
  vars["DEFAULT_LANGUAGE"] = "id";
  EXPECT_EQ(error_for(vars), "");
}

TEST(Config, ConfigErrorIsARuntimeError) {
  EXPECT_THROW(config_from_map({}), ConfigError);
  EXPECT_THROW(config_from_map({}), std::runtime_error);
}

TEST(Dotenv, ParsesCommentsQuotesExportAndInlineComments) {
  const std::string text =
      "# a comment line\n"
      "\n"
      "DATABASE_URL=postgresql://u@h/db\n"
      "export REDIS_URL=redis://127.0.0.1:6379/0\n"
      "DOUBLE=\"hello world\"\n"
      "SINGLE='it # is not a comment'\n"
      "INLINE=value # trailing comment\n"
      "HASH_IN_VALUE=abc#def\n"
      "  SPACED  =  padded value  \n"
      "EMPTY=\n"
      "WITH_EQUALS=postgres://h/db?sslmode=require\n"
      "CRLF=windows\r\n"
      "   # indented comment\n"
      "no_equals_line\n";
  const auto vars = parse_dotenv(text);
  const std::map<std::string, std::string> expected = {
      {"DATABASE_URL", "postgresql://u@h/db"},
      {"REDIS_URL", "redis://127.0.0.1:6379/0"},
      {"DOUBLE", "hello world"},
      {"SINGLE", "it # is not a comment"},
      {"INLINE", "value"},
      {"HASH_IN_VALUE", "abc#def"},
      {"SPACED", "padded value"},
      {"EMPTY", ""},
      {"WITH_EQUALS", "postgres://h/db?sslmode=require"},
      {"CRLF", "windows"},
  };
  EXPECT_EQ(vars, expected);
}

TEST(Dotenv, LaterLinesWin) {
  const auto vars = parse_dotenv("A=1\nA=2\n");
  EXPECT_EQ(vars.at("A"), "2");
}

TEST(Dotenv, QuotedValueFollowedByComment) {
  // python-dotenv and docker compose both give `quoted value` here.
  const auto vars = parse_dotenv("KEY=\"quoted value\" # explained here\nK2='x y' # note\n");
  EXPECT_EQ(vars.at("KEY"), "quoted value");
  EXPECT_EQ(vars.at("K2"), "x y");
}

TEST(Dotenv, FeedsConfig) {
  const auto vars =
      parse_dotenv("DATABASE_URL=postgresql://u@h/db\nREDIS_URL=redis://r\nJWT_SECRET_KEY=\"" +
                   kSecret32 + "\"\nBCRYPT_COST=5 # fast for tests\n");
  const Config c = config_from_map(vars);
  EXPECT_EQ(c.jwt_secret_key, kSecret32);
  EXPECT_EQ(c.bcrypt_cost, 5);
}

TEST(SplitList, TrimsAndDropsEmptyItems) {
  EXPECT_THAT(split_list(" en , id,,jp ,  "), ElementsAre("en", "id", "jp"));
  EXPECT_THAT(split_list("a"), ElementsAre("a"));
  EXPECT_THAT(split_list(""), IsEmpty());
  EXPECT_THAT(split_list(" , ,"), IsEmpty());
  EXPECT_THAT(split_list("a b,c\t"), ElementsAre("a b", "c"));
}

}  // namespace
// .env.example writes unset settings as `KEY=      # what it means`: the value is empty, not
// the comment.
TEST(Dotenv, EmptyValueWithInlineComment) {
  const auto vars = parse_dotenv("GIPHY_API_KEY=                # empty: no GIFs\nB=#notacomment\n");
  EXPECT_EQ(vars.at("GIPHY_API_KEY"), "");
  EXPECT_EQ(vars.at("B"), "");
}

// Every setting of .env.example parses to its documented default (or empty) through the same
// parser, so a copy of the example is a working configuration apart from the required ones.
TEST(Dotenv, ExampleFileHasNoCommentsInValues) {
  const auto text = read_file(std::string(NERUTALK_DOCS_DIR) + "/../.env.example");
  ASSERT_TRUE(text);
  for (const auto& [k, v] : parse_dotenv(*text)) {
    EXPECT_EQ(v.find('#'), std::string::npos) << k << "=" << v;
  }
}

}  // namespace nt

