// Chats and their participants (DESIGN.md §4.2): the state changes both doors share. Every
// function checks membership and roles itself (chat_rules.hpp), commits, and only then
// publishes its event (DESIGN.md §1 flow 1). Throws ApiError (404 for chats the caller is
// not in, 403 without the role, 422 for bad input), DbUnavailable, DbError.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app_deps.hpp"
#include "chat_rules.hpp"
#include "json.hpp"
#include "validate.hpp"

namespace nt {

// The caller's membership, or kNone when the chat does not exist or they are not in it.
Membership load_membership(Pg& pg, int64_t chat_id, const std::string& user_id);
// Same, throwing 404 (same body as a missing chat) for non-members.
Membership require_membership(Pg& pg, int64_t chat_id, const std::string& user_id);

// A user id field (a UUID string), lower-cased; nullopt when absent or invalid (the problem is
// added to `f`: required, too_short, too_long, invalid_type, invalid_format).
std::optional<std::string> read_user_id(FieldReader& f, const char* name, bool required);
// User ids from `body`: the array `list_name` (at most `max`) and/or the single string field
// `single_name` (may be null), lower-cased, sorted, without duplicates. Problems are added to
// `f` (invalid_type, too_long, invalid_format).
std::vector<std::string> read_user_ids(FieldReader& f, const Json& body, const char* list_name,
                                       const char* single_name, size_t max);
// 422 invalid_reference on `field` unless every id names an active user.
void require_users_exist(Pg& pg, const std::vector<std::string>& ids, const char* field);

// An in-app notification just stored (a row RETURNING id, user_id, title, body and created_at as
// NT_SQL_EPOCH_MS), unread, as the `notification` and `mention_notification` events carry it.
Json new_notification_json(const PgResult& r, int row, const char* type, const Json& data);

// Ids of the chats a user is in (the realtime daemon routes events with it).
std::vector<int64_t> chat_ids_of_user(Pg& pg, const std::string& user_id);

// GET /chats: most recent activity first, with last message and unread count.
Json list_chats(Deps& d, const std::string& user_id, int64_t limit, int64_t offset);

struct CreateChatResult {
  Json chat;
  bool created = false;  // false: an existing private chat was returned
};
// POST /chats. `body` is the request object (validated here).
CreateChatResult create_chat(Deps& d, const std::string& user_id, const Json& body);

// GET /chats/{id}: detail with participants.
Json chat_detail(Deps& d, const std::string& user_id, int64_t chat_id);
// PUT /chats/{id} (group admins): name, description.
Json update_chat(Deps& d, const std::string& user_id, int64_t chat_id, const Json& body);
// POST /chats/{id}/participants: {user_id} or {user_ids} (group admins). Returns the detail.
Json add_participants(Deps& d, const std::string& user_id, int64_t chat_id, const Json& body);
// DELETE /chats/{id}/participants/{user_id}: admin removes anyone, anyone leaves.
void remove_participant(Deps& d, const std::string& user_id, int64_t chat_id,
                        const std::string& target_id);

}  // namespace nt
