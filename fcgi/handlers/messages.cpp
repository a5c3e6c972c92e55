// Messages: thin wrappers over common/message_service.
#include "errors.hpp"
#include "handlers.hpp"
#include "message_service.hpp"
#include "paging.hpp"
#include "validate.hpp"

namespace nt::handlers {

Response send_message(Ctx& ctx) {
  const int64_t chat_id = ctx.id_param("chat_id");
  const Json body = ctx.json_body();
  Deps d = ctx.deps();
  const SendOutcome r = nt::send_message(d, ctx.me().id, chat_id, body);
  return json_response(r.created ? 201 : 200, r.message);
}

Response list_messages(Ctx& ctx) {
  const int64_t chat_id = ctx.id_param("chat_id");
  const int64_t limit = read_paging(ctx.req).limit;
  const IdCursor cursor = read_id_cursor(ctx);
  Deps d = ctx.deps();
  const HistoryPage page =
      message_history(d, ctx.me().id, chat_id, limit, cursor.before_id, cursor.after_id);
  return json_response(200, Json::object().set("messages", page.messages).set("has_more", page.has_more));
}

Response read_message(Ctx& ctx) {
  Deps d = ctx.deps();
  return json_response(200, mark_read(d, ctx.me().id, ctx.id_param("message_id")));
}

Response edit_message(Ctx& ctx) {
  const int64_t id = ctx.id_param("message_id");
  const Json body = ctx.json_body();
  Deps d = ctx.deps();
  return json_response(200, nt::edit_message(d, ctx.me().id, id, body));
}

Response delete_message(Ctx& ctx) {
  Deps d = ctx.deps();
  return json_response(200, nt::delete_message(d, ctx.me().id, ctx.id_param("message_id")));
}

Response unread_count(Ctx& ctx) {
  Deps d = ctx.deps();
  return json_response(200, unread_counts(d, ctx.me().id));
}

Response search_messages(Ctx& ctx) {
  const auto q = query_param(ctx.req.query, "q");
  if (!q || q->find_first_not_of(" \t") == std::string::npos) throw_field_error("q", "required");
  if (utf8_length(*q) > 200) throw_field_error("q", "too_long", {{"max", "200"}});
  const auto chat_id = ctx.int_query("chat_id", 1, INT64_MAX);
  const int64_t limit = read_paging(ctx.req).limit;
  Deps d = ctx.deps();
  return json_response(200, nt::search_messages(d, ctx.me().id, *q, chat_id, limit));
}

}  // namespace nt::handlers
