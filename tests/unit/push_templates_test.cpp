// Push texts (common/push_templates.hpp) with the templates the migration seeds
// (sql/0005_push.sql): every type in all five languages with the same placeholders, rendered in
// each language; placeholder rules (missing values, literal braces, no re-expansion); message
// previews cut by code points and localized for media.
#include "push_templates.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "test_files.hpp"

namespace nt {
namespace {

const std::vector<std::string> kLangs = {"en", "id", "jp", "ko", "cn"};
const std::set<std::string> kTypes = {
    "new_message",    "new_group_message", "mention",        "incoming_call", "missed_call",
    "geofence_entry", "geofence_exit",     "location_share", "admin",         "broadcast"};

std::string unquote(const std::string& sql_text) {
  return std::regex_replace(sql_text, std::regex("''"), "'");
}

// type -> language -> template, read from the seed's row lines.
std::map<std::string, PushTemplates> seeded() {
  const std::string sql = test::read_file(NERUTALK_SQL_DIR "/0005_push.sql");
  static const std::regex kRow(
      R"(\('([a-z_]+)', '([a-z]{2})', '((?:[^']|'')*)', '((?:[^']|'')*)'\))");
  std::map<std::string, PushTemplates> out;
  for (auto it = std::sregex_iterator(sql.begin(), sql.end(), kRow); it != std::sregex_iterator();
       ++it) {
    out[(*it)[1]][(*it)[2]] = PushTemplate{unquote((*it)[3]), unquote((*it)[4])};
  }
  return out;
}

PushText render(const std::string& type, const std::string& lang, const PushVars& vars) {
  const auto all = seeded();
  const auto it = all.find(type);
  if (it == all.end() || !it->second.count(lang)) return {"<no template>", ""};
  return render_push(it->second.at(lang), vars, lang);
}

PushVar text(std::string s) {
  return PushVar{std::move(s), ""};
}

std::set<std::string> names(const std::string& tmpl) {
  const auto v = template_placeholders(tmpl);
  return {v.begin(), v.end()};
}

TEST(PushTemplateSeed, EveryTypeInAllFiveLanguages) {
  const auto all = seeded();
  std::set<std::string> types;
  for (const auto& [type, by_lang] : all) {
    types.insert(type);
    EXPECT_EQ(by_lang.size(), kLangs.size()) << type;
    for (const auto& lang : kLangs) EXPECT_TRUE(by_lang.count(lang)) << type << " [" << lang << "]";
  }
  EXPECT_EQ(types, kTypes);
}

TEST(PushTemplateSeed, PlaceholdersMatchEnglishAndTextsAreNotEmpty) {
  for (const auto& [type, by_lang] : seeded()) {
    const PushTemplate& en = by_lang.at("en");
    for (const auto& [lang, t] : by_lang) {
      EXPECT_EQ(names(t.title), names(en.title)) << type << " [" << lang << "]";
      EXPECT_EQ(names(t.body), names(en.body)) << type << " [" << lang << "]";
      EXPECT_FALSE(t.title.empty() || t.body.empty()) << type << " [" << lang << "]";
    }
  }
}

TEST(PushTemplates, NewMessageInFiveLanguages) {
  const PushVars vars = {{"sender", text("Aiko")}, {"preview", text("See you at 8?")}};
  const std::map<std::string, std::string> titles = {{"en", "New message from Aiko"},
                                                     {"id", "Pesan baru dari Aiko"},
                                                     {"jp", "Aikoさんから新しいメッセージ"},
                                                     {"ko", "Aiko님의 새 메시지"},
                                                     {"cn", "来自Aiko的新消息"}};
  for (const auto& [lang, title] : titles) {
    const PushText t = render("new_message", lang, vars);
    EXPECT_EQ(t.title, title) << lang;
    EXPECT_EQ(t.body, "See you at 8?") << lang;
  }
}

TEST(PushTemplates, MentionAndGroupMessageNameTheChat) {
  const PushVars vars = {
      {"sender", text("Budi")}, {"chat", text("Team")}, {"preview", text("@aiko look")}};
  EXPECT_EQ(render("mention", "en", vars).title, "Budi mentioned you in Team");
  EXPECT_EQ(render("mention", "id", vars).title, "Budi menyebut Anda di Team");
  EXPECT_EQ(render("mention", "jp", vars).title, "BudiさんがTeamであなたをメンションしました");
  EXPECT_EQ(render("mention", "ko", vars).title, "Budi님이 Team에서 회원님을 언급했습니다");
  EXPECT_EQ(render("mention", "cn", vars).title, "Budi在Team中提到了你");
  EXPECT_EQ(render("new_group_message", "en", vars).title, "Budi in Team");
  EXPECT_EQ(render("new_group_message", "ko", vars).title, "Team의 Budi님");
  EXPECT_EQ(render("mention", "cn", vars).body, "@aiko look");
}

TEST(PushTemplates, CallsNameTheCallTypeInTheRecipientsLanguage) {
  const PushVars video = {{"caller", text("Chen")}, {"call_type", {"", call_type_key("video")}}};
  const PushVars audio = {{"caller", text("Chen")}, {"call_type", {"", call_type_key("audio")}}};
  EXPECT_EQ(render("incoming_call", "en", video).title, "Incoming video call");
  EXPECT_EQ(render("incoming_call", "en", audio).title, "Incoming voice call");
  EXPECT_EQ(render("incoming_call", "en", video).body, "Chen is calling you");
  EXPECT_EQ(render("incoming_call", "id", audio).title, "Panggilan suara masuk");
  EXPECT_EQ(render("incoming_call", "jp", video).title, "ビデオ通話の着信");
  EXPECT_EQ(render("incoming_call", "ko", audio).title, "음성 통화 수신");
  EXPECT_EQ(render("incoming_call", "cn", video).body, "Chen正在呼叫你");
  EXPECT_EQ(render("missed_call", "en", audio).title, "Missed voice call");
  EXPECT_EQ(render("missed_call", "jp", video).body, "Chenさんからの不在着信があります");
  EXPECT_EQ(render("missed_call", "cn", audio).title, "未接语音通话");
  EXPECT_EQ(render("missed_call", "ko", video).title, "부재중 영상 통화");
}

TEST(PushTemplates, GeofenceAndLocationShareInFiveLanguages) {
  const PushVars place = {{"geofence", text("Home")}};
  EXPECT_EQ(render("geofence_entry", "en", place).body, "You have entered Home.");
  EXPECT_EQ(render("geofence_exit", "id", place).body, "Anda telah meninggalkan Home.");
  EXPECT_EQ(render("geofence_entry", "jp", place).body, "Homeに入りました。");
  EXPECT_EQ(render("geofence_exit", "ko", place).title, "출발: Home");
  EXPECT_EQ(render("geofence_entry", "cn", place).title, "到达：Home");
  const PushVars share = {{"sharer", text("Dewi")}};
  EXPECT_EQ(render("location_share", "en", share).title, "Dewi shared their location");
  EXPECT_EQ(render("location_share", "id", share).title, "Dewi membagikan lokasinya");
  EXPECT_EQ(render("location_share", "jp", share).title, "Dewiさんが位置情報を共有しました");
  EXPECT_EQ(render("location_share", "ko", share).body, "탭하여 Dewi님의 위치를 확인하세요.");
  EXPECT_EQ(render("location_share", "cn", share).body, "点击查看Dewi的位置。");
}

TEST(PushTemplates, AdminTextsPassThroughInEveryLanguage) {
  const PushVars vars = {{"title", text("Maintenance")}, {"body", text("Tonight at 2:00 {UTC}")}};
  for (const auto& lang : kLangs) {
    const PushText t = render("broadcast", lang, vars);
    EXPECT_EQ(t.title, "Maintenance") << lang;
    EXPECT_EQ(t.body, "Tonight at 2:00 {UTC}") << lang;
  }
}

TEST(RenderTemplate, MissingValuesRenderAsNothing) {
  EXPECT_EQ(render_template("{sender}: {preview}", {{"preview", "hi"}}), ": hi");
  EXPECT_EQ(render_template("{a}{b}", {}), "");
}

TEST(RenderTemplate, DoubledBracesAreLiteralAndStrayBracesStay) {
  EXPECT_EQ(render_template("{{sender}} is {sender}", {{"sender", "Aiko"}}), "{sender} is Aiko");
  EXPECT_EQ(render_template("a { b } c", {}), "a { b } c");
  EXPECT_EQ(render_template("{not-a-name} {}", {{"not", "x"}}), "{not-a-name} {}");
  EXPECT_EQ(render_template("{unclosed", {{"unclosed", "x"}}), "{unclosed");
  EXPECT_EQ(template_placeholders("{{x}} {y} {z}{y}"), (std::vector<std::string>{"y", "z", "y"}));
}

TEST(RenderTemplate, ValuesAreNeverExpandedAgain) {
  EXPECT_EQ(render_template("{sender} in {chat}", {{"sender", "{chat}"}, {"chat", "Team"}}),
            "{chat} in Team");
}

TEST(RenderPush, ControlCharactersBecomeSpacesAndTextIsTrimmed) {
  const PushText t =
      render_push({"{sender}", " {preview} "},
                  {{"sender", text("Ai\nko\t")}, {"preview", text("line1\nline2")}}, "en");
  EXPECT_EQ(t.title, "Ai ko");
  EXPECT_EQ(t.body, "line1 line2");
}

TEST(RenderPush, TitleIsCutToTheColumnByCodePoints) {
  std::string long_name;
  for (int i = 0; i < 300; ++i) long_name += "名";
  const PushText t = render_push({"{sender}", "x"}, {{"sender", text(long_name)}}, "jp");
  EXPECT_EQ(t.title.size(), kPushTitleMaxChars * 3);  // 255 whole three-byte characters
}

TEST(PickTemplate, FallsBackToDefaultThenEnglish) {
  const PushTemplates t = {{"en", {"E", "e"}}, {"jp", {"J", "j"}}};
  EXPECT_EQ(pick_template(t, "jp", "en")->title, "J");
  EXPECT_EQ(pick_template(t, "ko", "jp")->title, "J");
  EXPECT_EQ(pick_template(t, "ko", "cn")->title, "E");
  EXPECT_EQ(pick_template({{"id", {"I", "i"}}}, "ko", "cn")->title, "I");
  EXPECT_EQ(pick_template({}, "en", "en"), nullptr);
}

TEST(MessagePreview, TextIsCutByCodePointsWithAnEllipsis) {
  std::string text;
  for (int i = 0; i < 150; ++i) text += "é";
  const PushVar v = message_preview("text", text, 100);
  EXPECT_TRUE(v.i18n_key.empty());
  EXPECT_EQ(v.text.size(), 99u * 2 + std::string("…").size());
  EXPECT_EQ(v.text.substr(v.text.size() - 3), "…");
  EXPECT_EQ(message_preview("text", std::string("short"), 100).text, "short");
}

TEST(MessagePreview, MediaIsNamedInTheRecipientsLanguage) {
  const PushTemplate t{"x", "{preview}"};
  const PushVars photo = {{"preview", message_preview("image", std::nullopt, 100)}};
  EXPECT_EQ(render_push(t, photo, "en").body, "📷 Photo");
  EXPECT_EQ(render_push(t, photo, "jp").body, "📷 写真");
  EXPECT_EQ(render_push(t, photo, "ko").body, "📷 사진");
  const PushVars captioned = {{"preview", message_preview("image", std::string("beach"), 100)}};
  EXPECT_EQ(render_push(t, captioned, "id").body, "📷 Foto beach");
  const PushVars voice = {{"preview", message_preview("audio", std::string(""), 100)}};
  EXPECT_EQ(render_push(t, voice, "cn").body, "🎤 语音消息");
  const PushVars gif = {{"preview", message_preview("gif", std::nullopt, 100)}};
  EXPECT_EQ(render_push(t, gif, "ko").body, "GIF");
  const PushVars place = {{"preview", message_preview("location", std::nullopt, 100)}};
  EXPECT_EQ(render_push(t, place, "en").body, "📍 Location");
}

}  // namespace
}  // namespace nt
