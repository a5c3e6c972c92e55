// The message catalogue (common/i18n.hpp, i18n_catalog.cpp) and the error table
// (common/errors.hpp): every key is translated into all five languages with the same
// placeholders, every error and field code has its text, and codes are stable snake_case.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "errors.hpp"
#include "i18n.hpp"

namespace nt {
namespace {

const std::vector<std::string> kLangs = {"en", "id", "jp", "ko", "cn"};

std::set<std::string> placeholders(const std::string& text) {
  static const std::regex kPlaceholder(R"(\{([A-Za-z0-9_]+)\})");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kPlaceholder);
       it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

bool has_key(const std::string& key) {
  const auto keys = catalogue_keys();
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

TEST(Catalogue, HasKeys) {
  EXPECT_GE(catalogue_keys().size(), 30u);
}

TEST(Catalogue, KeysAreUnique) {
  std::set<std::string> seen;
  for (const auto& k : catalogue_keys()) EXPECT_TRUE(seen.insert(k).second) << "duplicate " << k;
}

TEST(Catalogue, EveryKeyTranslatedInAllLanguages) {
  for (const auto& key : catalogue_keys()) {
    for (const auto& lang : kLangs) {
      EXPECT_TRUE(has_translation(key, lang)) << key << " [" << lang << "]";
    }
  }
}

TEST(Catalogue, PlaceholdersMatchEnglish) {
  for (const auto& key : catalogue_keys()) {
    const auto en = placeholders(tr(key, "en"));
    for (const auto& lang : kLangs) {
      EXPECT_EQ(placeholders(tr(key, lang)), en) << key << " [" << lang << "]";
    }
  }
}

TEST(Catalogue, TranslationsAreNotEnglishCopies) {
  // A text identical to English in jp/ko/cn is almost certainly a missing translation.
  for (const auto& key : catalogue_keys()) {
    const std::string en = tr(key, "en");
    for (const char* lang : {"jp", "ko", "cn"}) {
      if (key.rfind("lang.", 0) == 0) continue;  // native names are deliberately shared
      EXPECT_NE(tr(key, lang), en) << key << " [" << lang << "]";
    }
  }
}

TEST(Catalogue, UnknownLanguageIsNotTranslated) {
  ASSERT_FALSE(catalogue_keys().empty());
  EXPECT_FALSE(has_translation(catalogue_keys().front(), "fr"));
  EXPECT_FALSE(has_translation("no.such.key", "en"));
}

TEST(Translate, FallsBackToEnglishThenKey) {
  EXPECT_EQ(tr("error.not_found", "fr"), tr("error.not_found", "en"));
  EXPECT_EQ(tr("no.such.key", "en"), "no.such.key");
  EXPECT_EQ(tr("no.such.key", "jp"), "no.such.key");
  EXPECT_NE(tr("error.not_found", "jp"), tr("error.not_found", "en"));
}

TEST(Translate, TrArgsReplacesPlaceholders) {
  EXPECT_EQ(tr_args("field.too_short", "en", {{"min", "3"}}), "Must be at least 3 characters.");
  EXPECT_EQ(tr_args("field.too_long", "jp", {{"max", "50"}}), "50文字以内で入力してください。");
  EXPECT_EQ(tr_args("field.too_short", "id", {{"min", "8"}}), "Minimal 8 karakter.");
}

TEST(Translate, TrArgsLeavesUnknownPlaceholdersAndSurvivesSelfReference) {
  EXPECT_EQ(tr_args("field.too_short", "en", {}), "Must be at least {min} characters.");
  EXPECT_EQ(tr_args("field.too_short", "en", {{"max", "9"}}), "Must be at least {min} characters.");
  // A value that contains its own placeholder is inserted once, not expanded forever.
  EXPECT_EQ(tr_args("field.too_short", "en", {{"min", "{min}{min}"}}),
            "Must be at least {min}{min} characters.");
}

TEST(ErrorTable, RowsAreInEnumOrder) {
  for (size_t i = 0; i < static_cast<size_t>(Err::kCount); ++i) {
    const Err e = static_cast<Err>(i);
    EXPECT_EQ(error_info(e).err, e) << i;
  }
}

TEST(ErrorTable, EveryErrorHasATranslatedMessage) {
  for (size_t i = 0; i < static_cast<size_t>(Err::kCount); ++i) {
    const ErrorInfo& info = error_info(static_cast<Err>(i));
    ASSERT_NE(info.i18n_key, nullptr) << i;
    EXPECT_TRUE(has_key(info.i18n_key)) << info.code << " -> " << info.i18n_key;
    for (const auto& lang : kLangs) {
      EXPECT_TRUE(has_translation(info.i18n_key, lang)) << info.i18n_key << " [" << lang << "]";
    }
  }
}

TEST(ErrorTable, CodesAreUniqueSnakeCase) {
  static const std::regex kSnake("^[a-z][a-z0-9]*(_[a-z0-9]+)*$");
  std::set<std::string> seen;
  for (size_t i = 0; i < static_cast<size_t>(Err::kCount); ++i) {
    const ErrorInfo& info = error_info(static_cast<Err>(i));
    ASSERT_NE(info.code, nullptr) << i;
    EXPECT_TRUE(std::regex_match(info.code, kSnake)) << info.code;
    EXPECT_TRUE(seen.insert(info.code).second) << "duplicate code " << info.code;
  }
}

TEST(ErrorTable, StatusesAreErrors) {
  for (size_t i = 0; i < static_cast<size_t>(Err::kCount); ++i) {
    const ErrorInfo& info = error_info(static_cast<Err>(i));
    EXPECT_GE(info.status, 400) << info.code;
    EXPECT_LT(info.status, 600) << info.code;
  }
}

TEST(ErrorTable, ContractStatuses) {
  EXPECT_EQ(error_info(Err::kValidation).status, 422);
  EXPECT_EQ(error_info(Err::kUnsupportedMediaType).status, 415);
  EXPECT_EQ(error_info(Err::kNotAuthenticated).status, 401);
  EXPECT_EQ(error_info(Err::kInvalidToken).status, 401);
  EXPECT_EQ(error_info(Err::kTokenExpired).status, 401);
  EXPECT_EQ(error_info(Err::kRefreshTokenReused).status, 401);
  EXPECT_EQ(error_info(Err::kForbidden).status, 403);
  EXPECT_EQ(error_info(Err::kNotFound).status, 404);
  EXPECT_EQ(error_info(Err::kMethodNotAllowed).status, 405);
  EXPECT_EQ(error_info(Err::kUsernameTaken).status, 409);
  EXPECT_EQ(error_info(Err::kEmailTaken).status, 409);
  EXPECT_EQ(error_info(Err::kRateLimited).status, 429);
  EXPECT_EQ(error_info(Err::kServiceUnavailable).status, 503);
  EXPECT_EQ(error_info(Err::kInternal).status, 500);
}

TEST(ErrorTable, OutOfRangeIsInternal) {
  EXPECT_EQ(error_info(Err::kCount).err, Err::kInternal);
  EXPECT_EQ(error_info(static_cast<Err>(1000)).status, 500);
}

TEST(ErrorTable, ApiErrorCarriesFieldsAndCode) {
  try {
    throw_field_error("email", "invalid_email");
    FAIL() << "throw_field_error returned";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.err(), Err::kValidation);
    EXPECT_STREQ(e.what(), "validation_error");
    ASSERT_EQ(e.fields().size(), 1u);
    EXPECT_EQ(e.fields()[0].field, "email");
    EXPECT_EQ(e.fields()[0].code, "invalid_email");
  }
}

TEST(FieldCodes, EveryProducedFieldCodeHasAMessage) {
  // The 422 body's per-field message is tr_args("field." + code): account_rules.hpp and
  // FieldReader produce these codes.
  for (const char* code : {"required", "invalid_type", "too_short", "too_long", "out_of_range",
                           "invalid_username", "invalid_email", "password_too_short",
                           "password_too_long", "weak_password", "invalid_format"}) {
    const std::string key = std::string("field.") + code;
    EXPECT_TRUE(has_key(key)) << key;
    for (const auto& lang : kLangs) EXPECT_TRUE(has_translation(key, lang)) << key << lang;
  }
}

}  // namespace
}  // namespace nt
