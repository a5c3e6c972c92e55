// Push notifications (DESIGN.md §4.5): the caller's device tokens, admin sends and broadcasts
// (queued through common/push_service), and delivery stats.
#include <map>

#include "chat_service.hpp"
#include "errors.hpp"
#include "fcm_protocol.hpp"
#include "handlers.hpp"
#include "paging.hpp"
#include "push_delivery.hpp"
#include "push_service.hpp"
#include "validate.hpp"

namespace nt::handlers {
namespace {

#define NT_TOKEN_COLUMNS                                            \
  "id, token, device_type, device_id, is_active, " NT_SQL_EPOCH_MS( \
      "created_at") ", " NT_SQL_EPOCH_MS("last_used")
// A token registered again moves to the caller (the device now signs in as them) and is active
// again; pushes still pending for its previous owner are never sent to it (push_delivery.cpp).
const Sql kRegister{"push_token_register",
                    "INSERT INTO device_tokens (user_id, token, device_type, device_id) "
                    "VALUES ($1, $2, $3, $4) ON CONFLICT (token) DO UPDATE SET "
                    "user_id = EXCLUDED.user_id, device_type = EXCLUDED.device_type, "
                    "device_id = EXCLUDED.device_id, is_active = true, last_used = now() "
                    "RETURNING " NT_TOKEN_COLUMNS};
// The token a device had before (FCM tokens rotate): same user, same device_id.
const Sql kRetireSameDevice{"push_token_retire_device",
                            "UPDATE device_tokens SET is_active = false WHERE user_id = $1 "
                            "AND device_id = $2 AND id <> $3 AND is_active"};
// At most PUSH_MAX_DEVICE_TOKENS active tokens per user: the least recently used go.
const Sql kRetireOldest{"push_token_retire_oldest",
                        "UPDATE device_tokens SET is_active = false WHERE id IN ("
                        "SELECT id FROM device_tokens WHERE user_id = $1 AND is_active "
                        "ORDER BY last_used DESC, id DESC OFFSET $2)"};
const Sql kList{"push_token_list", "SELECT " NT_TOKEN_COLUMNS
                                   " FROM device_tokens "
                                   "WHERE user_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3"};
const Sql kUpdate{"push_token_update",
                  "UPDATE device_tokens SET device_type = coalesce($3, device_type), "
                  "device_id = CASE WHEN $5::bool THEN $4 ELSE device_id END, "
                  "is_active = coalesce($6::bool, is_active), last_used = now() "
                  "WHERE id = $1 AND user_id = $2 RETURNING " NT_TOKEN_COLUMNS};
const Sql kDelete{"push_token_delete", "DELETE FROM device_tokens WHERE id = $1 AND user_id = $2"};
#undef NT_TOKEN_COLUMNS

#define NT_STATS_SELECT                                                                 \
  "SELECT coalesce(notification_type, ''), coalesce(device_type, ''), state, count(*) " \
  "FROM push_notifications "
const Sql kStatsOwn{"push_stats_own", NT_STATS_SELECT "WHERE user_id = $1 GROUP BY 1, 2, 3"};
const Sql kStatsAll{"push_stats_all", NT_STATS_SELECT "GROUP BY 1, 2, 3"};
#undef NT_STATS_SELECT
const Sql kTokenCounts{
    "push_token_counts",
    "SELECT count(*) FILTER (WHERE is_active), count(*) FILTER (WHERE NOT is_active) "
    "FROM device_tokens WHERE $1::uuid IS NULL OR user_id = $1"};

constexpr size_t kMaxTokenChars = 4096;
constexpr size_t kMaxSendUsers = 1000;
constexpr size_t kMaxDataKeys = 32;

Json token_json(const PgResult& r, int row) {
  return Json::object()
      .set("id", r.i64(row, 0))
      .set("token", r.str(row, 1))
      .set("device_type", Json::str_or_null(r.opt_str(row, 2)))
      .set("device_id", Json::str_or_null(r.opt_str(row, 3)))
      .set("is_active", r.boolean(row, 4))
      .set("created_at", r.time(row, 5))
      .set("last_used", r.time(row, 6));
}

std::optional<std::string> read_device_type(FieldReader& f, bool required) {
  auto t = f.str("device_type", required, 1, 20);
  if (t && *t != "ios" && *t != "android" && *t != "web") {
    f.add({"device_type", "invalid_choice", {{"choices", "ios, android, web"}}});
    return std::nullopt;
  }
  return t;
}

void retire_extra_tokens(Ctx& ctx) {
  ctx.pg.exec(kRetireOldest, {ctx.me().id, pg_int(ctx.cfg.push_max_device_tokens)});
}

void require_admin(Ctx& ctx) {
  if (!ctx.me().is_admin) throw ApiError(Err::kForbidden, "push send needs users.is_admin");
}

// {title, body, data?, notification_type?} of an admin push, as a request for push_service.
PushRequest read_admin_push(FieldReader& f, const Json& body, const char* default_type) {
  PushRequest req;
  const auto title = f.str("title", true, 1, kPushTitleMaxChars);
  const auto text = f.str("body", true, 1, kPushBodyMaxChars);
  req.type = f.str("notification_type", false, 1, 50).value_or(default_type);
  if (req.type.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
    f.add({"notification_type", "invalid_format", {}});
  }
  req.template_type = default_type;
  req.vars = {{"title", {title.value_or(""), ""}}, {"body", {text.value_or(""), ""}}};
  req.data = Json::object();
  const Json data = body.at("data");
  if (data && !json_is_null(data.get())) {
    if (!json_is_object(data.get()) || json_object_size(data.get()) > kMaxDataKeys) {
      f.add({"data",
             json_is_object(data.get()) ? "too_long" : "invalid_type",
             {{"max", std::to_string(kMaxDataKeys)}}});
    } else {
      const char* key;
      json_t* value;
      json_object_foreach(data.get(), key, value) {
        if (!json_is_string(value) && !json_is_number(value) && !json_is_boolean(value)) {
          f.add({"data", "invalid_type", {}});
          break;
        }
        req.data.set(key, Json::borrow(value));
      }
      // The sender sets these two itself.
      if (req.data.at("type") || req.data.at("notification_id")) {
        f.add({"data", "invalid_format", {}});
      }
    }
  }
  f.done();
  PushMessage probe;  // what the senders would give FCM, to refuse what it would refuse
  probe.token = "-";
  probe.title = *title;
  probe.body = *text;
  probe.data = push_fcm_data(req.data, INT64_MAX, req.type);  // the longest row id
  const std::string problem = push_message_problem(probe);
  if (problem.rfind("payload of", 0) == 0) throw ApiError(Err::kPayloadTooLarge, problem);
  if (!problem.empty()) throw_field_error("data", "invalid_format");  // a key FCM reserves
  return req;
}

// Pushes by state (the CHECK constraint allows these three).
struct PushCounts {
  int64_t sent = 0;
  int64_t failed = 0;
  int64_t pending = 0;

  void add(const std::string& state, int64_t n) {
    (state == "sent" ? sent : state == "failed" ? failed : pending) += n;
  }
  // Adds {total, sent, failed, pending} to `into`.
  Json& put(Json& into) const {
    return into.set("total", sent + failed + pending)
        .set("sent", sent)
        .set("failed", failed)
        .set("pending", pending);
  }
};

Json counts_by(const std::map<std::string, PushCounts>& groups) {
  Json out = Json::object();
  for (const auto& [key, counts] : groups) {
    Json bucket = Json::object();
    out.set(key.c_str(), counts.put(bucket));
  }
  return out;
}

}  // namespace

Response register_device_token(Ctx& ctx) {
  const Json body = ctx.json_body();
  FieldReader f(body);
  const auto token = f.str("token", true, 1, kMaxTokenChars);
  if (token && token->find_first_of(" \t\r\n\"\\") != std::string::npos) {
    f.add({"token", "invalid_format", {}});
  }
  const auto type = read_device_type(f, true);
  const auto device_id = f.str("device_id", false, 1, 255);
  f.done();
  Tx tx(ctx.pg);
  PgResult r = ctx.pg.exec(kRegister, {ctx.me().id, *token, *type, device_id});
  if (device_id) ctx.pg.exec(kRetireSameDevice, {ctx.me().id, *device_id, r.str(0, 0)});
  retire_extra_tokens(ctx);
  tx.commit();
  return json_response(201, token_json(r, 0));
}

Response list_device_tokens(Ctx& ctx) {
  const Paging page = read_paging(ctx.req);
  PgResult r = ctx.pg.exec(kList, {ctx.me().id, pg_int(page.limit), pg_int(page.offset)});
  Json list = Json::array();
  for (int i = 0; i < r.rows(); ++i) list.append(token_json(r, i));
  return json_response(200, Json::object().set("device_tokens", list));
}

Response update_device_token(Ctx& ctx) {
  const int64_t id = ctx.id_param("token_id");
  const Json body = ctx.json_body();
  FieldReader f(body);
  const auto type = read_device_type(f, false);
  const bool has_device_id = json_object_get(body.get(), "device_id") != nullptr;
  const auto device_id = f.str("device_id", false, 1, 255);
  const auto active = f.boolean("is_active", false);
  f.done();
  Tx tx(ctx.pg);
  PgResult r =
      ctx.pg.exec(kUpdate, {pg_int(id), ctx.me().id, type, device_id, pg_bool(has_device_id),
                            active ? pg_bool(*active) : std::nullopt});
  if (r.empty()) throw ApiError(Err::kNotFound);
  if (active.value_or(false)) retire_extra_tokens(ctx);
  tx.commit();
  return json_response(200, token_json(r, 0));
}

Response delete_device_token(Ctx& ctx) {
  const int64_t id = ctx.id_param("token_id");
  if (ctx.pg.exec(kDelete, {pg_int(id), ctx.me().id}).affected() == 0) {
    throw ApiError(Err::kNotFound);
  }
  return no_content();
}

Response send_push(Ctx& ctx) {
  require_admin(ctx);
  const Json body = ctx.json_body();
  FieldReader f(body);
  const auto users = read_user_ids(f, body, "user_ids", nullptr, kMaxSendUsers);
  if (users.empty() && f.ok()) {
    f.add({"user_ids", f.has("user_ids") ? "too_short" : "required", {{"min", "1"}}});
  }
  const PushRequest req = read_admin_push(f, body, "admin");
  Deps d = ctx.deps();
  const size_t n = queue_push(d, users, req);
  return json_response(202, Json::object().set("queued", static_cast<int64_t>(n)));
}

Response broadcast_push(Ctx& ctx) {
  require_admin(ctx);
  const Json body = ctx.json_body();
  FieldReader f(body);
  const PushRequest req = read_admin_push(f, body, "broadcast");
  Deps d = ctx.deps();
  const size_t n = queue_broadcast_push(d, req);
  return json_response(202, Json::object().set("queued", static_cast<int64_t>(n)));
}

Response push_stats(Ctx& ctx) {
  const bool global = ctx.me().is_admin;
  PgResult r = global ? ctx.pg.exec(kStatsAll) : ctx.pg.exec(kStatsOwn, {ctx.me().id});
  PushCounts all;
  std::map<std::string, PushCounts> by_type, by_device;
  for (int i = 0; i < r.rows(); ++i) {
    const std::string state = r.str(i, 2);
    const int64_t n = r.i64(i, 3);
    const std::string device = r.str(i, 1);
    all.add(state, n);
    by_type[r.str(i, 0)].add(state, n);
    by_device[device.empty() ? "unknown" : device].add(state, n);
  }
  PgResult t = ctx.pg.exec(kTokenCounts, {global ? std::nullopt : PgParam(ctx.me().id)});
  Json out = Json::object().set("scope", global ? "global" : "own");
  all.put(out)
      .set("by_type", counts_by(by_type))
      .set("by_device_type", counts_by(by_device))
      .set("device_tokens", Json::object().set("active", t.i64(0, 0)).set("inactive", t.i64(0, 1)));
  return json_response(200, out);
}

}  // namespace nt::handlers
