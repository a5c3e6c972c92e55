// Geofences (DESIGN.md §4.6): a user's circular fences (CRUD), their evaluation on every
// location update, and the list of entry/exit events. Both doors of a location update (REST
// POST /location/update and WS location_update) reach evaluate_geofences through
// update_location (location_service.cpp), inside its transaction; the events go out after the
// commit through deliver_geofence_outcome (WS geofence_event to the owner's user channel, a
// push when the fence asks for one).
// Storage: geofence_areas (a deleted fence is kept with is_active = false, so its events stay
// listed with its name), geofence_states (one row per fence once the user has been seen
// relative to it; no row = "unknown"), geofence_events.
// Throws ApiError, DbUnavailable, DbError. Every function takes the caller's connections and
// runs on the caller's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app_deps.hpp"
#include "geo.hpp"
#include "json.hpp"
#include "validate.hpp"

namespace nt {

// Bounds of a fence (inclusive). Below 10 m a phone's fix is mostly noise; above 100 km a
// "fence" is a region, better served by other means.
inline constexpr int64_t kMinFenceRadiusMeters = 10;
inline constexpr int64_t kMaxFenceRadiusMeters = 100'000;
inline constexpr size_t kMaxFenceNameChars = 255;

// ------------------------------------------------------------------ pure rules (no I/O)

// The fields of a create (POST) or partial update (PUT) body; absent fields stay nullopt.
struct FenceFields {
  std::optional<std::string> name;  // trimmed of spaces, tabs and line breaks
  std::optional<double> center_latitude;
  std::optional<double> center_longitude;
  std::optional<int64_t> radius_meters;
  std::optional<bool> notify_on_entry;
  std::optional<bool> notify_on_exit;
};

// Reads the fence fields from `f`'s object. `create`: name, centre and radius are required.
// Codes: name `too_short` (empty after trimming) / `too_long` (over 255 code points),
// `invalid_type`; latitude/longitude as geo.hpp's ranges (`out_of_range`, `invalid_type` for
// strings and booleans); radius_meters an integer in [10, 100000] (`invalid_type` for 10.5 or
// "100"); notify flags booleans. Problems are added to `f`; the caller calls f.done().
FenceFields read_fence_fields(FieldReader& f, bool create);

// One active fence and the user's stored state relative to it.
struct FenceInput {
  double center_latitude;
  double center_longitude;
  double radius_meters;
  FenceState state;
};

// What changes for one fence (index into the input).
struct FenceDecision {
  size_t index;
  FenceState state;  // to store
  FenceEvent event;  // kNone when only the state changes (first observation outside)
};

// Applies geofence_step to every fence for a fix at (lat, lon) with `accuracy_m`, the distance
// being haversine_meters to the centre. Returns only the fences whose state changes, in input
// order; an unchanged state (inside staying inside, outside staying outside) is left out.
std::vector<FenceDecision> decide_fences(const std::vector<FenceInput>& fences, double lat,
                                         double lon, std::optional<double> accuracy_m);

// ------------------------------------------------------------------ CRUD (REST doors)

// POST /location/geofences: 201 body. 409 geofence_limit_reached when the user already has
// cfg.geofence_max_per_user active fences.
Json create_geofence(Deps& d, const std::string& user_id, const Json& body);
// GET /location/geofences: {geofences: [...]}, active ones, newest first.
Json list_geofences(Deps& d, const std::string& user_id, int64_t limit, int64_t offset);
// GET /location/geofences/{id}: the caller's active fence, else 404.
Json get_geofence(Deps& d, const std::string& user_id, int64_t fence_id);
// PUT /location/geofences/{id}: partial update; moving the centre or changing the radius
// forgets the stored state (the next update is a first observation).
Json update_geofence(Deps& d, const std::string& user_id, int64_t fence_id, const Json& body);
// DELETE /location/geofences/{id}: soft delete (is_active = false) and its state row removed;
// the fence is no longer evaluated, listed or found, its events stay in the events list.
void delete_geofence(Deps& d, const std::string& user_id, int64_t fence_id);

struct FenceEventQuery {
  int64_t limit = 50;
  std::optional<int64_t> before_id;    // older than this event id
  std::optional<int64_t> after_id;     // newer than this event id
  std::optional<int64_t> geofence_id;  // only this fence's events
};
// GET /location/geofences/events: {events: [...] newest first, has_more}. has_more tells
// whether more events lie beyond the page in the paging direction (older without a cursor or
// with before_id, newer with after_id).
Json list_geofence_events(Deps& d, const std::string& user_id, const FenceEventQuery& q);

// ------------------------------------------------------------------ evaluation

// What an evaluation recorded, to send after the commit.
struct GeofenceOutcome {
  struct Push {
    int64_t geofence_id;
    std::string name;
    bool entered;
  };
  std::vector<Json> events;  // geofence_event data, in insertion order
  std::vector<Push> pushes;  // events whose fence has notify_on_entry / notify_on_exit on
};

// Inside update_location's transaction (the caller holds the user's row lock): one query
// loads the user's active fences with their states, decide_fences decides, one statement
// upserts the changed states and one inserts the events. Nothing is sent here.
GeofenceOutcome evaluate_geofences(Deps& d, const std::string& user_id, const LocationUpdate& u);

// After the commit: WS geofence_event to the owner's user channel per event, then the pushes.
// Redis failures are logged, never thrown (the events are committed and listed).
void deliver_geofence_outcome(Deps& d, const std::string& user_id, const GeofenceOutcome& o);

}  // namespace nt
