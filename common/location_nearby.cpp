#include "location_nearby.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "errors.hpp"
#include "geo.hpp"
#include "location_service.hpp"
#include "pg.hpp"
#include "public_user.hpp"

namespace nt {
namespace {

// The caller's own current position, the default centre of a nearby search.
const Sql kMyPosition{"loc_near_me",
                      "SELECT latitude, longitude FROM user_current_locations WHERE user_id = $1"};

// The page, nearest first, in one statement: a walk of the GiST index on
// user_current_locations.xyz (sql/0008) ordered by the chord distance to the centre $2 (a unit
// vector, geo.hpp unit_vector), bounded by the box of half-side $3 (chord_for_meters of the
// radius) and stopped after $4 rows that pass: other active users whose public share is live
// (public_until) or, for the rest, who have a live share targeted to the viewer $1 (one probe
// of location_shares_user_active per such candidate). Box corners beyond the radius come after
// everyone within it, so the C++ side only cuts them. Location columns 0..8, the public user
// from column 9.
constexpr int kPageUserColumn = 9;
const Sql kNearby{
    "loc_nearby",
    "SELECT " NT_CURRENT_LOC_COLUMNS ", " NT_PUBLIC_USER_COLUMNS
    " FROM user_current_locations c JOIN users u ON u.id = c.user_id "
    "LEFT JOIN user_settings s ON s.user_id = u.id "
    "WHERE c.xyz <@ cube_enlarge($2::cube, $3::float8, 3) AND c.user_id <> $1::uuid "
    "AND u.is_active AND (c.public_until > now() OR EXISTS (SELECT 1 FROM location_shares s "
    "WHERE s.user_id = c.user_id AND s.target_user_id = $1::uuid AND " NT_SHARE_LIVE ")) "
    "ORDER BY c.xyz <-> $2::cube LIMIT $4"};

const Sql kStats{
    "loc_stats",
    "SELECT coalesce(c.total_updates, 0), coalesce(c.distance_traveled_meters, 0), "
    NT_SQL_EPOCH_MS("c.first_update_at") ", " NT_SQL_EPOCH_MS("c.updated_at") ", "
    "(SELECT count(*) FROM location_shares s WHERE s.user_id = me.id AND " NT_SHARE_LIVE "), "
    "(SELECT count(*) FROM geofence_areas g WHERE g.user_id = me.id AND g.is_active), "
    "(SELECT count(*) FROM geofence_events e WHERE e.user_id = me.id) "
    "FROM (SELECT $1::uuid AS id) me LEFT JOIN user_current_locations c ON c.user_id = me.id"};

// One batch of the retention job, oldest first through user_locations_created.
const Sql kPurgeHistory{
    "loc_purge_history",
    "DELETE FROM user_locations WHERE id IN (SELECT id FROM user_locations "
    "WHERE created_at < now() - make_interval(days => $1::int) ORDER BY created_at "
    "LIMIT $2 FOR UPDATE SKIP LOCKED)"};

// Whether `text` has only the characters of a plain decimal number ("-6.2", "1e3"); strtod
// alone would also take "nan", "inf" and hexadecimal.
bool decimal_chars(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789+-.eE") == std::string::npos;
}

// A number query parameter in [min, max]: invalid_type when not a decimal number,
// out_of_range outside the bounds (or too large for a double).
std::optional<double> read_number(std::vector<FieldError>& errors, const char* name,
                                  const std::string& text, double min, double max) {
  char* end = nullptr;
  const double v = decimal_chars(text) ? std::strtod(text.c_str(), &end) : 0.0;
  if (end == nullptr || *end != '\0') {
    errors.push_back({name, "invalid_type", {}});
    return std::nullopt;
  }
  if (!std::isfinite(v) || v < min || v > max) {
    errors.push_back({name, "out_of_range", {}});
    return std::nullopt;
  }
  return v;
}

// An integer query parameter in [min, max]: invalid_type when not an integer, out_of_range
// outside the bounds.
std::optional<int64_t> read_integer(std::vector<FieldError>& errors, const char* name,
                                    const std::string& text, int64_t min, int64_t max) {
  const size_t sign = !text.empty() && text[0] == '-' ? 1 : 0;
  if (text.size() == sign || text.find_first_not_of("0123456789", sign) != std::string::npos) {
    errors.push_back({name, "invalid_type", {}});
    return std::nullopt;
  }
  errno = 0;
  const long long v = std::strtoll(text.c_str(), nullptr, 10);
  if (errno != 0 || v < min || v > max) {
    errors.push_back({name, "out_of_range", {}});
    return std::nullopt;
  }
  return v;
}

// A number as SQL parameter text, exactly.
std::string exact_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// The cube literal of a unit vector.
std::string cube_text(const UnitVector& v) {
  return "(" + exact_text(v.x) + "," + exact_text(v.y) + "," + exact_text(v.z) + ")";
}

}  // namespace

NearbyQuery parse_nearby_query(const std::optional<std::string>& radius_meters,
                               const std::optional<std::string>& latitude,
                               const std::optional<std::string>& longitude, int64_t limit) {
  NearbyQuery q;
  q.limit = limit;
  std::vector<FieldError> errors;
  if (radius_meters) {
    const auto r = read_integer(errors, "radius_meters", *radius_meters, 1, kMaxNearbyRadiusMeters);
    if (r) q.radius_m = *r;
  }
  if (latitude) q.latitude = read_number(errors, "latitude", *latitude, kMinLatitude, kMaxLatitude);
  if (longitude) {
    q.longitude = read_number(errors, "longitude", *longitude, kMinLongitude, kMaxLongitude);
  }
  if (latitude && !longitude) errors.push_back({"longitude", "required", {}});
  if (longitude && !latitude) errors.push_back({"latitude", "required", {}});
  if (!errors.empty()) throw ApiError(Err::kValidation, std::move(errors));
  return q;
}

std::vector<NearbyHit> rank_nearby(const std::vector<NearbyCandidate>& candidates, double lat,
                                   double lon, double radius_m, size_t limit) {
  std::vector<NearbyHit> hits;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const double m = haversine_meters(lat, lon, candidates[i].latitude, candidates[i].longitude);
    if (m <= radius_m) hits.push_back({i, m});
  }
  const auto nearer = [&](const NearbyHit& a, const NearbyHit& b) {
    if (a.distance_m != b.distance_m) return a.distance_m < b.distance_m;
    return candidates[a.index].user_id < candidates[b.index].user_id;
  };
  const size_t n = std::min(limit, hits.size());
  std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(n), hits.end(),
                    nearer);
  hits.resize(n);
  return hits;
}

Json nearby_users(Deps& d, const std::string& viewer_id, const NearbyQuery& q) {
  double lat = 0;
  double lon = 0;
  if (q.latitude && q.longitude) {
    lat = *q.latitude;
    lon = *q.longitude;
  } else {
    const PgResult me = d.pg.exec(kMyPosition, {viewer_id});
    if (me.empty()) throw_field_error("latitude", "required");
    lat = std::stod(me.str(0, 0));
    lon = std::stod(me.str(0, 1));
  }
  const auto radius = static_cast<double>(q.radius_m);
  const PgResult r = d.pg.exec(kNearby, {viewer_id, cube_text(unit_vector(lat, lon)),
                                         exact_text(chord_for_meters(radius)), pg_int(q.limit)});
  std::vector<NearbyCandidate> candidates;
  candidates.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    candidates.push_back({r.str(i, 1), std::stod(r.str(i, 2)), std::stod(r.str(i, 3))});
  }
  const std::vector<std::string> presence = presence_of(d.redis, r, kPageUserColumn);
  Json users = Json::array();
  for (const NearbyHit& h : rank_nearby(candidates, lat, lon, radius, candidates.size())) {
    const int i = static_cast<int>(h.index);
    Json u = public_user_json(r, i, presence[h.index], kPageUserColumn);
    u.set("location", location_json(r, i));
    u.set("distance_meters", Json::real(h.distance_m));
    users.append(u);
  }
  return Json::object().set("users", users);
}

Json location_stats(Deps& d, const std::string& user_id) {
  const PgResult r = d.pg.exec(kStats, {user_id});
  return Json::object()
      .set("total_updates", r.i64(0, 0))
      .set("distance_traveled_meters", Json::real(std::stod(r.str(0, 1))))
      .set("first_update_at", Json::str_or_null(r.opt_time(0, 2)))
      .set("last_update_at", Json::str_or_null(r.opt_time(0, 3)))
      .set("active_shares", r.i64(0, 4))
      .set("geofences", r.i64(0, 5))
      .set("geofence_events", r.i64(0, 6));
}

int64_t purge_location_history(Deps& d) {
  const int64_t days = d.cfg.location_history_retention_days;
  if (days <= 0) return 0;
  int64_t deleted = 0;
  for (int batch = 0; batch < kRetentionMaxBatchesPerRun; ++batch) {
    const int64_t n =
        d.pg.exec(kPurgeHistory, {pg_int(days), pg_int(kRetentionBatchRows)}).affected();
    deleted += n;
    if (n < kRetentionBatchRows) break;
  }
  return deleted;
}

}  // namespace nt
