// Nearby users, location statistics and history retention (DESIGN.md §4.6), beside
// location_service.hpp (updates, current positions, history, shares).
// - Nearby: who of the users with a live share to the caller (public or targeted) stands within
//   a radius, nearest first. One statement walks the GiST index on user_current_locations.xyz
//   (positions as unit vectors) in order of distance and stops after a page, so the cost
//   follows the page size, not the radius or how crowded the city is; haversine_meters then
//   gives each distance and cuts the box corners beyond the radius.
// - Stats: the caller's lifetime counters and counts, one statement.
// - Retention: the realtime job that deletes user_locations rows older than
//   LOCATION_HISTORY_RETENTION_DAYS, in batches; user_current_locations is never touched.
// Functions taking Deps run on the calling thread with its connections; they throw ApiError,
// DbUnavailable, DbError. The rest is plain maths, safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app_deps.hpp"
#include "json.hpp"

namespace nt {

inline constexpr int64_t kDefaultNearbyRadiusMeters = 1000;
inline constexpr int64_t kMaxNearbyRadiusMeters = 50'000;
// Rows the retention job deletes per statement, and statements per run (the rest waits for
// the next run, so one run never holds a worker thread for long).
inline constexpr int64_t kRetentionBatchRows = 5000;
inline constexpr int kRetentionMaxBatchesPerRun = 20;

// The query of GET /location/nearby, validated.
struct NearbyQuery {
  int64_t radius_m = kDefaultNearbyRadiusMeters;
  int64_t limit = 50;  // already capped by the paging rules
  // The centre: both given, or neither (then the caller's current position).
  std::optional<double> latitude;
  std::optional<double> longitude;
};

// Reads ?radius_meters=&latitude=&longitude= (raw query values, nullopt when absent). Every
// problem is listed in one 422: radius_meters not an integer → invalid_type, outside
// [1, 50000] → out_of_range; latitude/longitude not a decimal number → invalid_type, outside
// geo.hpp's ranges → out_of_range; only one of the two → `required` on the missing one.
NearbyQuery parse_nearby_query(const std::optional<std::string>& radius_meters,
                               const std::optional<std::string>& latitude,
                               const std::optional<std::string>& longitude, int64_t limit);

// A position that may be near the centre (a row of the index walk; the walk's box also
// holds points beyond the radius).
struct NearbyCandidate {
  std::string user_id;
  double latitude;
  double longitude;
};
struct NearbyHit {
  size_t index;       // into the candidates
  double distance_m;  // haversine_meters from the centre
};
// The candidates within `radius_m` metres of (lat, lon) (the edge included), nearest first
// (equal distances by user id), at most `limit` of them.
std::vector<NearbyHit> rank_nearby(const std::vector<NearbyCandidate>& candidates, double lat,
                                   double lon, double radius_m, size_t limit);

// GET /location/nearby: {"users": [public user + distance_meters + location]}. Without a
// centre in `q` the caller's current position is used; with neither → 422 (latitude,
// required). Only other active users with a live share that is public or targeted to
// `viewer_id`.
Json nearby_users(Deps& d, const std::string& viewer_id, const NearbyQuery& q);

// GET /location/stats: {total_updates, distance_traveled_meters, first_update_at,
// last_update_at, active_shares, geofences, geofence_events} of `user_id` (zeros and nulls for
// a user who never sent a position).
Json location_stats(Deps& d, const std::string& user_id);

// The retention job: deletes history rows older than cfg.location_history_retention_days
// (0 = keep forever: does nothing), oldest first, at most kRetentionMaxBatchesPerRun batches.
// Safe with several daemons running it (each batch claims its rows with SKIP LOCKED). Returns
// how many rows it deleted.
int64_t purge_location_history(Deps& d);

}  // namespace nt
