#include "chat_service.hpp"
#include "text.hpp"

#include <algorithm>
#include <set>

#include "errors.hpp"
#include "events.hpp"
#include "i18n.hpp"
#include "message_json.hpp"
#include "validate.hpp"

namespace nt {
namespace {

const Sql kMembership{"chat_membership",
                      "SELECT cp.role, c.chat_type FROM chat_participants cp "
                      "JOIN chats c ON c.id = cp.chat_id "
                      "WHERE cp.chat_id = $1 AND cp.user_id = $2 AND cp.left_at IS NULL"};
const Sql kChatIds{"chat_ids_of_user",
                   "SELECT chat_id FROM chat_participants WHERE user_id = $1 AND left_at IS NULL"};

#define NT_CHAT_COLUMNS                                                                 \
  "c.id, c.name, c.description, c.chat_type, c.created_by, " NT_SQL_EPOCH_MS("c.created_at") \
  ", " NT_SQL_EPOCH_MS("c.updated_at")
constexpr int kChatCols = 7;

const Sql kList{
    "chat_list",
    "SELECT " NT_CHAT_COLUMNS ", ptr.others + 1, greatest(c.last_seq - cp.last_read_seq, 0), "
    "ptr.min_read, ptr.min_delivered, cp.last_read_seq, "
    "ou.id, ou.username, ou.display_name, ou.avatar_url, lm.* "
    "FROM chat_participants cp JOIN chats c ON c.id = cp.chat_id "
    "LEFT JOIN LATERAL (SELECT count(*) AS others, coalesce(min(o.last_read_seq), 0) AS min_read, "
    "  coalesce(min(o.last_delivered_seq), 0) AS min_delivered FROM chat_participants o "
    "  WHERE o.chat_id = c.id AND o.user_id <> $1 AND o.left_at IS NULL) ptr ON true "
    "LEFT JOIN LATERAL (SELECT u.id, u.username, u.display_name, u.avatar_url "
    "  FROM chat_participants op JOIN users u ON u.id = op.user_id "
    "  WHERE c.chat_type = 'private' AND op.chat_id = c.id AND op.user_id <> $1 LIMIT 1) ou ON true "
    "LEFT JOIN LATERAL (SELECT " NT_MESSAGE_COLUMNS " FROM " NT_MESSAGE_FROM
    "  WHERE m.chat_id = c.id AND m.seq = c.last_seq AND c.last_seq > 0) lm ON true "
    "WHERE cp.user_id = $1 AND cp.left_at IS NULL "
    "ORDER BY coalesce(c.last_message_at, c.created_at) DESC, c.id DESC LIMIT $2 OFFSET $3"};

const Sql kChat{"chat_by_id", "SELECT " NT_CHAT_COLUMNS " FROM chats c WHERE c.id = $1"};
const Sql kParticipants{"chat_participants_list",
                        "SELECT cp.user_id, u.username, u.display_name, u.avatar_url, cp.role, "
                        NT_SQL_EPOCH_MS("cp.joined_at") " FROM chat_participants cp "
                        "JOIN users u ON u.id = cp.user_id "
                        "WHERE cp.chat_id = $1 AND cp.left_at IS NULL ORDER BY cp.joined_at, cp.id"};
const Sql kCountUsers{"chat_count_users",
                      "SELECT count(*) FROM users WHERE id = ANY($1::uuid[]) AND is_active"};
const Sql kCreatePrivate{"chat_create_private",
                         "INSERT INTO chats (chat_type, created_by, private_key) "
                         "VALUES ('private', $1, $2) ON CONFLICT (private_key) DO NOTHING RETURNING id"};
const Sql kPrivateByKey{"chat_private_by_key", "SELECT id FROM chats WHERE private_key = $1"};
const Sql kCreateGroup{"chat_create_group",
                       "INSERT INTO chats (chat_type, name, description, created_by) "
                       "VALUES ('group', $1, $2, $3) RETURNING id"};
// Adds (or re-adds after leaving) members; returns the ones whose membership started now.
// Read and delivery pointers start at the chat's current seq: earlier history stays readable
// but does not count as unread for someone who just joined.
const Sql kAddMembers{"chat_add_members",
                      "INSERT INTO chat_participants (chat_id, user_id, role, joined_seq, "
                      "last_read_seq, last_delivered_seq) "
                      "SELECT c.id, v.uid, $3, c.last_seq, c.last_seq, c.last_seq "
                      "FROM chats c, unnest($2::uuid[]) AS v(uid) WHERE c.id = $1 "
                      "ON CONFLICT (chat_id, user_id) DO UPDATE SET left_at = NULL, joined_at = now(), "
                      "role = EXCLUDED.role, joined_seq = EXCLUDED.joined_seq, "
                      "last_read_seq = greatest(chat_participants.last_read_seq, EXCLUDED.last_read_seq), "
                      "last_delivered_seq = greatest(chat_participants.last_delivered_seq, "
                      "EXCLUDED.last_delivered_seq) "
                      "WHERE chat_participants.left_at IS NOT NULL RETURNING user_id::text"};
const Sql kMemberCount{"chat_member_count",
                       "SELECT count(*) FROM chat_participants WHERE chat_id = $1 AND left_at IS NULL"};
const Sql kUpdateChat{"chat_update",
                      "UPDATE chats SET name = CASE WHEN $2 THEN $3 ELSE name END, "
                      "description = CASE WHEN $4 THEN $5 ELSE description END, updated_at = now() "
                      "WHERE id = $1"};
const Sql kLeave{"chat_leave",
                 "UPDATE chat_participants SET left_at = now() "
                 "WHERE chat_id = $1 AND user_id = $2 AND left_at IS NULL"};
// A group never stays without an admin while it has members: the longest-standing one is promoted.
const Sql kEnsureAdmin{"chat_ensure_admin",
                       "UPDATE chat_participants SET role = 'admin' WHERE id = ("
                       "SELECT id FROM chat_participants WHERE chat_id = $1 AND left_at IS NULL "
                       "ORDER BY joined_at, id LIMIT 1) AND NOT EXISTS (SELECT 1 FROM "
                       "chat_participants WHERE chat_id = $1 AND left_at IS NULL AND role = 'admin') "
                       "AND (SELECT chat_type FROM chats WHERE id = $1) = 'group' "
                       "RETURNING user_id::text"};
const Sql kInvites{"chat_invite_notifications",
                   "INSERT INTO notifications (user_id, notification_type, title, body, data) "
                   "SELECT u.id, 'group_invite', "
                   "($2::text[])[coalesce(array_position(ARRAY['en','id','jp','ko','cn']::varchar[], "
                   "u.language), $4::int)], $3, jsonb_build_object('chat_id', $5::bigint) "
                   "FROM users u WHERE u.id = ANY($1::uuid[]) "
                   "RETURNING id, user_id::text, title, body, " NT_SQL_EPOCH_MS("created_at")};

Json chat_json(const PgResult& r, int row) {
  return Json::object()
      .set("id", r.i64(row, 0))
      .set("name", Json::str_or_null(r.opt_str(row, 1)))
      .set("description", Json::str_or_null(r.opt_str(row, 2)))
      .set("chat_type", r.str(row, 3))
      .set("created_by", Json::str_or_null(r.opt_str(row, 4)))
      .set("created_at", r.time(row, 5))
      .set("updated_at", r.time(row, 6));
}

}  // namespace

std::optional<std::string> read_user_id(FieldReader& f, const char* name, bool required) {
  const auto id = f.str(name, required, 36, 36);
  if (!id) return std::nullopt;
  if (!is_uuid(*id)) {
    f.add({name, "invalid_format", {}});
    return std::nullopt;
  }
  return ascii_lower(*id);
}

std::vector<std::string> read_user_ids(FieldReader& f, const Json& body, const char* list_name,
                                       const char* single_name, size_t max) {
  std::vector<std::string> out;
  const Json list = body.at(list_name);
  if (list && !json_is_null(list.get())) {
    if (!json_is_array(list.get())) {
      f.add({list_name, "invalid_type", {}});
      return out;
    }
    if (json_array_size(list.get()) > max) {
      f.add({list_name, "too_long", {{"max", std::to_string(max)}}});
      return out;
    }
    for (size_t i = 0; i < json_array_size(list.get()); ++i) {
      json_t* v = json_array_get(list.get(), i);
      if (!json_is_string(v) || !is_uuid(json_string_value(v))) {
        f.add({list_name, "invalid_format", {}});
        return {};
      }
      out.emplace_back(json_string_value(v));
    }
  }
  if (single_name) {
    if (auto one = read_user_id(f, single_name, false)) out.push_back(*one);
  }
  for (auto& id : out) id = ascii_lower(id);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

// In-app "added to a group" notifications in each recipient's language, then the events.
void notify_added(Deps& d, int64_t chat_id, const std::string& group_name,
                  const std::vector<std::string>& user_ids) {
  if (user_ids.empty()) return;
  std::vector<std::string> titles;
  for (const auto& lang : catalogue_languages()) {
    titles.push_back(tr_args("notify.group_invite_title", lang, {{"name", group_name}}));
  }
  PgResult n = d.pg.exec(kInvites, {pg_text_array(user_ids), pg_text_array(titles), group_name,
                                    pg_int(language_position(d.cfg.default_language)), pg_int(chat_id)});
  const Json data = Json::object().set("chat_id", chat_id);
  std::vector<BusMessage> events;
  for (int i = 0; i < n.rows(); ++i) {
    events.push_back({user_channel(n.str(i, 1)),
                      bus_message("notification", new_notification_json(n, i, "group_invite", data))});
  }
  publish_after_commit(d.redis, events);
}

}  // namespace

Json new_notification_json(const PgResult& r, int row, const char* type, const Json& data) {
  return Json::object()
      .set("id", r.i64(row, 0))
      .set("notification_type", type)
      .set("title", r.str(row, 2))
      .set("body", r.str(row, 3))
      .set("data", data)
      .set("is_read", false)
      .set("created_at", r.time(row, 4));
}

void require_users_exist(Pg& pg, const std::vector<std::string>& ids, const char* field) {
  if (ids.empty()) return;
  if (pg.exec(kCountUsers, {pg_text_array(ids)}).i64(0, 0) != static_cast<int64_t>(ids.size())) {
    throw_field_error(field, "invalid_reference");
  }
}

Membership load_membership(Pg& pg, int64_t chat_id, const std::string& user_id) {
  PgResult r = pg.exec(kMembership, {pg_int(chat_id), user_id});
  Membership m;
  if (r.empty()) return m;
  m.role = parse_role(r.str(0, 0));
  m.type = r.str(0, 1) == "group" ? ChatType::kGroup : ChatType::kPrivate;
  return m;
}

Membership require_membership(Pg& pg, int64_t chat_id, const std::string& user_id) {
  Membership m = load_membership(pg, chat_id, user_id);
  if (!m.is_member()) throw ApiError(Err::kNotFound);
  return m;
}

std::vector<int64_t> chat_ids_of_user(Pg& pg, const std::string& user_id) {
  PgResult r = pg.exec(kChatIds, {user_id});
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.i64(i, 0));
  return out;
}

Json list_chats(Deps& d, const std::string& user_id, int64_t limit, int64_t offset) {
  PgResult r = d.pg.exec(kList, {user_id, pg_int(limit), pg_int(offset)});
  Json chats = Json::array();
  const int c = kChatCols;
  for (int i = 0; i < r.rows(); ++i) {
    Json chat = chat_json(r, i);
    chat.set("participant_count", r.i64(i, c)).set("unread_count", r.i64(i, c + 1));
    const MessageViewer v{user_id, r.i64(i, c + 2), r.i64(i, c + 3), r.i64(i, c + 4)};
    Json other = Json::null();
    if (!r.is_null(i, c + 5)) {
      other = Json::object()
                  .set("id", r.str(i, c + 5))
                  .set("username", r.str(i, c + 6))
                  .set("display_name", Json::str_or_null(r.opt_str(i, c + 7)))
                  .set("avatar_url", Json::str_or_null(r.opt_str(i, c + 8)));
    }
    chat.set("other_user", other);
    chat.set("last_message", r.is_null(i, c + 9) ? Json::null() : message_json(r, i, v, c + 9));
    chats.append(chat);
  }
  return Json::object().set("chats", chats);
}

namespace {

// The detail of a chat whose membership the caller has checked already.
Json detail_of(Pg& pg, int64_t chat_id) {
  PgResult c = pg.exec(kChat, {pg_int(chat_id)});
  if (c.empty()) throw ApiError(Err::kNotFound);
  PgResult p = pg.exec(kParticipants, {pg_int(chat_id)});
  Json people = Json::array();
  for (int i = 0; i < p.rows(); ++i) {
    people.append(Json::object()
                      .set("user_id", p.str(i, 0))
                      .set("username", p.str(i, 1))
                      .set("display_name", Json::str_or_null(p.opt_str(i, 2)))
                      .set("avatar_url", Json::str_or_null(p.opt_str(i, 3)))
                      .set("role", p.str(i, 4))
                      .set("joined_at", p.time(i, 5)));
  }
  Json chat = chat_json(c, 0);
  chat.set("participant_count", static_cast<int64_t>(p.rows())).set("participants", people);
  return chat;
}

}  // namespace

Json chat_detail(Deps& d, const std::string& user_id, int64_t chat_id) {
  require_membership(d.pg, chat_id, user_id);
  return detail_of(d.pg, chat_id);
}

CreateChatResult create_chat(Deps& d, const std::string& user_id, const Json& body) {
  FieldReader f(body);
  const auto type = f.str("chat_type", true, 1, 20);
  if (type && *type != "private" && *type != "group") {
    f.add({"chat_type", "invalid_choice", {{"choices", "private, group"}}});
  }
  auto others = read_user_ids(f, body, "participant_ids", nullptr, kMaxGroupMembers - 1);
  others.erase(std::remove(others.begin(), others.end(), user_id), others.end());
  const bool group = type && *type == "group";
  const auto name = f.str("name", group, 1, 255);
  const auto description = f.str("description", false, 0, 2000);
  if (type && *type == "private" && others.size() != 1) {
    f.add({"participant_ids", "exactly_one_other", {}});
  }
  f.done();
  require_users_exist(d.pg, others, "participant_ids");

  int64_t chat_id = 0;
  bool created = true;
  {
    Tx tx(d.pg);
    if (!group) {
      const std::string key = std::min(user_id, others[0]) + ":" + std::max(user_id, others[0]);
      PgResult r = d.pg.exec(kCreatePrivate, {user_id, key});
      if (r.empty()) {
        created = false;
        chat_id = d.pg.exec(kPrivateByKey, {key}).i64(0, 0);
      } else {
        chat_id = r.i64(0, 0);
      }
      // Both are (again) members of their private chat.
      d.pg.exec(kAddMembers, {pg_int(chat_id), pg_text_array({user_id, others[0]}), "member"});
    } else {
      chat_id = d.pg.exec(kCreateGroup, {*name, description, user_id}).i64(0, 0);
      d.pg.exec(kAddMembers, {pg_int(chat_id), pg_text_array({user_id}), "admin"});
      d.pg.exec(kAddMembers, {pg_int(chat_id), pg_text_array(others), "member"});
    }
    tx.commit();
  }
  Json chat = detail_of(d.pg, chat_id);
  if (created) {
    std::vector<std::string> channels{user_channel(user_id)};
    for (const auto& o : others) channels.push_back(user_channel(o));
    publish_after_commit(d.redis, channels, bus_message("chat_created", chat));
    if (group) notify_added(d, chat_id, *name, others);
  }
  return {chat, created};
}

Json update_chat(Deps& d, const std::string& user_id, int64_t chat_id, const Json& body) {
  const Membership m = require_membership(d.pg, chat_id, user_id);
  FieldReader f(body);
  const bool has_name = f.has("name");
  const bool has_desc = json_object_get(body.get(), "description") != nullptr;
  const auto name = f.str("name", false, 1, 255);
  const auto description = f.str("description", false, 0, 2000);
  f.done();
  if (!can_manage_chat(m)) throw ApiError(Err::kForbidden);
  d.pg.exec(kUpdateChat, {pg_int(chat_id), pg_bool(has_name), name, pg_bool(has_desc),
                          description && !description->empty() ? PgParam(*description) : std::nullopt});
  Json chat = detail_of(d.pg, chat_id);
  publish_after_commit(d.redis, chat_channel(chat_id), bus_message("chat_updated", chat));
  return chat;
}

Json add_participants(Deps& d, const std::string& user_id, int64_t chat_id, const Json& body) {
  const Membership m = require_membership(d.pg, chat_id, user_id);
  FieldReader f(body);
  const auto ids = read_user_ids(f, body, "user_ids", "user_id", kMaxParticipantsPerRequest);
  if (ids.empty() && f.ok()) f.add({"user_ids", "required", {}});
  f.done();
  if (!can_manage_chat(m)) throw ApiError(Err::kForbidden);
  require_users_exist(d.pg, ids, "user_ids");
  std::vector<std::string> added;
  {
    Tx tx(d.pg);
    PgResult r = d.pg.exec(kAddMembers, {pg_int(chat_id), pg_text_array(ids), "member"});
    for (int i = 0; i < r.rows(); ++i) added.push_back(r.str(i, 0));
    if (d.pg.exec(kMemberCount, {pg_int(chat_id)}).i64(0, 0) > static_cast<int64_t>(kMaxGroupMembers)) {
      throw_field_error("user_ids", "too_many_members",
                        {{"max", std::to_string(kMaxGroupMembers)}});
    }
    tx.commit();
  }
  Json chat = detail_of(d.pg, chat_id);
  if (!added.empty()) {
    Json ids_json = Json::array();
    for (const auto& a : added) ids_json.append(Json::str(a));
    Json ev = Json::object()
                  .set("chat_id", chat_id)
                  .set("user_ids", ids_json)
                  .set("added_by", user_id)
                  .set("chat", chat);
    // Existing members hear it on the chat; the new ones on their own channel, which is also
    // how their daemons learn to subscribe to the chat.
    std::vector<std::string> channels{chat_channel(chat_id)};
    for (const auto& a : added) channels.push_back(user_channel(a));
    publish_after_commit(d.redis, channels, bus_message("participant_added", ev));
    notify_added(d, chat_id, json_string_value(chat.at("name").get()) ? json_string_value(chat.at("name").get()) : "",
                 added);
  }
  return chat;
}

void remove_participant(Deps& d, const std::string& user_id, int64_t chat_id,
                        const std::string& target_id) {
  const Membership m = require_membership(d.pg, chat_id, user_id);
  if (!is_uuid(target_id)) throw ApiError(Err::kNotFound);
  const bool self = target_id == user_id;
  if (!can_remove_participant(m, self)) throw ApiError(Err::kForbidden);
  Json promoted = Json::null();
  {
    Tx tx(d.pg);
    if (d.pg.exec(kLeave, {pg_int(chat_id), target_id}).affected() == 0) {
      throw ApiError(Err::kNotFound);
    }
    PgResult a = d.pg.exec(kEnsureAdmin, {pg_int(chat_id)});
    if (!a.empty()) promoted = Json::str(a.str(0, 0));
    tx.commit();
  }
  Json ev = Json::object()
                .set("chat_id", chat_id)
                .set("user_id", target_id)
                .set("removed_by", user_id)
                .set("left", self)
                .set("promoted_admin", promoted);
  publish_after_commit(d.redis, chat_channel(chat_id), bus_message("participant_removed", ev));
}

}  // namespace nt
