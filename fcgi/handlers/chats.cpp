// Chats and participants: thin wrappers over common/chat_service.
#include "chat_service.hpp"
#include "handlers.hpp"
#include "paging.hpp"

namespace nt::handlers {

Response list_chats(Ctx& ctx) {
  const Paging page = read_paging(ctx.req);
  Deps d = ctx.deps();
  return json_response(200, nt::list_chats(d, ctx.me().id, page.limit, page.offset));
}

Response create_chat(Ctx& ctx) {
  const Json body = ctx.json_body();
  Deps d = ctx.deps();
  const CreateChatResult r = nt::create_chat(d, ctx.me().id, body);
  return json_response(r.created ? 201 : 200, r.chat);
}

Response get_chat(Ctx& ctx) {
  Deps d = ctx.deps();
  return json_response(200, chat_detail(d, ctx.me().id, ctx.id_param("chat_id")));
}

Response update_chat(Ctx& ctx) {
  const int64_t chat_id = ctx.id_param("chat_id");
  const Json body = ctx.json_body();
  Deps d = ctx.deps();
  return json_response(200, nt::update_chat(d, ctx.me().id, chat_id, body));
}

Response add_participants(Ctx& ctx) {
  const int64_t chat_id = ctx.id_param("chat_id");
  const Json body = ctx.json_body();
  Deps d = ctx.deps();
  return json_response(200, nt::add_participants(d, ctx.me().id, chat_id, body));
}

Response remove_participant(Ctx& ctx) {
  const int64_t chat_id = ctx.id_param("chat_id");
  Deps d = ctx.deps();
  nt::remove_participant(d, ctx.me().id, chat_id, ctx.param("user_id"));
  return no_content();
}

}  // namespace nt::handlers
