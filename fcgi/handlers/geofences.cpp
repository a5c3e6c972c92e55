// Geofences (DESIGN.md §4.6): thin doors onto common/geofence_service.
#include "geofence_service.hpp"
#include "handlers.hpp"
#include "paging.hpp"

namespace nt::handlers {

Response create_geofence(Ctx& ctx) {
  const Json body = ctx.json_body();
  Deps d = ctx.deps();
  return json_response(201, nt::create_geofence(d, ctx.me().id, body));
}

Response list_geofences(Ctx& ctx) {
  const Paging page = read_paging(ctx.req);
  Deps d = ctx.deps();
  return json_response(200, nt::list_geofences(d, ctx.me().id, page.limit, page.offset));
}

Response list_geofence_events(Ctx& ctx) {
  FenceEventQuery q;
  q.limit = read_paging(ctx.req).limit;
  const IdCursor cursor = read_id_cursor(ctx);
  q.before_id = cursor.before_id;
  q.after_id = cursor.after_id;
  q.geofence_id = ctx.int_query("geofence_id", 1, INT64_MAX);
  Deps d = ctx.deps();
  return json_response(200, nt::list_geofence_events(d, ctx.me().id, q));
}

Response get_geofence(Ctx& ctx) {
  Deps d = ctx.deps();
  return json_response(200, nt::get_geofence(d, ctx.me().id, ctx.id_param("geofence_id")));
}

Response update_geofence(Ctx& ctx) {
  const int64_t id = ctx.id_param("geofence_id");
  const Json body = ctx.json_body();
  Deps d = ctx.deps();
  return json_response(200, nt::update_geofence(d, ctx.me().id, id, body));
}

Response delete_geofence(Ctx& ctx) {
  Deps d = ctx.deps();
  nt::delete_geofence(d, ctx.me().id, ctx.id_param("geofence_id"));
  return no_content();
}

}  // namespace nt::handlers
