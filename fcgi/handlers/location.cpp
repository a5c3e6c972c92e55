// Location sharing (DESIGN.md §4.6): thin doors onto common/location_service.
#include "handlers.hpp"
#include "location_nearby.hpp"
#include "location_service.hpp"
#include "paging.hpp"

namespace nt::handlers {
namespace {

HistoryQuery history_query(const Ctx& ctx) {
  return parse_history_query(query_param(ctx.req.query, "from"), query_param(ctx.req.query, "to"),
                             read_paging(ctx.req).limit);
}

}  // namespace

Response update_location(Ctx& ctx) {
  const Json body = ctx.json_body();
  Deps d = ctx.deps();
  return json_response(201, nt::update_location(d, ctx.me().id, body));
}

Response my_location(Ctx& ctx) {
  Deps d = ctx.deps();
  return json_response(200, current_location(d, ctx.me().id, ctx.me().id));
}

Response user_location(Ctx& ctx) {
  Deps d = ctx.deps();
  return json_response(200, current_location(d, ctx.me().id, ctx.param("user_id")));
}

Response my_location_history(Ctx& ctx) {
  const HistoryQuery q = history_query(ctx);
  Deps d = ctx.deps();
  return json_response(200, location_history(d, ctx.me().id, ctx.me().id, q));
}

Response user_location_history(Ctx& ctx) {
  const HistoryQuery q = history_query(ctx);
  Deps d = ctx.deps();
  return json_response(200, location_history(d, ctx.me().id, ctx.param("user_id"), q));
}

Response create_location_share(Ctx& ctx) {
  const Json body = ctx.json_body();
  Deps d = ctx.deps();
  return json_response(201, start_share(d, ctx.me().id, body));
}

Response list_location_shares(Ctx& ctx) {
  Deps d = ctx.deps();
  return json_response(200, list_shares(d, ctx.me().id));
}

Response update_location_share(Ctx& ctx) {
  const Json body = ctx.json_body();
  Deps d = ctx.deps();
  return json_response(200, update_share(d, ctx.me().id, ctx.id_param("share_id"), body));
}

Response delete_location_share(Ctx& ctx) {
  Deps d = ctx.deps();
  stop_share(d, ctx.me().id, ctx.id_param("share_id"));
  return no_content();
}

Response nearby_users(Ctx& ctx) {
  const NearbyQuery q = parse_nearby_query(
      query_param(ctx.req.query, "radius_meters"), query_param(ctx.req.query, "latitude"),
      query_param(ctx.req.query, "longitude"), read_paging(ctx.req).limit);
  Deps d = ctx.deps();
  return json_response(200, nt::nearby_users(d, ctx.me().id, q));
}

Response location_stats(Ctx& ctx) {
  Deps d = ctx.deps();
  return json_response(200, nt::location_stats(d, ctx.me().id));
}

}  // namespace nt::handlers
