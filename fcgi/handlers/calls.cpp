// Voice and video calls (DESIGN.md §4.3): thin doors onto common/call_service.
#include "call_service.hpp"
#include "handlers.hpp"
#include "paging.hpp"

namespace nt::handlers {
namespace {

Response act(Ctx& ctx, CallEvent event) {
  Deps d = ctx.deps();
  return json_response(200, act_on_call(d, ctx.me().id, ctx.id_param("call_id"), event));
}

}  // namespace

Response initiate_call(Ctx& ctx) {
  const Json body = ctx.json_body();
  Deps d = ctx.deps();
  return json_response(201, nt::initiate_call(d, ctx.me().id, body));
}

Response answer_call(Ctx& ctx) { return act(ctx, CallEvent::kAnswer); }
Response decline_call(Ctx& ctx) { return act(ctx, CallEvent::kDecline); }
Response end_call(Ctx& ctx) { return act(ctx, CallEvent::kEnd); }
Response join_call(Ctx& ctx) { return act(ctx, CallEvent::kJoin); }
Response leave_call(Ctx& ctx) { return act(ctx, CallEvent::kLeave); }

Response invite_to_call(Ctx& ctx) {
  const Json body = ctx.json_body();
  Deps d = ctx.deps();
  return json_response(200, nt::invite_to_call(d, ctx.me().id, ctx.id_param("call_id"), body));
}

Response get_call(Ctx& ctx) {
  Deps d = ctx.deps();
  return json_response(200, call_detail(d, ctx.me().id, ctx.id_param("call_id")));
}

Response call_history(Ctx& ctx) {
  const Paging page = read_paging(ctx.req);
  Deps d = ctx.deps();
  return json_response(200, nt::call_history(d, ctx.me().id, page.limit, page.offset));
}

Response call_stats(Ctx& ctx) {
  const int64_t days = ctx.int_query("days", 1, 3650).value_or(30);
  Deps d = ctx.deps();
  return json_response(200, nt::call_stats(d, ctx.me().id, days));
}

}  // namespace nt::handlers
