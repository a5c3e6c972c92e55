#include "call_service.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "agora_token.hpp"
#include "chat_service.hpp"
#include "crypto.hpp"
#include "errors.hpp"
#include "events.hpp"
#include "log.hpp"
#include "push_service.hpp"
#include "time_util.hpp"
#include "validate.hpp"

namespace nt {
namespace {

#define NT_CALL_COLUMNS                                                                       \
  "c.id, c.channel_name, c.call_type, c.status, c.initiated_by, c.chat_id, "                  \
  NT_SQL_EPOCH_MS("c.started_at") ", " NT_SQL_EPOCH_MS("c.answered_at") ", "                  \
  NT_SQL_EPOCH_MS("c.ended_at") ", c.duration"

const Sql kInsertCall{"call_insert",
                      "INSERT INTO video_calls (channel_name, call_type, initiated_by, chat_id) "
                      "VALUES ($1, $2, $3, $4) RETURNING id"};
const Sql kInsertParticipants{
    "call_insert_participants",
    "INSERT INTO call_participants (call_id, user_id, agora_uid, status) "
    "SELECT $1, t.u, t.uid, CASE WHEN t.u = $4::uuid THEN 'joined' ELSE 'invited' END "
    "FROM unnest($2::uuid[], $3::bigint[]) AS t(u, uid)"};
const Sql kInviteParticipant{
    "call_invite_participant",
    "INSERT INTO call_participants (call_id, user_id, agora_uid, status) VALUES ($1, $2, $3, 'invited') "
    "ON CONFLICT (call_id, user_id) DO UPDATE SET status = 'invited', joined_at = now(), left_at = NULL"};
const Sql kLockCall{"call_lock", "SELECT " NT_CALL_COLUMNS " FROM video_calls c WHERE c.id = $1 FOR UPDATE"};
const Sql kCallById{"call_by_id", "SELECT " NT_CALL_COLUMNS " FROM video_calls c WHERE c.id = $1"};
const Sql kParticipants{"call_participants_of",
                        "SELECT p.call_id, p.user_id, u.username, u.display_name, u.avatar_url, "
                        "p.status, p.agora_uid, " NT_SQL_EPOCH_MS("p.joined_at") ", "
                        NT_SQL_EPOCH_MS("p.left_at") " FROM call_participants p "
                        "JOIN users u ON u.id = p.user_id WHERE p.call_id = ANY($1::bigint[]) "
                        "ORDER BY p.call_id, p.id"};
// Participant statuses that changed; joined_at doubles as "invited/joined at" (ring expiry).
const Sql kSetStatuses{"call_set_statuses",
                       "UPDATE call_participants p SET status = t.s, "
                       "joined_at = CASE WHEN t.s IN ('joined', 'invited') THEN now() ELSE p.joined_at END, "
                       "left_at = CASE WHEN t.s IN ('joined', 'invited') THEN NULL ELSE now() END "
                       "FROM unnest($2::uuid[], $3::text[]) AS t(u, s) "
                       "WHERE p.call_id = $1 AND p.user_id = t.u AND p.status <> t.s"};
// The duration counts from the first answer, in whole seconds.
const Sql kSetCallState{
    "call_set_state",
    "UPDATE video_calls SET status = $2::text, "
    "answered_at = CASE WHEN $2::text = 'ongoing' THEN coalesce(answered_at, now()) ELSE answered_at END, "
    "ended_at = CASE WHEN $3::bool THEN now() ELSE ended_at END, "
    "duration = CASE WHEN $3::bool AND answered_at IS NOT NULL "
    "THEN greatest(0, floor(extract(epoch FROM now() - answered_at)))::int ELSE duration END "
    "WHERE id = $1"};
const Sql kCallMembersInChat{"call_members_in_chat",
                             "SELECT count(*) FROM chat_participants WHERE chat_id = $1 "
                             "AND user_id = ANY($2::uuid[])"};
const Sql kHistory{"call_history",
                   "SELECT " NT_CALL_COLUMNS " FROM call_participants me "
                   "JOIN video_calls c ON c.id = me.call_id WHERE me.user_id = $1 "
                   "ORDER BY me.call_id DESC LIMIT $2 OFFSET $3"};
const Sql kVisibleCall{"call_visible",
                       "SELECT " NT_CALL_COLUMNS " FROM video_calls c JOIN call_participants me "
                       "ON me.call_id = c.id AND me.user_id = $2 WHERE c.id = $1"};
const Sql kStats{"call_stats",
                 "SELECT count(*), count(*) FILTER (WHERE c.call_type = 'video'), "
                 "count(*) FILTER (WHERE c.call_type = 'audio'), "
                 "count(*) FILTER (WHERE c.answered_at IS NOT NULL), "
                 "count(*) FILTER (WHERE c.status = 'missed'), "
                 "count(*) FILTER (WHERE c.status = 'declined'), "
                 "count(*) FILTER (WHERE c.status = 'cancelled'), "
                 "coalesce(sum(c.duration), 0)::bigint, "
                 "coalesce(round(avg(c.duration), 1), 0)::float8 "
                 "FROM call_participants me JOIN video_calls c ON c.id = me.call_id "
                 "WHERE me.user_id = $1 AND c.started_at >= now() - make_interval(days => $2::int)"};
const Sql kRingingCalls{"call_ringing",
                        "SELECT id FROM video_calls WHERE status = 'initiated' "
                        "AND started_at < now() - make_interval(secs => $1::int) "
                        "ORDER BY started_at LIMIT 100"};
const Sql kExpiredInvites{"call_expired_invites",
                          "SELECT DISTINCT p.call_id FROM call_participants p "
                          "JOIN video_calls c ON c.id = p.call_id WHERE c.status = 'ongoing' "
                          "AND p.status = 'invited' "
                          "AND p.joined_at < now() - make_interval(secs => $1::int) LIMIT 100"};
const Sql kLockCallNowait{"call_lock_skip",
                          "SELECT " NT_CALL_COLUMNS " FROM video_calls c WHERE c.id = $1 "
                          "FOR UPDATE SKIP LOCKED"};

struct Participant {
  std::string user_id;
  std::string name;  // display name, else username: what pushes about the call show
  ParticipantStatus status = ParticipantStatus::kInvited;
  int64_t agora_uid = 0;
  int64_t since_ms = 0;  // joined_at: when they were invited or joined
};

// A call row and its participants as loaded once; the JSON and the state machine's inputs
// both come from these rows.
struct LoadedCall {
  LoadedCall(PgResult r, PgResult ps) : row(std::move(r)), people_rows(std::move(ps)) {}
  PgResult row;          // NT_CALL_COLUMNS
  PgResult people_rows;  // kParticipants
  std::vector<Participant> people;
  CallState state = CallState::kInitiated;
  std::string caller;
  std::string channel;
  int64_t id = 0;
};

const Participant* find(const std::vector<Participant>& ps, const std::string& user_id) {
  for (const auto& p : ps) {
    if (p.user_id == user_id) return &p;
  }
  return nullptr;
}

// The call row `lock` returns and its participants; nullopt when there is no such row.
std::optional<LoadedCall> load_locked(Pg& pg, const Sql& lock, int64_t call_id) {
  PgResult row = pg.exec(lock, {pg_int(call_id)});
  if (row.empty()) return std::nullopt;
  LoadedCall c(std::move(row), pg.exec(kParticipants, {pg_int_array({call_id})}));
  c.id = call_id;
  c.channel = c.row.str(0, 1);
  c.state = parse_call_state(c.row.str(0, 3)).value_or(CallState::kEnded);
  c.caller = c.row.opt_str(0, 4).value_or("");
  const PgResult& ps = c.people_rows;
  for (int i = 0; i < ps.rows(); ++i) {
    c.people.push_back({ps.str(i, 1), ps.opt_str(i, 3).value_or(ps.str(i, 2)),
                        parse_participant_status(ps.str(i, 5)).value_or(ParticipantStatus::kLeft),
                        ps.is_null(i, 6) ? 0 : ps.i64(i, 6), ps.i64(i, 7)});
  }
  return c;
}

// One row of kParticipants.
Json participant_json(const PgResult& ps, int i) {
  return Json::object()
      .set("user_id", ps.str(i, 1))
      .set("username", ps.str(i, 2))
      .set("display_name", Json::str_or_null(ps.opt_str(i, 3)))
      .set("avatar_url", Json::str_or_null(ps.opt_str(i, 4)))
      .set("status", ps.str(i, 5))
      .set("agora_uid", ps.is_null(i, 6) ? Json::null() : Json::integer(ps.i64(i, 6)))
      .set("joined_at", ps.time(i, 7))
      .set("left_at", Json::str_or_null(ps.opt_time(i, 8)));
}

// Call row `i` of `calls` (columns NT_CALL_COLUMNS) with its participants.
Json call_json(const PgResult& calls, int i, const Json& participants) {
  return Json::object()
      .set("id", calls.i64(i, 0))
      .set("channel_name", calls.str(i, 1))
      .set("call_type", calls.str(i, 2))
      .set("status", calls.str(i, 3))
      .set("initiated_by", Json::str_or_null(calls.opt_str(i, 4)))
      .set("chat_id", calls.is_null(i, 5) ? Json::null() : Json::integer(calls.i64(i, 5)))
      .set("started_at", calls.time(i, 6))
      .set("answered_at", Json::str_or_null(calls.opt_time(i, 7)))
      .set("ended_at", Json::str_or_null(calls.opt_time(i, 8)))
      .set("duration", calls.is_null(i, 9) ? Json::null() : Json::integer(calls.i64(i, 9)))
      .set("participants", participants);
}

// A loaded call as the API shows it (no further query).
Json call_json(const LoadedCall& c) {
  Json list = Json::array();
  for (int i = 0; i < c.people_rows.rows(); ++i) list.append(participant_json(c.people_rows, i));
  return call_json(c.row, 0, list);
}

// Each call row of `calls` with its participants, by one query for all of them.
std::vector<Json> calls_json(Pg& pg, const PgResult& calls) {
  std::vector<int64_t> ids;
  for (int i = 0; i < calls.rows(); ++i) ids.push_back(calls.i64(i, 0));
  std::map<int64_t, Json> people;
  if (!ids.empty()) {
    const PgResult ps = pg.exec(kParticipants, {pg_int_array(ids)});
    for (int i = 0; i < ps.rows(); ++i) {
      Json& list = people[ps.i64(i, 0)];
      if (!list) list = Json::array();
      list.append(participant_json(ps, i));
    }
  }
  std::vector<Json> out;
  for (int i = 0; i < calls.rows(); ++i) {
    const auto it = people.find(calls.i64(i, 0));
    out.push_back(call_json(calls, i, it != people.end() ? it->second : Json::array()));
  }
  return out;
}

std::string token_key(int64_t call_id) { return "nerutalk:call_tokens:" + std::to_string(call_id); }

// The participant's media credentials: an AccessToken2 for the call's channel and their uid,
// cached in Redis for the token's lifetime (a Redis outage only skips the cache).
Json agora_json(Deps& d, int64_t call_id, const std::string& channel, const std::string& user_id,
                int64_t uid) {
  Json a = Json::object().set("channel", channel).set("uid", uid);
  if (d.cfg.agora_app_id.empty()) {
    return a.set("app_id", Json::null()).set("token", Json::null()).set("expires_at", Json::null())
        .set("configured", false).set("reason", "media_tokens_not_configured");
  }
  a.set("app_id", d.cfg.agora_app_id).set("configured", true);
  const int64_t now = now_s();
  try {
    RedisReplyPtr cached = d.redis.command({"HGET", token_key(call_id), user_id});
    if (cached->type == REDIS_REPLY_STRING) {
      JsonParseError err;
      Json c = parse_json(std::string(cached->str, cached->len), 4, false, &err);
      const json_t* exp = c ? json_object_get(c.get(), "expires_unix") : nullptr;
      if (exp && json_integer_value(exp) > now + 300) {
        return a.set("token", c.at("token").deep_copy())
            .set("expires_at", format_rfc3339(json_integer_value(exp) * 1000));
      }
    }
  } catch (const RedisUnavailable&) {
  }
  const auto expire = static_cast<uint32_t>(d.cfg.agora_token_expiry_hours * 3600);
  const auto token = agora::build_rtc_token(d.cfg.agora_app_id, d.cfg.agora_app_certificate, channel,
                                            static_cast<uint32_t>(uid), agora::RtcRole::kPublisher,
                                            expire, expire);
  if (!token) throw ApiError(Err::kInternal, "agora token could not be built");
  const int64_t expires = now + expire;
  try {
    const Json cache = Json::object().set("token", *token).set("expires_unix", expires);
    d.redis.pipeline({{"HSET", token_key(call_id), user_id, cache.dump()},
                      {"EXPIRE", token_key(call_id), std::to_string(expire)}});
  } catch (const RedisUnavailable&) {
  }
  return a.set("token", *token).set("expires_at", format_rfc3339(expires * 1000));
}

// Tells every participant's devices (user channels; Redis is only a hint, DESIGN.md §7).
void announce(Deps& d, const std::vector<Participant>& people, const char* type, const Json& data) {
  std::vector<std::string> channels;
  for (const auto& p : people) channels.push_back(user_channel(p.user_id));
  publish_after_commit(d.redis, channels, bus_message(type, data));
}

void throw_for(CallError e) {
  if (e == CallError::kForbidden) throw ApiError(Err::kForbidden, "not allowed in this call");
  throw ApiError(Err::kConflict, "illegal call transition");
}

// Writes the participants' new statuses and the call's state.
void apply(Pg& pg, const LoadedCall& c, const std::map<std::string, ParticipantStatus>& next,
           CallState state) {
  std::vector<std::string> users, statuses;
  for (const auto& [u, s] : next) {
    const Participant* p = find(c.people, u);
    if (p && p->status == s) continue;
    users.push_back(u);
    statuses.push_back(participant_status_name(s));
  }
  if (!users.empty()) pg.exec(kSetStatuses, {pg_int(c.id), pg_text_array(users), pg_text_array(statuses)});
  if (state != c.state) {
    pg.exec(kSetCallState, {pg_int(c.id), call_state_name(state), pg_bool(is_final(state))});
  }
}

// When a call closes, everyone still ringing missed it and everyone in it has left.
void close_others(const LoadedCall& c, CallState state, std::map<std::string, ParticipantStatus>* next) {
  if (!is_final(state) || is_final(c.state)) return;
  for (const auto& p : c.people) {
    auto it = next->find(p.user_id);
    const ParticipantStatus cur = it != next->end() ? it->second : p.status;
    (*next)[p.user_id] = status_after_call_closed(cur);
  }
}

CallPeers peers_except(const std::vector<Participant>& people, const std::string& user_id) {
  CallPeers peers;
  for (const auto& p : people) {
    if (p.user_id != user_id) peers.add(p.status);
  }
  return peers;
}

// A uid for each user, unique within the call.
std::vector<int64_t> uids_for(int64_t call_id, const std::vector<std::string>& users,
                              std::set<int64_t> taken = {}) {
  std::vector<int64_t> out;
  for (const auto& u : users) {
    uint32_t attempt = 0;
    int64_t uid = agora::derive_rtc_uid(std::to_string(call_id), u, attempt);
    while (taken.count(uid)) uid = agora::derive_rtc_uid(std::to_string(call_id), u, ++attempt);
    taken.insert(uid);
    out.push_back(uid);
  }
  return out;
}

// Incoming-call and missed-call pushes, after the call's transaction. The call is committed
// already, so a failure here is logged, never thrown.
void push_to_callees(Deps& d, const LoadedCall& c, const std::vector<std::string>& callees,
                     CallPushKind kind) {
  if (callees.empty()) return;
  try {
    const Participant* caller = find(c.people, c.caller);
    queue_call_push(d, callees, c.id, c.caller, caller ? caller->name : std::string(),
                    c.row.str(0, 2), kind);
  } catch (const std::exception& e) {
    log_warn("call push not queued: %s", e.what());
  }
}

// Participants whose status is `status` in `c` (as loaded after a change).
std::vector<std::string> with_status(const LoadedCall& c, ParticipantStatus status,
                                     const std::vector<std::string>& among) {
  std::vector<std::string> out;
  for (const auto& p : c.people) {
    if (p.status == status && std::find(among.begin(), among.end(), p.user_id) != among.end()) {
      out.push_back(p.user_id);
    }
  }
  return out;
}

}  // namespace

Json initiate_call(Deps& d, const std::string& caller_id, const Json& body) {
  FieldReader f(body);
  std::vector<std::string> callees =
      read_user_ids(f, body, "callee_ids", "callee_id", static_cast<size_t>(d.cfg.call_max_participants - 1));
  const std::string call_type = f.str("call_type", false, 1, 10).value_or("video");
  if (call_type != "video" && call_type != "audio") {
    f.add({"call_type", "invalid_choice", {{"choices", "video, audio"}}});
  }
  const auto chat_id = f.integer("chat_id", false, 1, INT64_MAX);
  if (f.ok() && callees.empty()) f.add({"callee_ids", "required", {}});
  if (std::find(callees.begin(), callees.end(), caller_id) != callees.end()) {
    f.add({"callee_ids", "invalid_reference", {}});
  }
  f.done();
  require_users_exist(d.pg, callees, "callee_ids");
  if (chat_id) {
    require_membership(d.pg, *chat_id, caller_id);
    if (d.pg.exec(kCallMembersInChat, {pg_int(*chat_id), pg_text_array(callees)}).i64(0, 0) !=
        static_cast<int64_t>(callees.size())) {
      throw_field_error("callee_ids", "invalid_reference");
    }
  }
  std::string channel = random_uuid();
  channel.erase(std::remove(channel.begin(), channel.end(), '-'), channel.end());
  channel = "nt_" + channel;

  std::vector<std::string> everyone{caller_id};
  everyone.insert(everyone.end(), callees.begin(), callees.end());
  int64_t call_id = 0;
  {
    Tx tx(d.pg);
    call_id = d.pg.exec(kInsertCall, {channel, call_type, caller_id, chat_id ? pg_int(*chat_id) : std::nullopt})
                  .i64(0, 0);
    d.pg.exec(kInsertParticipants, {pg_int(call_id), pg_text_array(everyone),
                                    pg_int_array(uids_for(call_id, everyone)), caller_id});
    tx.commit();
  }
  const auto c = load_locked(d.pg, kCallById, call_id);
  const Json call = call_json(*c);
  announce(d, c->people, "call_initiated", Json::object().set("call", call).set("caller_id", caller_id));
  push_to_callees(d, *c, callees, CallPushKind::kIncoming);
  const Participant* me = find(c->people, caller_id);
  return Json::object().set("call", call).set("agora", agora_json(d, call_id, channel, caller_id, me->agora_uid));
}

Json act_on_call(Deps& d, const std::string& user_id, int64_t call_id, CallEvent event) {
  std::optional<LoadedCall> c;
  CallTransition t;
  {
    Tx tx(d.pg);
    c = load_locked(d.pg, kLockCall, call_id);
    const Participant* me = c ? find(c->people, user_id) : nullptr;
    if (!me) throw ApiError(Err::kNotFound, "not a participant of this call");
    const CallRole role = user_id == c->caller ? CallRole::kCaller : CallRole::kCallee;
    t = next_call_state(c->state, event, role, me->status, peers_except(c->people, user_id));
    if (!t.ok()) throw_for(t.error);
    std::map<std::string, ParticipantStatus> next;
    if (t.actor) next[user_id] = *t.actor;
    close_others(*c, t.state, &next);
    apply(d.pg, *c, next, t.state);
    tx.commit();
  }
  const auto after = load_locked(d.pg, kCallById, call_id);
  const Json call = call_json(*after);
  const Json data = Json::object().set("call", call).set("user_id", user_id);
  const char* type = "call_participant_left";
  if (event == CallEvent::kAnswer && c->state == CallState::kInitiated) type = "call_answered";
  else if (event == CallEvent::kAnswer || event == CallEvent::kJoin) type = "call_participant_joined";
  else if (event == CallEvent::kDecline) type = "call_declined";
  else if (is_final(t.state)) type = "call_ended";
  announce(d, after->people, type, data);
  if (t.state == CallState::kCancelled && c->state != CallState::kCancelled) {
    std::vector<std::string> ringing;
    for (const auto& p : c->people) {
      if (p.status == ParticipantStatus::kInvited) ringing.push_back(p.user_id);
    }
    push_to_callees(d, *after, with_status(*after, ParticipantStatus::kMissed, ringing), CallPushKind::kMissed);
  }
  Json out = Json::object().set("call", call);
  if (event == CallEvent::kAnswer || event == CallEvent::kJoin) {
    const Participant* me = find(after->people, user_id);
    out.set("agora", agora_json(d, call_id, after->channel, user_id, me->agora_uid));
  }
  return out;
}

Json invite_to_call(Deps& d, const std::string& user_id, int64_t call_id, const Json& body) {
  FieldReader f(body);
  const std::optional<std::string> target = read_user_id(f, "user_id", true);
  f.done();
  const std::string& invitee = *target;
  require_users_exist(d.pg, {invitee}, "user_id");
  {
    Tx tx(d.pg);
    const auto c = load_locked(d.pg, kLockCall, call_id);
    const Participant* me = c ? find(c->people, user_id) : nullptr;
    if (!me) throw ApiError(Err::kNotFound, "not a participant of this call");
    const CallRole role = user_id == c->caller ? CallRole::kCaller : CallRole::kCallee;
    const CallTransition t = next_call_state(c->state, CallEvent::kInvite, role, me->status,
                                             peers_except(c->people, user_id));
    if (!t.ok()) throw_for(t.error);
    const Participant* existing = find(c->people, invitee);
    if (!can_invite(existing ? std::optional(existing->status) : std::nullopt)) {
      throw ApiError(Err::kConflict, "already ringing or in the call");
    }
    if (static_cast<int64_t>(c->people.size()) >= d.cfg.call_max_participants && !existing) {
      throw_field_error("user_id", "too_many_members");
    }
    std::set<int64_t> taken;
    for (const auto& p : c->people) taken.insert(p.agora_uid);
    const int64_t uid = existing ? existing->agora_uid : uids_for(call_id, {invitee}, taken).at(0);
    d.pg.exec(kInviteParticipant, {pg_int(call_id), invitee, pg_int(uid)});
    tx.commit();
  }
  const auto after = load_locked(d.pg, kCallById, call_id);
  const Json call = call_json(*after);
  publish_after_commit(d.redis, user_channel(invitee),
                       bus_message("call_initiated", Json::object().set("call", call).set("caller_id", user_id)));
  push_to_callees(d, *after, {invitee}, CallPushKind::kIncoming);
  std::vector<Participant> others;
  for (const auto& p : after->people) {
    if (p.user_id != invitee) others.push_back(p);
  }
  announce(d, others, "call_participant_invited",
           Json::object().set("call", call).set("user_id", invitee).set("invited_by", user_id));
  return Json::object().set("call", call);
}

Json call_history(Deps& d, const std::string& user_id, int64_t limit, int64_t offset) {
  const PgResult r = d.pg.exec(kHistory, {user_id, pg_int(limit), pg_int(offset)});
  Json calls = Json::array();
  for (Json& c : calls_json(d.pg, r)) calls.append(std::move(c));
  return Json::object().set("calls", calls);
}

Json call_detail(Deps& d, const std::string& user_id, int64_t call_id) {
  const PgResult r = d.pg.exec(kVisibleCall, {pg_int(call_id), user_id});
  if (r.empty()) throw ApiError(Err::kNotFound, "not a participant of this call");
  return calls_json(d.pg, r).at(0);
}

Json call_stats(Deps& d, const std::string& user_id, int64_t days) {
  const PgResult r = d.pg.exec(kStats, {user_id, pg_int(days)});
  return Json::object()
      .set("days", days)
      .set("total_calls", r.i64(0, 0))
      .set("video_calls", r.i64(0, 1))
      .set("audio_calls", r.i64(0, 2))
      .set("answered", r.i64(0, 3))
      .set("missed", r.i64(0, 4))
      .set("declined", r.i64(0, 5))
      .set("cancelled", r.i64(0, 6))
      .set("total_duration_seconds", r.i64(0, 7))
      .set("average_duration_seconds", Json::real(std::stod(r.str(0, 8))));
}

int64_t expire_rings(Deps& d) {
  const auto timeout = pg_int(d.cfg.call_ring_timeout_seconds);
  std::vector<int64_t> ids;
  for (const Sql* q : {&kRingingCalls, &kExpiredInvites}) {
    const PgResult r = d.pg.exec(*q, {timeout});
    for (int i = 0; i < r.rows(); ++i) ids.push_back(r.i64(i, 0));
  }
  const int64_t cutoff_ms = now_ms() - d.cfg.call_ring_timeout_seconds * 1000;
  int64_t changed = 0;
  for (const int64_t id : ids) {
    std::optional<LoadedCall> c;
    CallTransition t;
    std::vector<std::string> expired;
    {
      Tx tx(d.pg);
      c = load_locked(d.pg, kLockCallNowait, id);
      if (!c) continue;  // another daemon has it, or it is gone
      std::map<std::string, ParticipantStatus> next;
      CallPeers peers;
      for (const auto& p : c->people) {
        ParticipantStatus s = p.status;
        if (s == ParticipantStatus::kInvited && (c->state == CallState::kInitiated || p.since_ms < cutoff_ms)) {
          s = ParticipantStatus::kMissed;
          next[p.user_id] = s;
          expired.push_back(p.user_id);
        }
        peers.add(s);
      }
      if (expired.empty()) continue;
      t = next_call_state(c->state, CallEvent::kRingTimeout, CallRole::kSystem, ParticipantStatus::kJoined, peers);
      if (!t.ok()) continue;
      close_others(*c, t.state, &next);
      apply(d.pg, *c, next, t.state);
      tx.commit();
    }
    ++changed;
    const auto after = load_locked(d.pg, kCallById, id);
    const Json call = call_json(*after);
    push_to_callees(d, *after, expired, CallPushKind::kMissed);
    if (is_final(t.state)) {
      announce(d, after->people, "call_ended", Json::object().set("call", call));
    } else {
      for (const auto& u : expired) {
        announce(d, after->people, "call_participant_left", Json::object().set("call", call).set("user_id", u));
      }
    }
  }
  return changed;
}

}  // namespace nt
