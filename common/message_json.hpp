// How a message looks on the wire (DESIGN.md §4.2), built from one shared column list so
// history, sync, search, send and events all agree.
#pragma once

#include <cstdint>
#include <string>

#include "file_json.hpp"
#include "json.hpp"
#include "pg.hpp"

namespace nt {

// SELECT NT_MESSAGE_COLUMNS FROM NT_MESSAGE_FROM WHERE ... (alias m for messages).
#define NT_MESSAGE_COLUMNS                                                                      \
  "m.id, m.chat_id, m.seq, m.sender_id, su.username, su.display_name, su.avatar_url, "          \
  "CASE WHEN m.is_deleted THEN NULL ELSE m.content END, m.message_type, "                       \
  "m.reply_to_id, r.sender_id, CASE WHEN r.is_deleted THEN NULL ELSE r.content END, "           \
  "CASE WHEN m.is_deleted THEN NULL ELSE m.metadata::text END, m.is_edited, m.is_deleted, "     \
  "m.client_msg_id, " NT_SQL_EPOCH_MS("m.created_at") ", " NT_SQL_EPOCH_MS("m.updated_at") ", " \
  "m.sticker_id, " NT_FILE_COLUMNS
#define NT_MESSAGE_FROM                                                                  \
  "messages m LEFT JOIN users su ON su.id = m.sender_id "                                \
  "LEFT JOIN files f ON f.id = m.file_id AND NOT f.is_deleted AND NOT m.is_deleted "     \
  "LEFT JOIN messages r ON r.id = m.reply_to_id"
constexpr int kMessageColumnCount = 19 + kFileColumnCount;

// Who is looking, to compute `status`: for the viewer's own messages, from the other
// members' pointers; for others' messages, from the viewer's own read pointer.
struct MessageViewer {
  std::string user_id;
  int64_t others_min_read = 0;
  int64_t others_min_delivered = 0;
  int64_t my_read = 0;
};

// The message at `row` (columns NT_MESSAGE_COLUMNS from `first`).
Json message_json(const PgResult& r, int row, const MessageViewer& viewer, int first = 0);

// Seq and sender of a row without building JSON.
int64_t message_seq(const PgResult& r, int row, int first = 0);

}  // namespace nt
