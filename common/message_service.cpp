#include "message_service.hpp"

#include <algorithm>
#include <map>

#include "chat_rules.hpp"
#include "chat_service.hpp"
#include "errors.hpp"
#include "events.hpp"
#include "i18n.hpp"
#include "message_json.hpp"
#include "push_service.hpp"
#include "search_tokens.hpp"
#include "validate.hpp"

namespace nt {
namespace {

const Sql kByClientId{"msg_by_client_id",
                      "SELECT id, chat_id FROM messages WHERE sender_id = $1 AND client_msg_id = $2"};
const Sql kReplyInChat{"msg_reply_in_chat", "SELECT 1 FROM messages WHERE id = $1 AND chat_id = $2"};
const Sql kStickerExists{"msg_sticker_exists", "SELECT 1 FROM stickers WHERE id = $1"};
const Sql kFileUsable{"msg_file_usable",
                      "SELECT 1 FROM files WHERE id = $1 AND NOT is_deleted "
                      "AND (uploader_id = $2 OR chat_id = $3)"};
// The per-chat row lock taken here orders concurrent senders: seqs are gap-free and in commit
// order (a rolled-back insert rolls its seq back too).
const Sql kAllocSeq{"msg_alloc_seq",
                    "UPDATE chats SET last_seq = last_seq + 1, last_message_at = now() "
                    "WHERE id = $1 RETURNING last_seq"};
const Sql kInsert{"msg_insert",
                  "INSERT INTO messages (chat_id, sender_id, seq, content, message_type, file_id, "
                  "sticker_id, reply_to_id, metadata, client_msg_id, search_vector) VALUES "
                  "($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11::tsvector) RETURNING id"};
const Sql kSenderPointers{"msg_sender_pointers",
                          "UPDATE chat_participants SET last_read_seq = greatest(last_read_seq, $3), "
                          "last_delivered_seq = greatest(last_delivered_seq, $3) "
                          "WHERE chat_id = $1 AND user_id = $2"};
const Sql kMentions{
    "msg_mentions",
    "INSERT INTO notifications (user_id, notification_type, title, body, data) "
    "SELECT u.id, 'mention', "
    "($4::text[])[coalesce(array_position(ARRAY['en','id','jp','ko','cn']::varchar[], u.language), $6::int)], "
    "$5, jsonb_build_object('chat_id', $1::bigint, 'message_id', $7::bigint, 'sender_id', $2::uuid) "
    "FROM chat_participants cp JOIN users u ON u.id = cp.user_id "
    "WHERE cp.chat_id = $1 AND cp.left_at IS NULL AND u.id <> $2 AND u.username = ANY($3::text[]) "
    "RETURNING id, user_id, title, body, " NT_SQL_EPOCH_MS("created_at")};
const Sql kById{"msg_by_id", "SELECT " NT_MESSAGE_COLUMNS " FROM " NT_MESSAGE_FROM " WHERE m.id = $1"};
// The viewer's read/delivery picture of a chat, and (first column) whether they are in it.
const Sql kPointers{"msg_pointers",
                    "SELECT coalesce(bool_or(user_id = $2), false), "
                    "coalesce(min(last_read_seq) FILTER (WHERE user_id <> $2), 0), "
                    "coalesce(min(last_delivered_seq) FILTER (WHERE user_id <> $2), 0), "
                    "coalesce(max(last_read_seq) FILTER (WHERE user_id = $2), 0) "
                    "FROM chat_participants WHERE chat_id = $1 AND left_at IS NULL"};
const Sql kPointersMany{"msg_pointers_many",
                        "SELECT chat_id, coalesce(min(last_read_seq) FILTER (WHERE user_id <> $2), 0), "
                        "coalesce(min(last_delivered_seq) FILTER (WHERE user_id <> $2), 0), "
                        "coalesce(max(last_read_seq) FILTER (WHERE user_id = $2), 0) "
                        "FROM chat_participants WHERE chat_id = ANY($1::bigint[]) AND left_at IS NULL "
                        "GROUP BY chat_id"};
// Pages use a constant LIMIT (the largest page + 1), not a LIMIT parameter: Postgres then
// caches one generic plan (an index scan on (chat_id, seq)) instead of planning every request,
// which cost more than running the query; page_from() trims to the requested size.
#define NT_PAGE_LIMIT " LIMIT 101"
const Sql kLatest{"msg_latest", "SELECT " NT_MESSAGE_COLUMNS " FROM " NT_MESSAGE_FROM
                                " WHERE m.chat_id = $1 ORDER BY m.seq DESC" NT_PAGE_LIMIT};
const Sql kBefore{"msg_before", "SELECT " NT_MESSAGE_COLUMNS " FROM " NT_MESSAGE_FROM
                                " WHERE m.chat_id = $1 AND m.seq < $2 ORDER BY m.seq DESC" NT_PAGE_LIMIT};
const Sql kAfter{"msg_after", "SELECT " NT_MESSAGE_COLUMNS " FROM " NT_MESSAGE_FROM
                              " WHERE m.chat_id = $1 AND m.seq > $2 ORDER BY m.seq ASC" NT_PAGE_LIMIT};
const Sql kCursorSeq{"msg_cursor_seq", "SELECT seq FROM messages WHERE id = $1 AND chat_id = $2"};
const Sql kMessageMeta{"msg_meta",
                       "SELECT chat_id, seq, sender_id, is_deleted FROM messages WHERE id = $1"};
const Sql kAdvanceRead{"msg_advance_read",
                       "UPDATE chat_participants SET last_read_seq = $3, "
                       "last_delivered_seq = greatest(last_delivered_seq, $3) "
                       "WHERE chat_id = $1 AND user_id = $2 AND left_at IS NULL "
                       "AND last_read_seq < $3 RETURNING last_read_seq"};
const Sql kReadPointer{"msg_read_pointer",
                       "SELECT last_read_seq FROM chat_participants WHERE chat_id = $1 AND user_id = $2"};
const Sql kEdit{"msg_edit",
                "UPDATE messages SET content = $2, is_edited = true, updated_at = now(), "
                "search_vector = $3::tsvector WHERE id = $1 AND NOT is_deleted"};
const Sql kDelete{"msg_delete",
                  "UPDATE messages SET is_deleted = true, content = NULL, metadata = NULL, "
                  "search_vector = NULL, updated_at = now() WHERE id = $1 AND NOT is_deleted"};
const Sql kUnread{"msg_unread",
                  "SELECT c.id, c.last_seq - cp.last_read_seq FROM chat_participants cp "
                  "JOIN chats c ON c.id = cp.chat_id WHERE cp.user_id = $1 AND cp.left_at IS NULL "
                  "AND c.last_seq > cp.last_read_seq"};
const Sql kSearch{"msg_search",
                  "SELECT " NT_MESSAGE_COLUMNS " FROM " NT_MESSAGE_FROM
                  " WHERE m.search_vector @@ $2::tsquery AND NOT m.is_deleted "
                  "AND m.chat_id IN (SELECT chat_id FROM chat_participants "
                  "WHERE user_id = $1 AND left_at IS NULL) "
                  "AND ($3::bigint IS NULL OR m.chat_id = $3) ORDER BY m.id DESC LIMIT $4"};
const Sql kDeliveries{"msg_deliveries",
                      "UPDATE chat_participants cp SET last_delivered_seq = v.seq "
                      "FROM unnest($1::bigint[], $2::uuid[], $3::bigint[]) AS v(chat_id, user_id, seq) "
                      "WHERE cp.chat_id = v.chat_id AND cp.user_id = v.user_id "
                      "AND cp.left_at IS NULL AND cp.last_delivered_seq < v.seq "
                      "RETURNING cp.chat_id, cp.user_id::text, cp.last_delivered_seq"};

constexpr size_t kMaxMetadataBytes = 8192;

struct SendInput {
  std::string type = "text";
  std::optional<std::string> content;
  std::optional<int64_t> reply_to_id;
  std::optional<int64_t> file_id;
  std::optional<int64_t> sticker_id;
  std::optional<std::string> metadata;  // JSON text
  std::optional<std::string> client_msg_id;
};

SendInput read_send_input(const Json& body) {
  FieldReader f(body);
  SendInput in;
  if (auto t = f.str("message_type", false, 1, 20)) {
    if (is_message_type(*t)) {
      in.type = *t;
    } else {
      f.add({"message_type", "invalid_choice",
             {{"choices", "text, image, video, audio, file, sticker, gif, location"}}});
    }
  }
  in.content = f.str("content", false, 0, kMaxMessageChars);
  in.reply_to_id = f.integer("reply_to_id", false, 1, INT64_MAX);
  in.file_id = f.integer("file_id", false, 1, INT64_MAX);
  in.sticker_id = f.integer("sticker_id", false, 1, INT64_MAX);
  in.client_msg_id = f.str("client_msg_id", false, 1, kMaxClientMsgIdChars);
  const Json meta = body.at("metadata");
  if (meta && !json_is_null(meta.get())) {
    if (!json_is_object(meta.get())) {
      f.add({"metadata", "invalid_type", {}});
    } else {
      std::string text = meta.dump();
      if (text.size() > kMaxMetadataBytes) {
        f.add({"metadata", "too_long", {{"max", std::to_string(kMaxMetadataBytes)}}});
      } else {
        in.metadata = std::move(text);
      }
    }
  }
  const bool has_text = in.content && in.content->find_first_not_of(" \t\r\n") != std::string::npos;
  if (in.type == "text" && !has_text && !f.has("content")) f.add({"content", "required", {}});
  if (in.type == "text" && f.has("content") && in.content && !has_text) {
    f.add({"content", "too_short", {{"min", "1"}}});
  }
  if ((in.type == "image" || in.type == "video" || in.type == "audio" || in.type == "file") &&
      !in.file_id && !f.has("file_id")) {
    f.add({"file_id", "required", {}});
  }
  if (in.type == "sticker" && !in.sticker_id && !f.has("sticker_id")) {
    f.add({"sticker_id", "required", {}});
  }
  if ((in.type == "gif" || in.type == "location") && !in.metadata && !f.has("metadata")) {
    f.add({"metadata", "required", {}});
  }
  f.done();
  return in;
}

// The viewer of a chat the caller is in; 404 (as for a missing chat) when they are not.
// One query: membership and pointers come from the same rows.
MessageViewer member_viewer(Pg& pg, int64_t chat_id, const std::string& user_id) {
  PgResult r = pg.exec(kPointers, {pg_int(chat_id), user_id});
  if (!r.boolean(0, 0)) throw ApiError(Err::kNotFound);
  return {user_id, r.i64(0, 1), r.i64(0, 2), r.i64(0, 3)};
}

Json load_message(Pg& pg, int64_t id, const MessageViewer& viewer) {
  PgResult r = pg.exec(kById, {pg_int(id)});
  if (r.empty()) throw ApiError(Err::kNotFound);
  return message_json(r, 0, viewer);
}

// The meta of a message the caller may see (404 otherwise): chat, seq, sender, deleted.
struct MessageMeta {
  int64_t chat_id;
  int64_t seq;
  std::string sender_id;
  bool is_deleted;
  Membership membership;
};

MessageMeta require_visible_message(Pg& pg, const std::string& user_id, int64_t message_id) {
  PgResult r = pg.exec(kMessageMeta, {pg_int(message_id)});
  if (r.empty()) throw ApiError(Err::kNotFound);
  MessageMeta m{r.i64(0, 0), r.i64(0, 1), r.opt_str(0, 2).value_or(""), r.boolean(0, 3), {}};
  m.membership = require_membership(pg, m.chat_id, user_id);
  return m;
}

HistoryPage page_from(const PgResult& r, const MessageViewer& v, int64_t limit, bool descending) {
  HistoryPage page;
  page.messages = Json::array();
  const int n = std::min<int>(r.rows(), static_cast<int>(limit));
  page.has_more = r.rows() > limit;
  for (int i = 0; i < n; ++i) {
    const int row = descending ? n - 1 - i : i;
    page.messages.append(message_json(r, row, v));
  }
  return page;
}

// Moves the caller's read pointer up to message `m` (never back); publishes message_read when
// it moved.
Json advance_read(Deps& d, const std::string& user_id, int64_t message_id, const MessageMeta& m) {
  PgResult r = d.pg.exec(kAdvanceRead, {pg_int(m.chat_id), user_id, pg_int(m.seq)});
  int64_t pointer = m.seq;
  if (r.empty()) {
    pointer = d.pg.exec(kReadPointer, {pg_int(m.chat_id), user_id}).i64(0, 0);
  } else {
    Json ev = Json::object()
                  .set("chat_id", m.chat_id)
                  .set("user_id", user_id)
                  .set("message_id", message_id)
                  .set("last_read_seq", m.seq);
    publish_after_commit(d.redis, chat_channel(m.chat_id), bus_message("message_read", ev));
  }
  return Json::object().set("chat_id", m.chat_id).set("message_id", message_id).set("last_read_seq",
                                                                                   pointer);
}

}  // namespace

SendOutcome send_message(Deps& d, const std::string& sender_id, int64_t chat_id, const Json& body) {
  const SendInput in = read_send_input(body);
  require_membership(d.pg, chat_id, sender_id);

  const auto existing = [&]() -> std::optional<SendOutcome> {
    if (!in.client_msg_id) return std::nullopt;
    PgResult r = d.pg.exec(kByClientId, {sender_id, *in.client_msg_id});
    if (r.empty()) return std::nullopt;
    if (r.i64(0, 1) != chat_id) throw ApiError(Err::kConflict, "client_msg_id used in another chat");
    const MessageViewer v = member_viewer(d.pg, chat_id, sender_id);
    return SendOutcome{load_message(d.pg, r.i64(0, 0), v), false};
  };
  if (auto again = existing()) return *again;

  if (in.reply_to_id && d.pg.exec(kReplyInChat, {pg_int(*in.reply_to_id), pg_int(chat_id)}).empty()) {
    throw_field_error("reply_to_id", "invalid_reference");
  }
  if (in.sticker_id && d.pg.exec(kStickerExists, {pg_int(*in.sticker_id)}).empty()) {
    throw_field_error("sticker_id", "invalid_reference");
  }
  if (in.file_id &&
      d.pg.exec(kFileUsable, {pg_int(*in.file_id), sender_id, pg_int(chat_id)}).empty()) {
    throw ApiError(Err::kForbidden, "file not usable by sender in this chat");
  }

  const auto mentions = in.content ? parse_mentions(*in.content) : std::vector<std::string>{};
  int64_t id = 0;
  std::optional<PgResult> noted;  // the mention notifications just stored
  try {
    Tx tx(d.pg);
    const int64_t seq = d.pg.exec(kAllocSeq, {pg_int(chat_id)}).i64(0, 0);
    const auto opt_int = [](const std::optional<int64_t>& v) { return v ? pg_int(*v) : std::nullopt; };
    id = d.pg.exec(kInsert, {pg_int(chat_id), sender_id, pg_int(seq), in.content, in.type,
                             opt_int(in.file_id), opt_int(in.sticker_id), opt_int(in.reply_to_id),
                             in.metadata, in.client_msg_id,
                             search_document(in.content.value_or(""))})
             .i64(0, 0);
    d.pg.exec(kSenderPointers, {pg_int(chat_id), sender_id, pg_int(seq)});
    if (!mentions.empty()) {
      std::vector<std::string> titles;
      for (const auto& lang : catalogue_languages()) {
        titles.push_back(tr("notify.mention_title", lang));
      }
      const std::string preview = utf8_prefix(*in.content, 200);
      noted = d.pg.exec(kMentions, {pg_int(chat_id), sender_id, pg_text_array(mentions),
                                    pg_text_array(titles), preview,
                                    pg_int(language_position(d.cfg.default_language)), pg_int(id)});
    }
    tx.commit();
  } catch (const DbError& e) {
    // The same client_msg_id raced in from another request: return the one that won.
    if (e.sqlstate() == "23505" && e.constraint() == "messages_sender_id_client_msg_id_key") {
      if (auto again = existing()) return *again;
    }
    throw;
  }

  // A message just given the chat's newest seq has been read and received by no one else yet:
  // its status is "sent" without asking for the others' pointers.
  Json message = load_message(d.pg, id, MessageViewer{sender_id, 0, 0, 0});
  // Everyone else sees the event with status from the sender's point of view at send time.
  publish_after_commit(d.redis, chat_channel(chat_id), bus_message("new_message", message));
  std::vector<BusMessage> mentioned;
  const Json note_data =
      Json::object().set("chat_id", chat_id).set("message_id", id).set("sender_id", sender_id);
  for (int i = 0; noted && i < noted->rows(); ++i) {
    Json data = new_notification_json(*noted, i, "mention", note_data);
    data.set("chat_id", chat_id).set("message", message);
    mentioned.push_back({user_channel(noted->str(i, 1)), bus_message("mention_notification", data)});
  }
  publish_after_commit(d.redis, mentioned);
  // Members with no live connection hear of it by push (after the events: those are faster).
  queue_message_pushes(d, MessagePush{sender_id, chat_id, id, in.type, in.content, mentions});
  return {message, true};
}

HistoryPage message_history(Deps& d, const std::string& user_id, int64_t chat_id, int64_t limit,
                            std::optional<int64_t> before_id, std::optional<int64_t> after_id) {
  const MessageViewer v = member_viewer(d.pg, chat_id, user_id);
  const auto cursor_seq = [&](int64_t id, const char* field) {
    PgResult c = d.pg.exec(kCursorSeq, {pg_int(id), pg_int(chat_id)});
    if (c.empty()) throw_field_error(field, "invalid_reference");
    return c.i64(0, 0);
  };
  if (after_id) {
    const int64_t seq = cursor_seq(*after_id, "after_id");
    return page_from(d.pg.exec(kAfter, {pg_int(chat_id), pg_int(seq)}), v, limit, false);
  }
  if (before_id) {
    const int64_t seq = cursor_seq(*before_id, "before_id");
    return page_from(d.pg.exec(kBefore, {pg_int(chat_id), pg_int(seq)}), v, limit, true);
  }
  return page_from(d.pg.exec(kLatest, {pg_int(chat_id)}), v, limit, true);
}

HistoryPage messages_after_seq(Deps& d, const std::string& user_id, int64_t chat_id,
                               int64_t after_seq, int64_t limit) {
  const MessageViewer v = member_viewer(d.pg, chat_id, user_id);
  return page_from(d.pg.exec(kAfter, {pg_int(chat_id), pg_int(after_seq)}), v,
                   std::min<int64_t>(limit, 100), false);
}

Json mark_read(Deps& d, const std::string& user_id, int64_t message_id) {
  return advance_read(d, user_id, message_id, require_visible_message(d.pg, user_id, message_id));
}

Json mark_read_in_chat(Deps& d, const std::string& user_id, int64_t chat_id, int64_t message_id) {
  const MessageMeta m = require_visible_message(d.pg, user_id, message_id);
  if (m.chat_id != chat_id) throw ApiError(Err::kNotFound);
  return advance_read(d, user_id, message_id, m);
}

Json edit_message(Deps& d, const std::string& user_id, int64_t message_id, const Json& body) {
  FieldReader f(body);
  const auto content = f.str("content", true, 1, kMaxMessageChars);
  if (content && content->find_first_not_of(" \t\r\n") == std::string::npos) {
    f.add({"content", "too_short", {{"min", "1"}}});
  }
  f.done();
  const MessageMeta m = require_visible_message(d.pg, user_id, message_id);
  if (!can_edit_message(m.sender_id == user_id, m.is_deleted)) throw ApiError(Err::kForbidden);
  d.pg.exec(kEdit, {pg_int(message_id), *content, search_document(*content)});
  Json message = load_message(d.pg, message_id, member_viewer(d.pg, m.chat_id, user_id));
  publish_after_commit(d.redis, chat_channel(m.chat_id), bus_message("message_updated", message));
  return message;
}

Json delete_message(Deps& d, const std::string& user_id, int64_t message_id) {
  const MessageMeta m = require_visible_message(d.pg, user_id, message_id);
  if (!can_delete_message(m.membership, m.sender_id == user_id)) throw ApiError(Err::kForbidden);
  const bool changed = d.pg.exec(kDelete, {pg_int(message_id)}).affected() > 0;
  Json message = load_message(d.pg, message_id, member_viewer(d.pg, m.chat_id, user_id));
  if (changed) {
    // The event carries the resource (the tombstone), plus who deleted it.
    Json ev = message.deep_copy();
    ev.set("deleted_by", user_id);
    publish_after_commit(d.redis, chat_channel(m.chat_id), bus_message("message_deleted", ev));
  }
  return message;
}

Json unread_counts(Deps& d, const std::string& user_id) {
  PgResult r = d.pg.exec(kUnread, {user_id});
  Json chats = Json::object();
  int64_t total = 0;
  for (int i = 0; i < r.rows(); ++i) {
    chats.set(r.str(i, 0).c_str(), r.i64(i, 1));
    total += r.i64(i, 1);
  }
  return Json::object().set("total", total).set("chats", chats);
}

Json search_messages(Deps& d, const std::string& user_id, const std::string& query,
                     std::optional<int64_t> chat_id, int64_t limit) {
  if (chat_id) require_membership(d.pg, *chat_id, user_id);
  const std::string tsq = search_tsquery(query);
  Json list = Json::array();
  if (!tsq.empty()) {
    PgResult r = d.pg.exec(kSearch, {user_id, tsq, chat_id ? pg_int(*chat_id) : std::nullopt,
                                     pg_int(limit)});
    // One query for the read pointers of every chat in the results (never one per row).
    std::vector<int64_t> chats;
    for (int i = 0; i < r.rows(); ++i) chats.push_back(r.i64(i, 1));
    std::sort(chats.begin(), chats.end());
    chats.erase(std::unique(chats.begin(), chats.end()), chats.end());
    std::map<int64_t, MessageViewer> viewers;
    if (!chats.empty()) {
      PgResult p = d.pg.exec(kPointersMany, {pg_int_array(chats), user_id});
      for (int i = 0; i < p.rows(); ++i) {
        viewers[p.i64(i, 0)] = {user_id, p.i64(i, 1), p.i64(i, 2), p.i64(i, 3)};
      }
    }
    for (int i = 0; i < r.rows(); ++i) list.append(message_json(r, i, viewers[r.i64(i, 1)]));
  }
  return Json::object().set("messages", list);
}

void record_deliveries(Deps& d, const std::vector<int64_t>& chat_ids,
                       const std::vector<std::string>& user_ids, const std::vector<int64_t>& seqs) {
  if (chat_ids.empty()) return;
  PgResult r = d.pg.exec(kDeliveries, {pg_int_array(chat_ids), pg_text_array(user_ids),
                                       pg_int_array(seqs)});
  // One event per chat listing every pointer that moved: each member gets one frame per
  // batch, not one per recipient (which grew with the square of the group size).
  std::map<int64_t, Json> by_chat;
  for (int i = 0; i < r.rows(); ++i) {
    Json& list = by_chat[r.i64(i, 0)];
    if (!list) list = Json::array();
    list.append(Json::object().set("user_id", r.str(i, 1)).set("last_delivered_seq", r.i64(i, 2)));
  }
  for (const auto& [chat_id, list] : by_chat) {
    Json ev = Json::object().set("chat_id", chat_id).set("deliveries", list);
    publish_after_commit(d.redis, chat_channel(chat_id), bus_message("message_delivered", ev));
  }
}

}  // namespace nt
