// Queuing push notifications (DESIGN.md §4.5, §7). Every push is one push_notifications row
// per active device token of each recipient, rendered in the recipient's language
// (users.language, else DEFAULT_LANGUAGE) from notification_templates, plus one entry on the
// Redis Stream kPushStream naming the row. The background jobs consume the stream
// (push_delivery.hpp). Postgres is the truth: when Redis is down the rows stay 'pending' and
// the re-queue job adds their entries later, so a push is never lost; delivery is idempotent
// per row, so an entry added twice is never sent twice.
//
// Without FCM configured (FCM_SERVICE_ACCOUNT_FILE empty) the rows are still written, as
// 'failed' with error_message kPushNotConfigured, and nothing goes on the stream.
//
// Blocking I/O on the caller's connections (an API worker or a realtime worker thread).
// Recipients without an active device token get no row.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app_deps.hpp"
#include "json.hpp"
#include "push_templates.hpp"

namespace nt {

// The stream of push jobs (one entry {"id": <push_notifications.id>} per row) and the consumer
// group of the senders.
inline constexpr const char* kPushStream = "nerutalk:push_jobs";
inline constexpr const char* kPushGroup = "push-senders";

struct PushRequest {
  std::string type;            // push_notifications.notification_type
  std::string template_type;   // the notification_templates type; "" = type
  PushVars vars;               // the placeholders' values
  Json data;                   // an object (or empty); FCM gets every value as a string
  bool high_priority = false;  // FCM android HIGH / apns-priority 10 (incoming calls)
  // Skip recipients who have a live WebSocket connection (their presence key says online or
  // away): they see the event in the app already.
  bool only_offline = false;
};

// Inserts the rows for `user_ids` (unknown or inactive users and users without a token get
// none) in one statement and returns their ids. Does not touch Redis, so it may run inside the
// caller's transaction; call enqueue_push_jobs() with the ids after the COMMIT.
std::vector<int64_t> insert_pushes(Deps& d, const std::vector<std::string>& user_ids,
                                   const PushRequest& req);
// The same for every active user with an active device token (one INSERT ... SELECT).
std::vector<int64_t> insert_broadcast_pushes(Deps& d, const PushRequest& req);

// One stream entry per row, pipelined. Returns false when Redis is unavailable (logged): the
// rows stay pending and the re-queue job adds them within PUSH_REQUEUE_SECONDS.
bool enqueue_push_jobs(Redis& redis, const std::vector<int64_t>& ids);

// insert_pushes() (after the only_offline filter) then enqueue_push_jobs(); the number of rows
// queued. Call it outside a transaction.
size_t queue_push(Deps& d, const std::vector<std::string>& user_ids, const PushRequest& req);
// The same for everyone: insert_broadcast_pushes() then enqueue_push_jobs().
size_t queue_broadcast_push(Deps& d, const PushRequest& req);

// The users among `user_ids` with no live connection, by one MGET of their presence keys
// (nerutalk:user_status:{id}). When Redis cannot say, all of them: a push too many is better
// than a lost one.
std::vector<std::string> users_without_live_connection(Redis& redis,
                                                       const std::vector<std::string>& user_ids);

// --- Automatic pushes ------------------------------------------------------------------

// After a message was committed: members of the chat other than the sender with no live
// connection get new_message (new_group_message's texts in groups), or mention when the
// message @mentions them in a group. {preview} is the content cut to PUSH_PREVIEW_CHARS, or a
// localized "📷 Photo"-like text for other types. Never throws: the message is stored already,
// so a failure here is logged and dropped.
struct MessagePush {
  std::string sender_id;
  int64_t chat_id = 0;
  int64_t message_id = 0;
  std::string message_type;
  std::optional<std::string> content;
  std::vector<std::string> mentions;  // usernames, as parse_mentions() gives them
};
void queue_message_pushes(Deps& d, const MessagePush& m) noexcept;

enum class CallPushKind { kIncoming, kMissed };
// An incoming call (high priority, to every device of the callees, online or not: phones ring
// from the push) or a missed call. `call_type` is "video" or "audio". data: call_id,
// caller_id, call_type. Returns the rows queued. Call it after the call's transaction.
size_t queue_call_push(Deps& d, const std::vector<std::string>& callee_ids, int64_t call_id,
                       const std::string& caller_id, const std::string& caller_name,
                       const std::string& call_type, CallPushKind kind);

// For the location feature: `user_id` entered (or left) their geofence; data: geofence_id,
// event ("entry" / "exit"). Returns the rows queued.
size_t queue_geofence_push(Deps& d, const std::string& user_id, int64_t geofence_id,
                           const std::string& geofence_name, bool entered);

// For the location feature: `sharer` started sharing their location with `target_user_id`;
// data: share_id, sharer_id. Returns the rows queued.
size_t queue_location_share_push(Deps& d, const std::string& target_user_id, int64_t share_id,
                                 const std::string& sharer_id, const std::string& sharer_name);

}  // namespace nt
