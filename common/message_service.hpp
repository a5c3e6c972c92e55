// Messages (DESIGN.md §4.2, §7): send with a gap-free per-chat seq allocated inside the
// insert's transaction and idempotent by client_msg_id, history by cursor, sync, read
// pointers, edit, delete (tombstone), unread counts and search. Shared by REST and the
// WebSocket door; errors as in chat_service.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app_deps.hpp"
#include "json.hpp"

namespace nt {

struct SendOutcome {
  Json message;
  bool created = false;  // false: a retry of a client_msg_id already stored
};

// Sends `body` ({content?, message_type, reply_to_id?, file_id?, sticker_id?, metadata?,
// client_msg_id?}) to the chat; publishes new_message (and mention notifications) after
// the commit. A retry with the same client_msg_id returns the first message, publishing
// nothing.
SendOutcome send_message(Deps& d, const std::string& sender_id, int64_t chat_id, const Json& body);

struct HistoryPage {
  Json messages;  // ascending seq
  bool has_more = false;
};
// `before_id` / `after_id` are message ids (cursors); neither = the latest page.
HistoryPage message_history(Deps& d, const std::string& user_id, int64_t chat_id, int64_t limit,
                            std::optional<int64_t> before_id, std::optional<int64_t> after_id);

// Messages of one chat with seq > after_seq (ascending, at most `limit`), for `sync`.
HistoryPage messages_after_seq(Deps& d, const std::string& user_id, int64_t chat_id,
                               int64_t after_seq, int64_t limit);

// Moves the caller's read pointer up to the message (never back); publishes message_read
// when it moved. Returns {chat_id, message_id, last_read_seq}.
Json mark_read(Deps& d, const std::string& user_id, int64_t message_id);
// Same, by chat and message id (the WebSocket `message_read` event).
Json mark_read_in_chat(Deps& d, const std::string& user_id, int64_t chat_id, int64_t message_id);

Json edit_message(Deps& d, const std::string& user_id, int64_t message_id, const Json& body);
Json delete_message(Deps& d, const std::string& user_id, int64_t message_id);

// {total, chats: {"<chat_id>": n}}
Json unread_counts(Deps& d, const std::string& user_id);

Json search_messages(Deps& d, const std::string& user_id, const std::string& query,
                     std::optional<int64_t> chat_id, int64_t limit);

// Delivery pointers moved by the realtime daemons (batched): for each i, user_ids[i] has
// received chat_ids[i] up to seqs[i]. Publishes one message_delivered per chat
// {chat_id, deliveries: [{user_id, last_delivered_seq}]} for the pointers that moved.
void record_deliveries(Deps& d, const std::vector<int64_t>& chat_ids,
                       const std::vector<std::string>& user_ids, const std::vector<int64_t>& seqs);

}  // namespace nt
