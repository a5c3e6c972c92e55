// Chat rules with no I/O (DESIGN.md §4.2): who may do what in a chat, which message types
// exist, mention parsing and message status. REST handlers and WebSocket events both call
// these, and unit tests reach them directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nt {

enum class ChatRole { kNone, kMember, kAdmin };
enum class ChatType { kPrivate, kGroup };

// What a caller is to a chat: not a member (kNone: the chat is a 404 to them), member, admin.
struct Membership {
  ChatRole role = ChatRole::kNone;
  ChatType type = ChatType::kPrivate;
  bool is_member() const { return role != ChatRole::kNone; }
  bool is_admin() const { return role == ChatRole::kAdmin; }
};

ChatRole parse_role(std::string_view s);
const char* role_name(ChatRole r);

// Group settings (name, description) and adding members: admins of groups only.
bool can_manage_chat(const Membership& m);
// Removing `target`: an admin removes anyone in a group; anyone leaves any chat (a private
// chat they left comes back when either side opens it again).
bool can_remove_participant(const Membership& m, bool target_is_self);
// Editing: the sender only, and never a deleted message.
bool can_edit_message(bool is_sender, bool is_deleted);
// Deleting: the sender, or an admin of the chat.
bool can_delete_message(const Membership& m, bool is_sender);

// The message types of DESIGN.md §4.2.
bool is_message_type(std::string_view t);

// "@name" mentions in content: names of 3–50 [A-Za-z0-9_], lower-cased, de-duplicated, in
// order of first appearance. An '@' preceded by a word character (an email) is not a mention.
std::vector<std::string> parse_mentions(std::string_view content, size_t max_mentions = 50);

// The sender's view of one of their messages: read once every other member's read pointer
// reached it, delivered once every other member's delivered pointer did, else sent.
const char* message_status(int64_t seq, int64_t others_min_read, int64_t others_min_delivered);

// Limits.
constexpr size_t kMaxMessageChars = 10000;
constexpr size_t kMaxGroupMembers = 1000;
constexpr size_t kMaxParticipantsPerRequest = 100;
constexpr size_t kMaxClientMsgIdChars = 64;
constexpr int64_t kMaxSyncMessagesPerChat = 100;  // one history page
constexpr size_t kMaxSyncChats = 200;

}  // namespace nt
