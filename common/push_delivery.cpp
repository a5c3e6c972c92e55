#include "push_delivery.hpp"

#include <vector>

#include "fcm_client.hpp"
#include "log.hpp"
#include "push_service.hpp"
#include "time_util.hpp"

namespace nt {
namespace {

// Takes the row for one attempt when it is pending and due; the token only while it is active
// and still belongs to the row's user (a token that moved to another account never gets the
// previous owner's pushes).
const Sql kClaim{
    "push_claim",
    "UPDATE push_notifications p SET attempts = attempts + 1, "
    "next_attempt_at = now() + make_interval(secs => $2::float8) "
    "WHERE id = $1 AND state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= now()) "
    "RETURNING title, body, coalesce(data::text, '{}'), priority = 'high', attempts, "
    "coalesce(notification_type, ''), device_token_id, "
    "(SELECT token FROM device_tokens d WHERE d.id = p.device_token_id AND d.is_active "
    "AND d.user_id = p.user_id)"};
const Sql kMarkSent{"push_mark_sent",
                    "UPDATE push_notifications SET state = 'sent', is_sent = true, "
                    "fcm_message_id = $2, sent_at = now(), error_message = NULL, "
                    "next_attempt_at = NULL WHERE id = $1 AND state = 'pending'"};
const Sql kMarkFailed{"push_mark_failed",
                      "UPDATE push_notifications SET state = 'failed', error_message = $2, "
                      "next_attempt_at = NULL WHERE id = $1 AND state = 'pending'"};
const Sql kMarkRetry{"push_mark_retry",
                     "UPDATE push_notifications SET error_message = $2, queued_at = NULL, "
                     "next_attempt_at = now() + make_interval(secs => $3::float8 / 1000) "
                     "WHERE id = $1 AND state = 'pending'"};
const Sql kDeactivateToken{"push_deactivate_token",
                           "UPDATE device_tokens SET is_active = false WHERE id = $1"};
const Sql kRequeueDue{"push_requeue_due",
                      "UPDATE push_notifications SET queued_at = now() WHERE id IN ("
                      "SELECT id FROM push_notifications WHERE state = 'pending' "
                      "AND queued_at IS NULL AND next_attempt_at <= now() "
                      "ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING id"};
// Pending rows queued N seconds before the oldest entry still on the stream ($3, epoch ms;
// NULL: the stream is empty) cannot have an entry any more (handled entries are deleted), so a
// long backlog is not added again while it drains.
const Sql kRequeueStale{"push_requeue_stale",
                        "UPDATE push_notifications SET queued_at = now() WHERE id IN ("
                        "SELECT id FROM push_notifications WHERE state = 'pending' "
                        "AND queued_at < least(now(), coalesce(to_timestamp($3::float8 / 1000), "
                        "now())) - make_interval(secs => $2::float8) "
                        "AND (next_attempt_at IS NULL OR next_attempt_at <= now()) "
                        "ORDER BY queued_at LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING id"};

constexpr int64_t kRunBudgetMs = 1000;
constexpr int64_t kRequeueBatch = 1000;
constexpr int kRequeueRounds = 5;
const char* kTokenGone = "device token is no longer active for this user";

struct StreamEntry {
  std::string id;
  int64_t row_id = 0;  // 0: an entry without a readable row id (deleted or foreign)
};

std::string reply_text(const redisReply* r) {
  return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
               r->type == REDIS_REPLY_ERROR)
             ? std::string(r->str, r->len)
             : std::string();
}

// Appends the entries of a reply's entry list ([[id, [field, value, ...]], ...]).
void collect_entries(const redisReply* list, std::vector<StreamEntry>& out) {
  if (!list || list->type != REDIS_REPLY_ARRAY) return;
  for (size_t i = 0; i < list->elements; ++i) {
    const redisReply* e = list->element[i];
    if (!e || e->type != REDIS_REPLY_ARRAY || e->elements < 1) continue;
    StreamEntry entry{reply_text(e->element[0]), 0};
    const redisReply* fields = e->elements > 1 ? e->element[1] : nullptr;
    if (fields && fields->type == REDIS_REPLY_ARRAY) {
      for (size_t f = 0; f + 1 < fields->elements; f += 2) {
        if (reply_text(fields->element[f]) != "id") continue;
        const std::string v = reply_text(fields->element[f + 1]);
        char* end = nullptr;
        const long long id = std::strtoll(v.c_str(), &end, 10);
        if (!v.empty() && *end == '\0' && id > 0) entry.row_id = id;
      }
    }
    out.push_back(std::move(entry));
  }
}

class StreamReader {
 public:
  StreamReader(Redis& redis, std::string consumer, int64_t count, int64_t claim_idle_ms)
      : redis_(redis),
        consumer_(std::move(consumer)),
        count_(std::to_string(count)),
        idle_(std::to_string(claim_idle_ms)) {}

  // Entries delivered to this consumer before and never acknowledged ("0"), or new ones (">").
  std::vector<StreamEntry> read(const char* from) {
    RedisReplyPtr r = with_group({"XREADGROUP", "GROUP", kPushGroup, consumer_, "COUNT", count_,
                                  "STREAMS", kPushStream, from});
    std::vector<StreamEntry> out;
    // [[stream, [entries...]]] or nil.
    if (r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
        r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements > 1) {
      collect_entries(r->element[0]->element[1], out);
    }
    return out;
  }

  // Entries other senders left unacknowledged for longer than the idle time.
  std::vector<StreamEntry> claim_idle() {
    RedisReplyPtr r = with_group(
        {"XAUTOCLAIM", kPushStream, kPushGroup, consumer_, idle_, "0-0", "COUNT", count_});
    std::vector<StreamEntry> out;
    if (r->type == REDIS_REPLY_ARRAY && r->elements > 1) collect_entries(r->element[1], out);
    return out;
  }

  // Acknowledges and deletes the entries (the stream keeps only work not done yet).
  void done(const std::vector<StreamEntry>& entries) {
    if (entries.empty()) return;
    std::vector<std::string> ack = {"XACK", kPushStream, kPushGroup};
    std::vector<std::string> del = {"XDEL", kPushStream};
    for (const auto& e : entries) {
      ack.push_back(e.id);
      del.push_back(e.id);
    }
    redis_.pipeline({ack, del});
  }

 private:
  // Runs `argv`, creating the stream and the group first when Redis says there is none (the
  // first run ever, or Redis restarted without its data).
  RedisReplyPtr with_group(const std::vector<std::string>& argv) {
    RedisReplyPtr r = redis_.command(argv);
    if (r->type == REDIS_REPLY_ERROR && reply_text(r.get()).rfind("NOGROUP", 0) == 0) {
      RedisReplyPtr c =
          redis_.command({"XGROUP", "CREATE", kPushStream, kPushGroup, "0", "MKSTREAM"});
      if (c->type == REDIS_REPLY_ERROR && reply_text(c.get()).rfind("BUSYGROUP", 0) != 0) {
        throw RedisUnavailable("XGROUP CREATE: " + reply_text(c.get()));
      }
      r = redis_.command(argv);
    }
    if (r->type == REDIS_REPLY_ERROR) throw RedisUnavailable(argv[0] + ": " + reply_text(r.get()));
    return r;
  }

  Redis& redis_;
  std::string consumer_;
  std::string count_;
  std::string idle_;
};

class Sender {
 public:
  Sender(Deps& d, const FcmClient* fcm) : d_(d), fcm_(fcm) {}

  // Claims, sends and records the row of one entry.
  void handle(const StreamEntry& e, PushDeliveryStats& st) {
    if (e.row_id == 0) {
      ++st.skipped;
      return;
    }
    PgResult c = d_.pg.exec(kClaim, {pg_int(e.row_id), pg_int(d_.cfg.push_lease_seconds)});
    if (c.empty()) {
      ++st.skipped;
      return;
    }
    const std::optional<std::string> token = c.opt_str(0, 7);
    if (fcm_ == nullptr || !token) {
      fail(e.row_id, fcm_ == nullptr ? kPushNotConfigured : kTokenGone, st);
      return;
    }
    PushMessage m;
    m.token = *token;
    m.title = c.str(0, 0);
    m.body = c.str(0, 1);
    JsonParseError err = JsonParseError::kNone;
    m.data = push_fcm_data(parse_json(c.str(0, 2), 8, true, &err), e.row_id, c.str(0, 5));
    m.high_priority = c.boolean(0, 3);
    const int64_t attempts = c.i64(0, 4);
    const FcmResult r = fcm_->send(m);
    if (r.is_sent) {
      d_.pg.exec(kMarkSent, {pg_int(e.row_id), r.fcm_message_id});
      ++st.sent;
    } else if (r.outcome == FcmOutcome::kRetryable && attempts < d_.cfg.fcm_max_attempts) {
      const int64_t wait = fcm_retry_wait_ms(r, static_cast<int>(attempts),
                                             d_.cfg.fcm_retry_base_ms, d_.cfg.fcm_retry_max_ms);
      d_.pg.exec(kMarkRetry, {pg_int(e.row_id), r.error_message, pg_int(wait)});
      ++st.retried;
    } else {
      if (r.deactivate_token && !c.is_null(0, 6)) {
        d_.pg.exec(kDeactivateToken, {c.str(0, 6)});
      }
      fail(e.row_id,
           r.outcome == FcmOutcome::kRetryable
               ? "gave up after " + std::to_string(attempts) + " attempts: " + r.error_message
               : r.error_message,
           st);
    }
  }

 private:
  void fail(int64_t row_id, const std::string& why, PushDeliveryStats& st) {
    d_.pg.exec(kMarkFailed, {pg_int(row_id), why});
    ++st.failed;
  }

  Deps& d_;
  const FcmClient* fcm_;
};

}  // namespace

PushDeliveryStats deliver_push_jobs(Deps& d, const FcmClient* fcm, const std::string& consumer,
                                    const std::function<bool()>& stop) {
  PushDeliveryStats st;
  StreamReader reader(d.redis, consumer, d.cfg.push_batch_size, d.cfg.push_claim_idle_ms);
  Sender sender(d, fcm);
  const int64_t deadline = now_ms() + kRunBudgetMs;
  // Handles a batch entry by entry; entries not reached before a stop or the end of the run's
  // second stay pending for this consumer and are read again ("0") by its next run, here or
  // after a restart. The run holds a worker thread that WebSocket events share, so the budget
  // is checked per entry (one FCM request), not per batch of up to PUSH_BATCH_SIZE requests.
  const auto work = [&](const std::vector<StreamEntry>& batch) {
    std::vector<StreamEntry> handled;
    for (const auto& e : batch) {
      if (stop() || now_ms() >= deadline) break;
      sender.handle(e, st);
      handled.push_back(e);
    }
    reader.done(handled);
    return handled.size() == batch.size();
  };
  if (!work(reader.read("0")) || !work(reader.claim_idle())) return st;
  const size_t full = static_cast<size_t>(d.cfg.push_batch_size);
  while (!stop() && now_ms() < deadline) {
    const std::vector<StreamEntry> batch = reader.read(">");
    if (!work(batch) || batch.size() < full) break;
  }
  return st;
}

std::map<std::string, std::string> push_fcm_data(const Json& data, int64_t notification_id,
                                                 const std::string& type) {
  std::map<std::string, std::string> out;
  const char* key;
  json_t* value;
  json_object_foreach(data.get(), key, value) {
    if (json_is_null(value)) continue;
    out[key] = json_is_string(value)
                   ? std::string(json_string_value(value), json_string_length(value))
                   : Json::borrow(value).dump();
  }
  out["notification_id"] = std::to_string(notification_id);
  if (!type.empty()) out["type"] = type;
  return out;
}

int64_t requeue_pushes(Deps& d) {
  int64_t total = 0;
  // The time of the oldest entry on the stream, from its id ("<ms>-<seq>").
  const std::optional<int64_t> oldest_ms = [&]() -> std::optional<int64_t> {
    RedisReplyPtr r = d.redis.command({"XRANGE", kPushStream, "-", "+", "COUNT", "1"});
    if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) return std::nullopt;
    std::vector<StreamEntry> first;
    collect_entries(r.get(), first);
    if (first.empty()) return std::nullopt;
    return std::strtoll(first[0].id.c_str(), nullptr, 10);
  }();
  for (const Sql* q : {&kRequeueDue, &kRequeueStale}) {
    for (int round = 0; round < kRequeueRounds; ++round) {
      PgResult r = q == &kRequeueDue
                       ? d.pg.exec(*q, {pg_int(kRequeueBatch)})
                       : d.pg.exec(*q, {pg_int(kRequeueBatch), pg_int(d.cfg.push_requeue_seconds),
                                        oldest_ms ? pg_int(*oldest_ms) : std::nullopt});
      std::vector<int64_t> ids;
      for (int i = 0; i < r.rows(); ++i) ids.push_back(r.i64(i, 0));
      if (!ids.empty() && !enqueue_push_jobs(d.redis, ids)) return total;
      total += static_cast<int64_t>(ids.size());
      if (r.rows() < kRequeueBatch) break;
    }
  }
  return total;
}

}  // namespace nt
