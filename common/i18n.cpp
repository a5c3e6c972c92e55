#include "i18n.hpp"
#include "text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>
#include <unordered_map>

#include "i18n_catalog.hpp"

namespace nt {
namespace {

const std::unordered_map<std::string_view, const CatalogRow*>& index() {
  static const auto* map = [] {
    auto* m = new std::unordered_map<std::string_view, const CatalogRow*>();
    for (size_t i = 0; i < kCatalogSize; ++i) (*m)[kCatalog[i].key] = &kCatalog[i];
    return m;
  }();
  return *map;
}

int lang_index(std::string_view lang) {
  const auto& langs = catalogue_languages();
  for (size_t i = 0; i < langs.size(); ++i) {
    if (langs[i] == lang) return static_cast<int>(i);
  }
  return -1;
}

bool supported_has(const std::vector<std::string>& supported, const std::string& code) {
  return !code.empty() && std::find(supported.begin(), supported.end(), code) != supported.end();
}

}  // namespace

const std::vector<std::string>& catalogue_languages() {
  static const std::vector<std::string> kLangs = {"en", "id", "jp", "ko", "cn"};
  return kLangs;
}

bool is_language(std::string_view code) { return lang_index(code) >= 0; }

int language_position(const std::string& code) {
  const int i = lang_index(code);
  return i < 0 ? 1 : i + 1;
}

bool has_translation(std::string_view key, std::string_view lang) {
  const auto it = index().find(key);
  const int li = lang_index(lang);
  return it != index().end() && li >= 0 && it->second->text[li] != nullptr &&
         it->second->text[li][0] != '\0';
}

std::string tr(std::string_view key, std::string_view lang) {
  const auto it = index().find(key);
  if (it == index().end()) return std::string(key);
  const int li = lang_index(lang);
  const char* text = li >= 0 ? it->second->text[li] : nullptr;
  if (text == nullptr || text[0] == '\0') text = it->second->text[0];
  return text;
}

std::string tr_args(std::string_view key, std::string_view lang,
                    const std::vector<std::pair<std::string, std::string>>& args) {
  std::string text = tr(key, lang);
  for (const auto& [name, value] : args) {
    const std::string placeholder = "{" + name + "}";
    for (size_t pos = text.find(placeholder); pos != std::string::npos;
         pos = text.find(placeholder, pos + value.size())) {
      text.replace(pos, placeholder.size(), value);
    }
  }
  return text;
}

std::vector<std::string> catalogue_keys() {
  std::vector<std::string> keys;
  keys.reserve(kCatalogSize);
  for (size_t i = 0; i < kCatalogSize; ++i) keys.emplace_back(kCatalog[i].key);
  return keys;
}

std::string language_from_tag(std::string_view tag) {
  const std::string t = ascii_lower(trim(tag));
  const std::string primary = t.substr(0, t.find_first_of("-_"));
  if (primary == "en") return "en";
  if (primary == "id" || primary == "in") return "id";
  if (primary == "ja" || primary == "jp") return "jp";
  if (primary == "ko" || primary == "kr") return "ko";
  if (primary == "zh" || primary == "cn") return "cn";
  return "";
}

LanguageChoice resolve_language(std::string_view x_language, std::string_view accept_language,
                                std::string_view profile_language, std::string_view default_language,
                                const std::vector<std::string>& supported) {
  const std::string from_header = language_from_tag(x_language);
  if (supported_has(supported, from_header)) return {from_header, "header"};

  // Accept-Language: pick the supported tag with the highest q; ties keep header order.
  std::string best;
  double best_q = 0.0;
  size_t start = 0;
  while (start <= accept_language.size()) {
    size_t comma = accept_language.find(',', start);
    if (comma == std::string_view::npos) comma = accept_language.size();
    std::string_view item = trim(accept_language.substr(start, comma - start));
    start = comma + 1;
    if (item.empty()) continue;
    double q = 1.0;
    const size_t semi = item.find(';');
    std::string_view tag = trim(item.substr(0, semi));
    if (semi != std::string_view::npos) {
      std::string_view params = trim(item.substr(semi + 1));
      if (params.size() > 2 && (params[0] == 'q' || params[0] == 'Q') && params[1] == '=') {
        const std::string qs(params.substr(2));
        char* end = nullptr;
        q = std::strtod(qs.c_str(), &end);
        if (end == qs.c_str() || q < 0.0 || q > 1.0) q = 0.0;
      }
    }
    const std::string code = language_from_tag(tag);
    if (q > best_q && supported_has(supported, code)) {
      best = code;
      best_q = q;
    }
  }
  if (!best.empty()) return {best, "accept-language"};

  const std::string profile(profile_language);
  if (supported_has(supported, profile)) return {profile, "profile"};
  const std::string def(default_language);
  return {supported_has(supported, def) || supported.empty() ? def : supported.front(), "default"};
}

}  // namespace nt
