// Message catalogues for the five supported languages (en, id, jp, ko, cn) and language
// resolution. Every user-visible string a response carries is looked up here by key.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nt {

// The languages with catalogues, in a fixed order: en, id, jp, ko, cn.
const std::vector<std::string>& catalogue_languages();

bool is_language(std::string_view code);

// The text for `key` in `lang`; falls back to English, then to the key itself.
std::string tr(std::string_view key, std::string_view lang);

// tr() with "{name}" placeholders replaced by args.
std::string tr_args(std::string_view key, std::string_view lang,
                    const std::vector<std::pair<std::string, std::string>>& args);

// 1-based position of `code` in catalogue_languages() (1 when unknown): SQL statements pick
// a recipient's text from an array of the five translations with it.
int language_position(const std::string& code);

// Every key in the catalogue (for GET /language/test and catalogue completeness tests).
std::vector<std::string> catalogue_keys();

// Whether `key` has a non-empty text in `lang` itself (no fallback).
bool has_translation(std::string_view key, std::string_view lang);

struct LanguageChoice {
  std::string code;
  std::string source;  // "header" (X-Language), "accept-language", "profile", "default"
};

// Resolution order of DESIGN.md §2: X-Language, Accept-Language by q-value (ja→jp, zh→cn,
// in/id→id, ko, en), the user's saved language, then the default. `supported` limits the
// choice (SUPPORTED_LANGUAGES); empty inputs are skipped.
LanguageChoice resolve_language(std::string_view x_language, std::string_view accept_language,
                                std::string_view profile_language, std::string_view default_language,
                                const std::vector<std::string>& supported);

// Maps one language tag ("ja-JP", "zh", "in") to our code, or "" when we have none.
std::string language_from_tag(std::string_view tag);

}  // namespace nt
