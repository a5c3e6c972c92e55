#include "geofence_service.hpp"

#include <algorithm>
#include <cstdint>
#include <map>

#include "errors.hpp"
#include "events.hpp"
#include "location_service.hpp"
#include "log.hpp"
#include "pg.hpp"
#include "push_service.hpp"
#include "text.hpp"

namespace nt {
namespace {

// The fence object's columns; the state column follows (s.is_inside, or NULL).
#define NT_FENCE_COLUMNS                                                                   \
  "g.id, g.name, g.center_latitude::float8, g.center_longitude::float8, g.radius_meters, " \
  "g.notify_on_entry, g.notify_on_exit, g.is_active, " NT_SQL_EPOCH_MS("g.created_at")
#define NT_FENCE_STATE_JOIN \
  " LEFT JOIN geofence_states s ON s.geofence_id = g.id AND s.user_id = g.user_id"
#define NT_FENCE_EVENT_COLUMNS                                                                    \
  "e.id, e.geofence_id, e.event_type, e.latitude::float8, e.longitude::float8, " NT_SQL_EPOCH_MS( \
      "e.created_at")

// A new fence, unless the user already has $8 active ones (then no row). Run after
// lock_location_owner, so the count sees every fence committed before (and none can be added
// meanwhile).
const Sql kInsert{"fence_insert",
                  "WITH g AS (INSERT INTO geofence_areas (user_id, name, center_latitude, "
                  "center_longitude, radius_meters, notify_on_entry, notify_on_exit) "
                  "SELECT $1, $2, $3, $4, $5, $6, $7 WHERE (SELECT count(*) FROM geofence_areas "
                  "WHERE user_id = $1 AND is_active) < $8 RETURNING *) "
                  "SELECT " NT_FENCE_COLUMNS ", NULL::bool FROM g"};
const Sql kList{"fence_list",
                "SELECT " NT_FENCE_COLUMNS ", s.is_inside FROM geofence_areas g" NT_FENCE_STATE_JOIN
                " WHERE g.user_id = $1 AND g.is_active ORDER BY g.id DESC LIMIT $2 OFFSET $3"};
const Sql kGet{"fence_get",
               "SELECT " NT_FENCE_COLUMNS ", s.is_inside FROM geofence_areas g" NT_FENCE_STATE_JOIN
               " WHERE g.id = $1 AND g.user_id = $2 AND g.is_active"};
// Partial update ($3..$8 NULL = keep). `moved` compares with the row before the update; the
// state row of a moved fence is deleted in the same statement (the final SELECT still sees the
// old snapshot, hence the CASE).
const Sql kUpdate{
    "fence_update",
    "WITH old AS (SELECT id, center_latitude, center_longitude, radius_meters FROM geofence_areas "
    "WHERE id = $1 AND user_id = $2 AND is_active FOR UPDATE), "
    "g AS (UPDATE geofence_areas g SET name = coalesce($3, g.name), "
    "center_latitude = coalesce($4::numeric, g.center_latitude), "
    "center_longitude = coalesce($5::numeric, g.center_longitude), "
    "radius_meters = coalesce($6::int, g.radius_meters), "
    "notify_on_entry = coalesce($7::bool, g.notify_on_entry), "
    "notify_on_exit = coalesce($8::bool, g.notify_on_exit) FROM old WHERE g.id = old.id "
    "RETURNING g.*, (g.center_latitude, g.center_longitude, g.radius_meters) IS DISTINCT FROM "
    "(old.center_latitude, old.center_longitude, old.radius_meters) AS moved), "
    "reset AS (DELETE FROM geofence_states st USING g WHERE g.moved AND st.geofence_id = g.id "
    "AND st.user_id = g.user_id) "
    "SELECT " NT_FENCE_COLUMNS
    ", CASE WHEN g.moved THEN NULL ELSE s.is_inside END FROM g" NT_FENCE_STATE_JOIN};
const Sql kDelete{"fence_delete",
                  "WITH g AS (UPDATE geofence_areas SET is_active = false WHERE id = $1 "
                  "AND user_id = $2 AND is_active RETURNING id, user_id), "
                  "st AS (DELETE FROM geofence_states s USING g WHERE s.geofence_id = g.id "
                  "AND s.user_id = g.user_id) SELECT id FROM g"};
// Events newest first (no cursor or before_id), or the oldest ones after after_id; $2 the
// optional fence.
#define NT_FENCE_EVENTS_OF_USER                                              \
  "SELECT " NT_FENCE_EVENT_COLUMNS                                           \
  ", g.name FROM geofence_events e "                                         \
  "LEFT JOIN geofence_areas g ON g.id = e.geofence_id WHERE e.user_id = $1 " \
  "AND ($2::bigint IS NULL OR e.geofence_id = $2) "
const Sql kEventsBefore{"fence_events_before", NT_FENCE_EVENTS_OF_USER
                        "AND ($3::bigint IS NULL OR e.id < $3) ORDER BY e.id DESC LIMIT $4"};
const Sql kEventsAfter{"fence_events_after",
                       NT_FENCE_EVENTS_OF_USER "AND e.id > $3 ORDER BY e.id ASC LIMIT $4"};
// Evaluation: the user's active fences with their states (one query), the changed states (one
// upsert from arrays) and the events (one insert from arrays).
const Sql kFencesForUpdate{"fence_eval_load",
                           "SELECT g.id, g.name, g.center_latitude::float8, "
                           "g.center_longitude::float8, g.radius_meters, g.notify_on_entry, "
                           "g.notify_on_exit, s.is_inside FROM geofence_areas g" NT_FENCE_STATE_JOIN
                           " WHERE g.user_id = $1 AND g.is_active ORDER BY g.id"};
const Sql kWriteStates{
    "fence_eval_states",
    "INSERT INTO geofence_states (geofence_id, user_id, is_inside, updated_at) "
    "SELECT t.id, $1::uuid, t.inside, now() FROM unnest($2::bigint[], $3::bool[]) "
    "AS t(id, inside) ON CONFLICT (geofence_id, user_id) DO UPDATE SET "
    "is_inside = EXCLUDED.is_inside, updated_at = EXCLUDED.updated_at"};
const Sql kInsertEvents{
    "fence_eval_events",
    "INSERT INTO geofence_events AS e (user_id, geofence_id, event_type, "
    "latitude, longitude) SELECT $1::uuid, t.id, t.kind, $4::numeric, $5::numeric "
    "FROM unnest($2::bigint[], $3::text[]) AS t(id, kind) "
    "ORDER BY t.id RETURNING " NT_FENCE_EVENT_COLUMNS};

double real_of(const PgResult& r, int row, int col) {
  return std::stod(r.str(row, col));
}

FenceState state_of(const PgResult& r, int row, int col) {
  if (r.is_null(row, col)) return FenceState::kUnknown;
  return r.boolean(row, col) ? FenceState::kInside : FenceState::kOutside;
}

Json fence_json(const PgResult& r, int i) {
  return Json::object()
      .set("id", r.i64(i, 0))
      .set("name", r.str(i, 1))
      .set("center_latitude", Json::real(real_of(r, i, 2)))
      .set("center_longitude", Json::real(real_of(r, i, 3)))
      .set("radius_meters", r.i64(i, 4))
      .set("notify_on_entry", r.boolean(i, 5))
      .set("notify_on_exit", r.boolean(i, 6))
      .set("is_active", r.boolean(i, 7))
      .set("created_at", r.time(i, 8))
      .set("state", fence_state_name(state_of(r, i, 9)));
}

// An event row (NT_FENCE_EVENT_COLUMNS) with the fence's name.
Json event_json(const PgResult& r, int i, const std::optional<std::string>& name) {
  return Json::object()
      .set("id", r.i64(i, 0))
      .set("geofence_id", r.is_null(i, 1) ? Json::null() : Json::integer(r.i64(i, 1)))
      .set("geofence_name", Json::str_or_null(name))
      .set("event_type", r.str(i, 2))
      .set("latitude", r.is_null(i, 3) ? Json::null() : Json::real(real_of(r, i, 3)))
      .set("longitude", r.is_null(i, 4) ? Json::null() : Json::real(real_of(r, i, 4)))
      .set("created_at", r.time(i, 5));
}

PgParam opt_coord(const std::optional<double>& v) {
  return v ? PgParam(coord_text(*v)) : PgParam();
}

PgParam opt_bool(const std::optional<bool>& v) {
  return v ? pg_bool(*v) : PgParam();
}

Json one_fence_or_404(const PgResult& r) {
  if (r.empty()) throw ApiError(Err::kNotFound);
  return fence_json(r, 0);
}

}  // namespace

FenceFields read_fence_fields(FieldReader& f, bool create) {
  FenceFields out;
  if (const auto raw = f.str("name", create, 0, SIZE_MAX)) {
    const std::string name(trim(*raw, " \t\r\n"));
    if (name.empty()) {
      f.add({"name", "too_short", {{"min", "1"}}});
    } else if (utf8_length(name) > kMaxFenceNameChars) {
      f.add({"name", "too_long", {{"max", std::to_string(kMaxFenceNameChars)}}});
    } else {
      out.name = name;
    }
  }
  out.center_latitude = f.number("center_latitude", create, kMinLatitude, kMaxLatitude);
  out.center_longitude = f.number("center_longitude", create, kMinLongitude, kMaxLongitude);
  out.radius_meters =
      f.integer("radius_meters", create, kMinFenceRadiusMeters, kMaxFenceRadiusMeters);
  out.notify_on_entry = f.boolean("notify_on_entry", false);
  out.notify_on_exit = f.boolean("notify_on_exit", false);
  return out;
}

std::vector<FenceDecision> decide_fences(const std::vector<FenceInput>& fences, double lat,
                                         double lon, std::optional<double> accuracy_m) {
  std::vector<FenceDecision> out;
  for (size_t i = 0; i < fences.size(); ++i) {
    const FenceInput& g = fences[i];
    const double dist = haversine_meters(lat, lon, g.center_latitude, g.center_longitude);
    const FenceStep step = geofence_step(g.state, dist, g.radius_meters, accuracy_m);
    if (step.state != g.state) out.push_back({i, step.state, step.event});
  }
  return out;
}

Json create_geofence(Deps& d, const std::string& user_id, const Json& body) {
  FieldReader f(body);
  const FenceFields in = read_fence_fields(f, true);
  f.done();
  Tx tx(d.pg);
  lock_location_owner(d.pg, user_id);
  const PgResult r =
      d.pg.exec(kInsert, {user_id, *in.name, coord_text(*in.center_latitude),
                          coord_text(*in.center_longitude), pg_int(*in.radius_meters),
                          pg_bool(in.notify_on_entry.value_or(true)),
                          pg_bool(in.notify_on_exit.value_or(true)),
                          pg_int(d.cfg.geofence_max_per_user)});
  if (r.empty()) throw ApiError(Err::kGeofenceLimitReached);
  Json fence = fence_json(r, 0);
  tx.commit();
  return fence;
}

Json list_geofences(Deps& d, const std::string& user_id, int64_t limit, int64_t offset) {
  const PgResult r = d.pg.exec(kList, {user_id, pg_int(limit), pg_int(offset)});
  Json list = Json::array();
  for (int i = 0; i < r.rows(); ++i) list.append(fence_json(r, i));
  return Json::object().set("geofences", list);
}

Json get_geofence(Deps& d, const std::string& user_id, int64_t fence_id) {
  return one_fence_or_404(d.pg.exec(kGet, {pg_int(fence_id), user_id}));
}

Json update_geofence(Deps& d, const std::string& user_id, int64_t fence_id, const Json& body) {
  FieldReader f(body);
  const FenceFields in = read_fence_fields(f, false);
  f.done();
  Tx tx(d.pg);
  lock_location_owner(d.pg, user_id);
  Json fence = one_fence_or_404(
      d.pg.exec(kUpdate, {pg_int(fence_id), user_id, in.name ? PgParam(*in.name) : PgParam(),
                          opt_coord(in.center_latitude), opt_coord(in.center_longitude),
                          in.radius_meters ? pg_int(*in.radius_meters) : PgParam(),
                          opt_bool(in.notify_on_entry), opt_bool(in.notify_on_exit)}));
  tx.commit();
  return fence;
}

void delete_geofence(Deps& d, const std::string& user_id, int64_t fence_id) {
  Tx tx(d.pg);
  lock_location_owner(d.pg, user_id);
  if (d.pg.exec(kDelete, {pg_int(fence_id), user_id}).empty()) throw ApiError(Err::kNotFound);
  tx.commit();
}

Json list_geofence_events(Deps& d, const std::string& user_id, const FenceEventQuery& q) {
  const PgParam fence = q.geofence_id ? pg_int(*q.geofence_id) : PgParam();
  const bool forward = q.after_id.has_value();
  const PgResult r =
      forward ? d.pg.exec(kEventsAfter, {user_id, fence, pg_int(*q.after_id), pg_int(q.limit + 1)})
              : d.pg.exec(kEventsBefore,
                          {user_id, fence, q.before_id ? pg_int(*q.before_id) : PgParam(),
                           pg_int(q.limit + 1)});
  const int n = std::min<int>(r.rows(), static_cast<int>(q.limit));
  Json list = Json::array();
  for (int i = 0; i < n; ++i) {
    const int row = forward ? n - 1 - i : i;  // newest first, like every page
    list.append(event_json(r, row, r.opt_str(row, 6)));
  }
  return Json::object().set("events", list).set("has_more", r.rows() > q.limit);
}

GeofenceOutcome evaluate_geofences(Deps& d, const std::string& user_id, const LocationUpdate& u) {
  const PgResult fences = d.pg.exec(kFencesForUpdate, {user_id});
  std::vector<FenceInput> inputs;
  inputs.reserve(static_cast<size_t>(fences.rows()));
  for (int i = 0; i < fences.rows(); ++i) {
    inputs.push_back({real_of(fences, i, 2), real_of(fences, i, 3), real_of(fences, i, 4),
                      state_of(fences, i, 7)});
  }
  const std::vector<FenceDecision> changes =
      decide_fences(inputs, u.latitude, u.longitude, u.accuracy);
  GeofenceOutcome out;
  if (changes.empty()) return out;

  std::vector<int64_t> state_ids, event_ids;
  std::vector<std::string> inside, kinds;
  std::map<int64_t, int> row_of;  // fence id -> row in `fences` (each fence has one event at most)
  for (const FenceDecision& c : changes) {
    const int row = static_cast<int>(c.index);
    state_ids.push_back(fences.i64(row, 0));
    inside.push_back(c.state == FenceState::kInside ? "t" : "f");
    if (c.event == FenceEvent::kNone) continue;
    event_ids.push_back(fences.i64(row, 0));
    kinds.push_back(fence_event_name(c.event));
    row_of[fences.i64(row, 0)] = row;
  }
  d.pg.exec(kWriteStates, {user_id, pg_int_array(state_ids), pg_text_array(inside)});
  if (event_ids.empty()) return out;

  const PgResult ev =
      d.pg.exec(kInsertEvents, {user_id, pg_int_array(event_ids), pg_text_array(kinds),
                                coord_text(u.latitude), coord_text(u.longitude)});
  // Sent in the order the events were recorded (RETURNING promises no order).
  std::vector<int> order(static_cast<size_t>(ev.rows()));
  for (int i = 0; i < ev.rows(); ++i) order[static_cast<size_t>(i)] = i;
  std::sort(order.begin(), order.end(),
            [&ev](int x, int y) { return ev.i64(x, 0) < ev.i64(y, 0); });
  for (const int i : order) {
    const int row = row_of.at(ev.i64(i, 1));
    const std::string name = fences.str(row, 1);
    out.events.push_back(event_json(ev, i, name));
    const bool entered = ev.str(i, 2) == "entry";
    if (fences.boolean(row, entered ? 5 : 6)) {
      out.pushes.push_back({fences.i64(row, 0), name, entered});
    }
  }
  return out;
}

void deliver_geofence_outcome(Deps& d, const std::string& user_id, const GeofenceOutcome& o) {
  if (o.events.empty()) return;
  std::vector<BusMessage> messages;
  for (const Json& e : o.events)
    messages.push_back({user_channel(user_id), bus_message("geofence_event", e)});
  publish_after_commit(d.redis, messages);
  for (const GeofenceOutcome::Push& p : o.pushes) {
    try {
      queue_geofence_push(d, user_id, p.geofence_id, p.name, p.entered);
    } catch (const std::exception& e) {
      // The event is committed and listed; a lost push is logged, not a failed update.
      log_warn("geofence push for fence %lld: %s", static_cast<long long>(p.geofence_id), e.what());
    }
  }
}

}  // namespace nt
