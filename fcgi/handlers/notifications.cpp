// In-app notifications (DESIGN.md §4.7): mentions, group invites, later missed calls.
#include "errors.hpp"
#include "handlers.hpp"
#include "paging.hpp"

namespace nt::handlers {
namespace {

const Sql kList{"notif_list",
                "SELECT id, notification_type, title, body, data::text, is_read, "
                NT_SQL_EPOCH_MS("created_at") " FROM notifications WHERE user_id = $1 "
                "AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3 OFFSET $4"};
const Sql kUnread{"notif_unread",
                  "SELECT count(*) FROM notifications WHERE user_id = $1 AND NOT is_read"};
const Sql kRead{"notif_read",
                "UPDATE notifications SET is_read = true WHERE id = $1 AND user_id = $2 RETURNING id"};
const Sql kReadAll{"notif_read_all",
                   "UPDATE notifications SET is_read = true WHERE user_id = $1 AND NOT is_read"};

int64_t unread(Ctx& ctx) { return ctx.pg.exec(kUnread, {ctx.me().id}).i64(0, 0); }

}  // namespace

Response list_notifications(Ctx& ctx) {
  const Paging page = read_paging(ctx.req);
  const int64_t limit = page.limit;
  const auto before = ctx.int_query("before_id", 1, INT64_MAX);
  PgResult r = ctx.pg.exec(kList, {ctx.me().id, before ? pg_int(*before) : std::nullopt,
                                   pg_int(limit + 1), pg_int(page.offset)});
  Json list = Json::array();
  const int n = std::min<int>(r.rows(), static_cast<int>(limit));
  for (int i = 0; i < n; ++i) {
    JsonParseError err;
    Json data = r.is_null(i, 4) ? Json::null() : parse_json(r.str(i, 4), 64, false, &err);
    list.append(Json::object()
                    .set("id", r.i64(i, 0))
                    .set("notification_type", r.str(i, 1))
                    .set("title", r.str(i, 2))
                    .set("body", r.str(i, 3))
                    .set("data", data ? data : Json::null())
                    .set("is_read", r.boolean(i, 5))
                    .set("created_at", r.time(i, 6)));
  }
  return json_response(200, Json::object()
                                .set("notifications", list)
                                .set("unread_count", unread(ctx))
                                .set("has_more", r.rows() > limit));
}

Response notification_count(Ctx& ctx) {
  return json_response(200, Json::object().set("unread_count", unread(ctx)));
}

Response read_notification(Ctx& ctx) {
  const int64_t id = ctx.id_param("notification_id");
  if (ctx.pg.exec(kRead, {pg_int(id), ctx.me().id}).empty()) throw ApiError(Err::kNotFound);
  return json_response(200, Json::object().set("id", id).set("is_read", true).set("unread_count",
                                                                                 unread(ctx)));
}

Response read_all_notifications(Ctx& ctx) {
  const int64_t n = ctx.pg.exec(kReadAll, {ctx.me().id}).affected();
  return json_response(200, Json::object().set("updated", n).set("unread_count", int64_t{0}));
}

}  // namespace nt::handlers
