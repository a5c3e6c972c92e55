#include "push_templates.hpp"

#include "i18n.hpp"
#include "validate.hpp"

namespace nt {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Length of the placeholder name starting at tmpl[i] (just after '{') when a '}' closes it,
// else 0.
size_t placeholder_at(std::string_view tmpl, size_t i) {
  size_t j = i;
  while (j < tmpl.size() && is_name_char(tmpl[j])) ++j;
  return j > i && j < tmpl.size() && tmpl[j] == '}' ? j - i : 0;
}

// Walks `tmpl`, handing literal text and placeholder names to the callbacks.
template <typename OnText, typename OnName>
void scan_template(std::string_view tmpl, OnText on_text, OnName on_name) {
  for (size_t i = 0; i < tmpl.size(); ++i) {
    const char c = tmpl[i];
    if ((c == '{' || c == '}') && i + 1 < tmpl.size() && tmpl[i + 1] == c) {
      on_text(std::string_view(&tmpl[i], 1));
      ++i;
      continue;
    }
    if (c == '{') {
      if (const size_t n = placeholder_at(tmpl, i + 1)) {
        on_name(tmpl.substr(i + 1, n));
        i += n + 1;
        continue;
      }
    }
    on_text(std::string_view(&tmpl[i], 1));
  }
}

std::string without_controls(std::string s) {
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return s;
}

std::string trimmed_prefix(const std::string& s, size_t max_chars) {
  const size_t b = s.find_first_not_of(' ');
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(' ');
  return utf8_prefix(std::string_view(s).substr(b, e - b + 1), max_chars);
}

// `s` cut to `max_chars` code points, ending in "…" when something was cut.
std::string ellipsized(std::string_view s, size_t max_chars) {
  if (utf8_length(s) <= max_chars) return std::string(s);
  return utf8_prefix(s, max_chars > 0 ? max_chars - 1 : 0) + "…";
}

}  // namespace

std::string render_template(std::string_view tmpl,
                            const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(tmpl.size());
  scan_template(
      tmpl, [&](std::string_view text) { out.append(text); },
      [&](std::string_view name) {
        auto it = values.find(std::string(name));
        if (it != values.end()) out += it->second;
      });
  return out;
}

std::vector<std::string> template_placeholders(std::string_view tmpl) {
  std::vector<std::string> names;
  scan_template(
      tmpl, [](std::string_view) {}, [&](std::string_view name) { names.emplace_back(name); });
  return names;
}

std::map<std::string, std::string> resolve_push_vars(const PushVars& vars, std::string_view lang) {
  std::map<std::string, std::string> out;
  for (const auto& [name, var] : vars) {
    std::string value = var.i18n_key.empty() ? "" : tr(var.i18n_key, lang);
    if (!value.empty() && !var.text.empty()) value += ' ';
    value += var.text;
    out[name] = without_controls(std::move(value));
  }
  return out;
}

const PushTemplate* pick_template(const PushTemplates& by_lang, std::string_view lang,
                                  std::string_view default_lang) {
  for (std::string_view l : {lang, default_lang, std::string_view("en")}) {
    auto it = by_lang.find(std::string(l));
    if (it != by_lang.end()) return &it->second;
  }
  return by_lang.empty() ? nullptr : &by_lang.begin()->second;
}

PushText render_push(const PushTemplate& t, const PushVars& vars, std::string_view lang) {
  const auto values = resolve_push_vars(vars, lang);
  return {trimmed_prefix(without_controls(render_template(t.title, values)), kPushTitleMaxChars),
          trimmed_prefix(render_template(t.body, values), kPushBodyMaxChars)};
}

PushVar message_preview(std::string_view message_type, const std::optional<std::string>& content,
                        size_t max_chars) {
  const std::string text =
      content ? trimmed_prefix(without_controls(*content), kPushBodyMaxChars) : std::string();
  PushVar v;
  v.text = ellipsized(text, max_chars);
  if (message_type == "text") return v;
  if (message_type == "gif") {
    v.text = text.empty() ? "GIF" : "GIF " + v.text;  // the same word in every language
  } else if (message_type == "image" || message_type == "video" || message_type == "audio" ||
             message_type == "file" || message_type == "sticker" || message_type == "location") {
    v.i18n_key = "push.preview_" + std::string(message_type);
  }
  return v;
}

const char* call_type_key(std::string_view call_type) {
  return call_type == "audio" ? "push.call_audio" : "push.call_video";
}

}  // namespace nt
