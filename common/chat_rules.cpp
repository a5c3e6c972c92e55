#include "chat_rules.hpp"
#include "text.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace nt {

ChatRole parse_role(std::string_view s) {
  if (s == "admin") return ChatRole::kAdmin;
  if (s == "member") return ChatRole::kMember;
  return ChatRole::kNone;
}

const char* role_name(ChatRole r) { return r == ChatRole::kAdmin ? "admin" : "member"; }

bool can_manage_chat(const Membership& m) { return m.type == ChatType::kGroup && m.is_admin(); }

bool can_remove_participant(const Membership& m, bool target_is_self) {
  if (!m.is_member()) return false;
  return target_is_self || (m.type == ChatType::kGroup && m.is_admin());
}

bool can_edit_message(bool is_sender, bool is_deleted) { return is_sender && !is_deleted; }

bool can_delete_message(const Membership& m, bool is_sender) {
  return m.is_member() && (is_sender || m.is_admin());
}

bool is_message_type(std::string_view t) {
  static constexpr std::array<std::string_view, 8> kTypes = {
      "text", "image", "video", "audio", "file", "sticker", "gif", "location"};
  return std::find(kTypes.begin(), kTypes.end(), t) != kTypes.end();
}


std::vector<std::string> parse_mentions(std::string_view c, size_t max_mentions) {
  std::vector<std::string> out;
  const auto word = [](unsigned char ch) { return std::isalnum(ch) || ch == '_'; };
  for (size_t i = 0; i < c.size() && out.size() < max_mentions; ++i) {
    if (c[i] != '@') continue;
    if (i > 0 && (word(static_cast<unsigned char>(c[i - 1])) || c[i - 1] == '@')) continue;
    size_t j = i + 1;
    while (j < c.size() && word(static_cast<unsigned char>(c[j]))) ++j;
    const size_t len = j - i - 1;
    if (len >= 3 && len <= 50) {
      std::string name = ascii_lower(c.substr(i + 1, len));
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
    }
    i = j - 1;
  }
  return out;
}

const char* message_status(int64_t seq, int64_t others_min_read, int64_t others_min_delivered) {
  if (others_min_read >= seq) return "read";
  if (others_min_delivered >= seq) return "delivered";
  return "sent";
}

}  // namespace nt
