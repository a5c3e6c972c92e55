#include "location_nearby.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

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

// Who may be near: positions inside the bounding box ($2..$3 latitudes, $4..$5 longitudes, and
// $6..$7 the second longitude range across the antimeridian or NULL), answered by the GiST
// index user_current_locations_point; then only other users with a live share that is public
// or targeted to the viewer $1 (location_shares_user_active). Whether the account is active is
// checked by the page query, for the page only: joining users here cost more than half of the
// query's time (a primary-key lookup per candidate).
const Sql kNearbyCandidates{
    "loc_near_candidates",
    "SELECT c.user_id, c.latitude, c.longitude FROM user_current_locations c "
    "WHERE (point(c.longitude, c.latitude) <@ "
    "box(point($4::float8, $2::float8), point($5::float8, $3::float8)) "
    "OR point(c.longitude, c.latitude) <@ "
    "box(point($6::float8, $2::float8), point($7::float8, $3::float8))) "
    "AND c.user_id <> $1::uuid AND EXISTS (SELECT 1 FROM location_shares s "
    "WHERE s.user_id = c.user_id AND (s.target_user_id IS NULL OR s.target_user_id = $1::uuid) "
    "AND " NT_SHARE_LIVE ")"};

// The page's users and their positions, one query: location columns 0..8, the public user
// from column 9.
constexpr int kPageUserColumn = 9;
const Sql kNearbyPage{"loc_near_page",
                      "SELECT " NT_CURRENT_LOC_COLUMNS ", " NT_PUBLIC_USER_COLUMNS
                      " FROM user_current_locations c JOIN users u ON u.id = c.user_id "
                      "LEFT JOIN user_settings s ON s.user_id = u.id "
                      "WHERE c.user_id = ANY($1::uuid[]) AND u.is_active"};

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

// Degrees as SQL parameter text, exactly (the box is computed to the last bit).
std::string degrees_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// The page: the first `limit` users of the ranking whose account is active, with their
// distance and position. One query for the page's users; more only when some of them turned
// out inactive (then the ranking is extended and only the new users are read).
Json page_json(Deps& d, const std::vector<NearbyCandidate>& candidates, double lat, double lon,
               double radius_m, size_t limit) {
  std::unordered_map<std::string, Json> user_of;  // active users read so far, by id
  std::vector<NearbyHit> hits;
  size_t want = limit;
  size_t read = 0;  // hits whose users have been queried
  for (;;) {
    // The order is total (distance, then id), so a longer ranking extends the shorter one.
    hits = rank_nearby(candidates, lat, lon, radius_m, want);
    std::vector<std::string> ids;
    for (size_t k = read; k < hits.size(); ++k) ids.push_back(candidates[hits[k].index].user_id);
    read = hits.size();
    if (!ids.empty()) {
      const PgResult r = d.pg.exec(kNearbyPage, {pg_text_array(ids)});
      const std::vector<std::string> presence = presence_of(d.redis, r, kPageUserColumn);
      for (int i = 0; i < r.rows(); ++i) {
        Json u = public_user_json(r, i, presence[static_cast<size_t>(i)], kPageUserColumn);
        u.set("location", location_json(r, i));
        user_of.emplace(r.str(i, kPageUserColumn), u);
      }
    }
    if (user_of.size() >= limit || hits.size() < want) break;  // full, or no one else near
    want += 2 * (limit - user_of.size());
  }
  Json users = Json::array();
  size_t n = 0;
  for (const NearbyHit& h : hits) {
    if (n == limit) break;
    const auto it = user_of.find(candidates[h.index].user_id);
    if (it == user_of.end()) continue;  // not active
    Json u = it->second;
    u.set("distance_meters", Json::real(h.distance_m));
    users.append(u);
    ++n;
  }
  return Json::object().set("users", users);
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
  const GeoBox box = bounding_box(lat, lon, static_cast<double>(q.radius_m));
  const LonRange& a = box.lon[0];
  PgParam b_min, b_max;  // NULL: no second box
  if (box.lon.size() > 1) {
    b_min = degrees_text(box.lon[1].min);
    b_max = degrees_text(box.lon[1].max);
  }
  const PgResult c =
      d.pg.exec(kNearbyCandidates, {viewer_id, degrees_text(box.min_lat), degrees_text(box.max_lat),
                                    degrees_text(a.min), degrees_text(a.max), b_min, b_max});
  std::vector<NearbyCandidate> candidates;
  candidates.reserve(static_cast<size_t>(c.rows()));
  for (int i = 0; i < c.rows(); ++i) {
    candidates.push_back({c.str(i, 0), std::stod(c.str(i, 1)), std::stod(c.str(i, 2))});
  }
  return page_json(d, candidates, lat, lon, static_cast<double>(q.radius_m),
                   static_cast<size_t>(q.limit));
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
