// Push texts as plain functions with no I/O (DESIGN.md §4.5): notification_templates rows hold
// a title and a body per type and language with {name} placeholders; a push is rendered in
// its recipient's language from the template of that language and the push's variables.
// push_service.cpp loads the templates and calls these; unit tests reach them directly.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nt {

// The push_notifications.title column is VARCHAR(255); bodies are kept short enough for FCM's
// 4096-byte payload with room for the data map.
inline constexpr size_t kPushTitleMaxChars = 255;
inline constexpr size_t kPushBodyMaxChars = 1000;

// The value of one placeholder: a catalogue text in the recipient's language (`i18n_key`, e.g.
// "push.preview_image" → "📷 Photo"), literal text, or both (the catalogue text, a space, the
// text: a photo's caption).
struct PushVar {
  std::string text;
  std::string i18n_key;
};
using PushVars = std::map<std::string, PushVar>;

struct PushTemplate {
  std::string title;
  std::string body;
};
// A type's templates by language code.
using PushTemplates = std::map<std::string, PushTemplate>;

struct PushText {
  std::string title;
  std::string body;
};

// Replaces each {name} (letters, digits, '_') with values[name], or with nothing when the
// push has no such value. "{{" and "}}" stand for literal braces; any other brace is kept as
// it is. Values go in verbatim: a value that contains "{chat}" is not expanded again.
std::string render_template(std::string_view tmpl,
                            const std::map<std::string, std::string>& values);

// The placeholder names of a template, in order of appearance (repeats included).
std::vector<std::string> template_placeholders(std::string_view tmpl);

// The values of `vars` in `lang`. Control characters (line breaks, tabs) become spaces.
std::map<std::string, std::string> resolve_push_vars(const PushVars& vars, std::string_view lang);

// The template for `lang`: that language's, else `default_lang`'s, else English, else any;
// nullptr when there is none at all.
const PushTemplate* pick_template(const PushTemplates& by_lang, std::string_view lang,
                                  std::string_view default_lang);

// The title and body in `lang`, trimmed and cut to kPushTitleMaxChars / kPushBodyMaxChars
// code points (never inside a character).
PushText render_push(const PushTemplate& t, const PushVars& vars, std::string_view lang);

// The {preview} of a message: a text message's content cut to `max_chars` code points ("…"
// added when cut); another type's catalogue text ("📷 Photo", "📍 Location") followed by its
// caption, cut the same way, when it has one.
PushVar message_preview(std::string_view message_type, const std::optional<std::string>& content,
                        size_t max_chars);

// The catalogue key naming a call type in push texts ("video" / "voice" call).
const char* call_type_key(std::string_view call_type);

}  // namespace nt
