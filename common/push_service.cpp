#include "push_service.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>

#include "events.hpp"
#include "fcm_client.hpp"
#include "i18n.hpp"
#include "log.hpp"

namespace nt {
namespace {

const Sql kTemplates{"push_templates",
                     "SELECT language, title_template, body_template FROM notification_templates "
                     "WHERE notification_type = $1"};

// $2/$3: the title and body in catalogue_languages() order, picked by the recipient's language
// ($9: the position of DEFAULT_LANGUAGE for users without one).
#define NT_PUSH_INSERT                                                                      \
  "INSERT INTO push_notifications (user_id, device_token_id, device_type, title, body, "    \
  "notification_type, data, priority, state, error_message, queued_at) "                    \
  "SELECT u.id, d.id, d.device_type, ($2::text[])[p.pos], ($3::text[])[p.pos], $4::text, "  \
  "$5::jsonb, $6::text, $7::text, $8::text, CASE WHEN $7::text = 'pending' THEN now() END " \
  "FROM users u CROSS JOIN LATERAL (SELECT coalesce(array_position("                        \
  "ARRAY['en','id','jp','ko','cn']::varchar[], u.language), $9::int) AS pos) p "            \
  "JOIN device_tokens d ON d.user_id = u.id AND d.is_active WHERE u.is_active "
const Sql kInsertFor{"push_insert_for", NT_PUSH_INSERT "AND u.id = ANY($1::uuid[]) RETURNING id"};
const Sql kInsertAll{"push_insert_all", NT_PUSH_INSERT "AND $1::text IS NULL RETURNING id"};
#undef NT_PUSH_INSERT

// The members a message may push to (others, active, with a token), with what the texts need.
const Sql kMessageAudience{
    "push_message_audience",
    "SELECT cp.user_id::text, u.username, c.chat_type, coalesce(c.name, ''), "
    "coalesce(s.display_name, s.username) FROM chat_participants cp "
    "JOIN users u ON u.id = cp.user_id JOIN chats c ON c.id = cp.chat_id "
    "JOIN users s ON s.id = $2 "
    "WHERE cp.chat_id = $1 AND cp.left_at IS NULL AND cp.user_id <> $2 AND u.is_active "
    "AND EXISTS (SELECT 1 FROM device_tokens d WHERE d.user_id = cp.user_id AND d.is_active)"};

constexpr size_t kXaddChunk = 500;
constexpr int64_t kTemplateCacheMs = 60000;

// The templates of one type, cached per process for a minute (they change only by migration).
PushTemplates templates_of(Pg& pg, const std::string& type) {
  static std::mutex mu;
  static std::map<std::string, std::pair<int64_t, PushTemplates>> cache;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(type);
    if (it != cache.end() && now - it->second.first < kTemplateCacheMs) return it->second.second;
  }
  PushTemplates t;
  PgResult r = pg.exec(kTemplates, {type});
  for (int i = 0; i < r.rows(); ++i) t[r.str(i, 0)] = {r.str(i, 1), r.str(i, 2)};
  std::lock_guard<std::mutex> lock(mu);
  cache[type] = {now, t};
  return t;
}

// The parameters shared by both inserts: texts in the five languages and the row fields.
std::vector<PgParam> insert_params(Deps& d, PgParam first, const PushRequest& req) {
  const PushTemplates by_lang =
      templates_of(d.pg, req.template_type.empty() ? req.type : req.template_type);
  static const PushTemplate kPlain{"{title}", "{body}"};
  std::vector<std::string> titles, bodies;
  for (const auto& lang : catalogue_languages()) {
    const PushTemplate* t = pick_template(by_lang, lang, d.cfg.default_language);
    const PushText text = render_push(t ? *t : kPlain, req.vars, lang);
    titles.push_back(text.title);
    bodies.push_back(text.body);
  }
  const bool configured = !d.cfg.fcm_service_account_file.empty();
  return {std::move(first),
          pg_text_array(titles),
          pg_text_array(bodies),
          req.type,
          req.data ? req.data.dump() : std::string("{}"),
          std::string(req.high_priority ? "high" : "normal"),
          std::string(configured ? "pending" : "failed"),
          configured ? std::nullopt : PgParam(kPushNotConfigured),
          pg_int(language_position(d.cfg.default_language))};
}

std::vector<int64_t> ids_of(const PgResult& r) {
  std::vector<int64_t> ids;
  ids.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) ids.push_back(r.i64(i, 0));
  return ids;
}

PushVar text_var(std::string s) {
  return PushVar{std::move(s), ""};
}

}  // namespace

std::vector<int64_t> insert_pushes(Deps& d, const std::vector<std::string>& user_ids,
                                   const PushRequest& req) {
  if (user_ids.empty()) return {};
  return ids_of(d.pg.exec(kInsertFor, insert_params(d, pg_text_array(user_ids), req)));
}

std::vector<int64_t> insert_broadcast_pushes(Deps& d, const PushRequest& req) {
  return ids_of(d.pg.exec(kInsertAll, insert_params(d, std::nullopt, req)));
}

bool enqueue_push_jobs(Redis& redis, const std::vector<int64_t>& ids) {
  try {
    for (size_t start = 0; start < ids.size(); start += kXaddChunk) {
      std::vector<std::vector<std::string>> cmds;
      for (size_t i = start; i < std::min(ids.size(), start + kXaddChunk); ++i) {
        cmds.push_back({"XADD", kPushStream, "*", "id", std::to_string(ids[i])});
      }
      for (const auto& reply : redis.pipeline(cmds)) {
        if (reply->type == REDIS_REPLY_ERROR) throw RedisUnavailable(reply->str);
      }
    }
    return true;
  } catch (const RedisUnavailable& e) {
    log_warn("push: %zu jobs not on the stream yet (%s); the re-queue job adds them", ids.size(),
             e.what());
    return false;
  }
}

std::vector<std::string> users_without_live_connection(Redis& redis,
                                                       const std::vector<std::string>& user_ids) {
  if (user_ids.empty()) return {};
  std::vector<std::string> argv = {"MGET"};
  for (const auto& id : user_ids) argv.push_back(key_user_status(id));
  std::vector<std::string> offline;
  try {
    RedisReplyPtr rep = redis.command(argv);
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != user_ids.size()) return user_ids;
    for (size_t i = 0; i < rep->elements; ++i) {
      const redisReply* e = rep->element[i];
      const std::string v = e->type == REDIS_REPLY_STRING ? std::string(e->str, e->len) : "";
      if (v != "online" && v != "away") offline.push_back(user_ids[i]);
    }
  } catch (const RedisUnavailable&) {
    return user_ids;
  }
  return offline;
}

namespace {

// Puts the rows just inserted on the stream (without FCM they were written as failed and need
// no entry); how many rows there are.
size_t enqueue_inserted(Deps& d, const std::vector<int64_t>& ids) {
  if (!d.cfg.fcm_service_account_file.empty()) enqueue_push_jobs(d.redis, ids);
  return ids.size();
}

}  // namespace

size_t queue_push(Deps& d, const std::vector<std::string>& user_ids, const PushRequest& req) {
  const std::vector<std::string> to =
      req.only_offline ? users_without_live_connection(d.redis, user_ids) : user_ids;
  return enqueue_inserted(d, insert_pushes(d, to, req));
}

size_t queue_broadcast_push(Deps& d, const PushRequest& req) {
  return enqueue_inserted(d, insert_broadcast_pushes(d, req));
}

void queue_message_pushes(Deps& d, const MessagePush& m) noexcept {
  try {
    PgResult r = d.pg.exec(kMessageAudience, {pg_int(m.chat_id), m.sender_id});
    if (r.empty()) return;
    std::vector<std::string> members;
    std::map<std::string, std::string> username_of;
    for (int i = 0; i < r.rows(); ++i) {
      members.push_back(r.str(i, 0));
      username_of[r.str(i, 0)] = r.str(i, 1);
    }
    const bool group = r.str(0, 2) == "group";
    const std::string chat_name = group ? r.str(0, 3) : r.str(0, 4);
    const std::set<std::string> mentioned(m.mentions.begin(), m.mentions.end());
    std::vector<std::string> to_mention, to_notify;
    for (const auto& id : users_without_live_connection(d.redis, members)) {
      (group && mentioned.count(username_of[id]) ? to_mention : to_notify).push_back(id);
    }
    PushRequest req;
    req.vars = {{"sender", text_var(r.str(0, 4))},
                {"chat", text_var(chat_name)},
                {"preview", message_preview(m.message_type, m.content,
                                            static_cast<size_t>(d.cfg.push_preview_chars))}};
    req.data = Json::object()
                   .set("chat_id", m.chat_id)
                   .set("message_id", m.message_id)
                   .set("sender_id", m.sender_id);
    if (!to_mention.empty()) {
      req.type = "mention";
      queue_push(d, to_mention, req);
    }
    if (!to_notify.empty()) {
      req.type = "new_message";
      req.template_type = group ? "new_group_message" : "";
      queue_push(d, to_notify, req);
    }
  } catch (const std::exception& e) {
    log_warn("push: message %lld of chat %lld queued no pushes: %s",
             static_cast<long long>(m.message_id), static_cast<long long>(m.chat_id), e.what());
  }
}

size_t queue_call_push(Deps& d, const std::vector<std::string>& callee_ids, int64_t call_id,
                       const std::string& caller_id, const std::string& caller_name,
                       const std::string& call_type, CallPushKind kind) {
  PushRequest req;
  req.type = kind == CallPushKind::kIncoming ? "incoming_call" : "missed_call";
  req.high_priority = kind == CallPushKind::kIncoming;
  req.vars = {{"caller", text_var(caller_name)},
              {"call_type", PushVar{"", call_type_key(call_type)}}};
  req.data = Json::object()
                 .set("call_id", call_id)
                 .set("caller_id", caller_id)
                 .set("call_type", call_type);
  return queue_push(d, callee_ids, req);
}

size_t queue_geofence_push(Deps& d, const std::string& user_id, int64_t geofence_id,
                           const std::string& geofence_name, bool entered) {
  PushRequest req;
  req.type = entered ? "geofence_entry" : "geofence_exit";
  req.vars = {{"geofence", text_var(geofence_name)}};
  req.data =
      Json::object().set("geofence_id", geofence_id).set("event", entered ? "entry" : "exit");
  return queue_push(d, {user_id}, req);
}

size_t queue_location_share_push(Deps& d, const std::string& target_user_id, int64_t share_id,
                                 const std::string& sharer_id, const std::string& sharer_name) {
  PushRequest req;
  req.type = "location_share";
  req.vars = {{"sharer", text_var(sharer_name)}};
  req.data = Json::object().set("share_id", share_id).set("sharer_id", sharer_id);
  return queue_push(d, {target_user_id}, req);
}

}  // namespace nt
