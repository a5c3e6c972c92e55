// Request language resolution (common/i18n.hpp, DESIGN.md §2): X-Language, then
// Accept-Language by q-value, then the saved profile language, then the default.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "i18n.hpp"

namespace nt {
namespace {

const std::vector<std::string> kAll = {"en", "id", "jp", "ko", "cn"};

LanguageChoice resolve(std::string_view x, std::string_view accept, std::string_view profile = "",
                       std::string_view def = "en",
                       const std::vector<std::string>& supported = kAll) {
  return resolve_language(x, accept, profile, def, supported);
}

void expect_choice(const LanguageChoice& c, const std::string& code, const std::string& source) {
  EXPECT_EQ(c.code, code);
  EXPECT_EQ(c.source, source);
}

TEST(ResolveLanguage, XLanguageWins) {
  expect_choice(resolve("ko", "ja, zh;q=0.9", "cn", "en"), "ko", "header");
  expect_choice(resolve("jp", "en", "id"), "jp", "header");
  expect_choice(resolve("cn", ""), "cn", "header");
}

TEST(ResolveLanguage, XLanguageAcceptsTagsAndCase) {
  expect_choice(resolve("ja", ""), "jp", "header");
  expect_choice(resolve("ID", ""), "id", "header");
  expect_choice(resolve(" ko ", ""), "ko", "header");
}

TEST(ResolveLanguage, UnknownXLanguageFallsThrough) {
  expect_choice(resolve("fr", "ko"), "ko", "accept-language");
  expect_choice(resolve("klingon", "", "jp"), "jp", "profile");
  expect_choice(resolve("", "", "", "id"), "id", "default");
}

TEST(ResolveLanguage, AcceptLanguageHighestQWins) {
  expect_choice(resolve("", "ko;q=0.5, ja;q=0.9"), "jp", "accept-language");
  expect_choice(resolve("", "ko;q=0.9, ja;q=0.5"), "ko", "accept-language");
  expect_choice(resolve("", "en;q=0.2,id;q=0.3,cn;q=0.25"), "id", "accept-language");
}

TEST(ResolveLanguage, MissingQMeansOne) {
  expect_choice(resolve("", "ja;q=0.9, ko"), "ko", "accept-language");
}

TEST(ResolveLanguage, TiesKeepHeaderOrder) {
  expect_choice(resolve("", "ko, ja"), "ko", "accept-language");
  expect_choice(resolve("", "ja;q=0.7, ko;q=0.7"), "jp", "accept-language");
}

TEST(ResolveLanguage, AcceptLanguageTagMapping) {
  expect_choice(resolve("", "zh-CN"), "cn", "accept-language");
  expect_choice(resolve("", "zh-Hant-TW"), "cn", "accept-language");
  expect_choice(resolve("", "in"), "id", "accept-language");
  expect_choice(resolve("", "id-ID"), "id", "accept-language");
  expect_choice(resolve("", "ja-JP"), "jp", "accept-language");
  expect_choice(resolve("", "ko-KR"), "ko", "accept-language");
  expect_choice(resolve("", "en-GB", "", "cn"), "en", "accept-language");
}

TEST(ResolveLanguage, UnsupportedTagsAreSkipped) {
  expect_choice(resolve("", "fr, en;q=0.1"), "en", "accept-language");
  expect_choice(resolve("", "fr-FR, de;q=0.9, ja;q=0.1"), "jp", "accept-language");
}

TEST(ResolveLanguage, NothingSupportedFallsToProfileThenDefault) {
  expect_choice(resolve("", "fr", "ko", "en"), "ko", "profile");
  expect_choice(resolve("", "fr", "", "en"), "en", "default");
  expect_choice(resolve("", "fr", "", "cn"), "cn", "default");
}

TEST(ResolveLanguage, QZeroMeansNotAcceptable) {
  expect_choice(resolve("", "ja;q=0, ko;q=0.1"), "ko", "accept-language");
  expect_choice(resolve("", "ja;q=0", "", "en"), "en", "default");
  expect_choice(resolve("", "ja;q=0.000", "id", "en"), "id", "profile");
}

TEST(ResolveLanguage, InvalidQIsIgnored) {
  expect_choice(resolve("", "ja;q=2, ko;q=0.5"), "ko", "accept-language");
  expect_choice(resolve("", "ja;q=-1, ko;q=0.5"), "ko", "accept-language");
  expect_choice(resolve("", "ja;q=abc, ko;q=0.5"), "ko", "accept-language");
}

TEST(ResolveLanguage, GarbageHeaderIsIgnored) {
  expect_choice(resolve("", ";;;,,,=,q=1", "", "en"), "en", "default");
  expect_choice(resolve("", "\x01\xff\xfe garbage", "jp", "en"), "jp", "profile");
  expect_choice(resolve("", ",,ko,,", "", "en"), "ko", "accept-language");
  expect_choice(resolve("", std::string(10000, ','), "", "id"), "id", "default");
}

TEST(ResolveLanguage, WildcardIsNotALanguage) {
  expect_choice(resolve("", "*", "", "cn"), "cn", "default");
}

TEST(ResolveLanguage, ProfileMustBeSupported) {
  expect_choice(resolve("", "", "ko", "en"), "ko", "profile");
  expect_choice(resolve("", "", "de", "en"), "en", "default");
}

TEST(ResolveLanguage, DefaultIsLast) {
  expect_choice(resolve("", "", "", "jp"), "jp", "default");
}

TEST(ResolveLanguage, SupportedRestrictsEveryStep) {
  const std::vector<std::string> en_id = {"en", "id"};
  expect_choice(resolve("jp", "ja, id;q=0.5", "", "en", en_id), "id", "accept-language");
  expect_choice(resolve("ko", "ja", "cn", "en", en_id), "en", "default");
  expect_choice(resolve("ko", "ja", "id", "en", en_id), "id", "profile");
  // A default outside the supported list is not returned either.
  const LanguageChoice c = resolve("", "", "", "jp", en_id);
  EXPECT_EQ(c.source, "default");
  EXPECT_TRUE(c.code == "en" || c.code == "id") << c.code;
}

TEST(LanguageFromTag, MapsKnownTags) {
  EXPECT_EQ(language_from_tag("en"), "en");
  EXPECT_EQ(language_from_tag("en-US"), "en");
  EXPECT_EQ(language_from_tag("en_GB"), "en");
  EXPECT_EQ(language_from_tag("ja"), "jp");
  EXPECT_EQ(language_from_tag("ja-JP"), "jp");
  EXPECT_EQ(language_from_tag("jp"), "jp");
  EXPECT_EQ(language_from_tag("zh"), "cn");
  EXPECT_EQ(language_from_tag("zh-Hans-CN"), "cn");
  EXPECT_EQ(language_from_tag("in"), "id");
  EXPECT_EQ(language_from_tag("id"), "id");
  EXPECT_EQ(language_from_tag("id-ID"), "id");
  EXPECT_EQ(language_from_tag("ko"), "ko");
  EXPECT_EQ(language_from_tag("KO-kr"), "ko");
  EXPECT_EQ(language_from_tag("  zh-TW "), "cn");
}

TEST(LanguageFromTag, UnknownTagsGiveEmpty) {
  EXPECT_EQ(language_from_tag(""), "");
  EXPECT_EQ(language_from_tag("fr"), "");
  EXPECT_EQ(language_from_tag("de-DE"), "");
  EXPECT_EQ(language_from_tag("*"), "");
  EXPECT_EQ(language_from_tag("english"), "");
  EXPECT_EQ(language_from_tag("e"), "");
  EXPECT_EQ(language_from_tag("jav"), "");  // Javanese is not Japanese
}

TEST(Languages, CatalogueLanguagesInFixedOrder) {
  EXPECT_EQ(catalogue_languages(), kAll);
  EXPECT_TRUE(is_language("jp"));
  EXPECT_FALSE(is_language("ja"));
  EXPECT_FALSE(is_language(""));
}

}  // namespace
}  // namespace nt
