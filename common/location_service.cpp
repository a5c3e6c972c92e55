#include "location_service.hpp"

#include <regex>

#include "errors.hpp"
#include "events.hpp"
#include "geo.hpp"
#include "geofence_service.hpp"
#include "log.hpp"
#include "pg.hpp"
#include "push_service.hpp"
#include "text.hpp"
#include "validate.hpp"

namespace nt {
namespace {

#define NT_LOC_COLUMNS                                                                        \
  "l.id, l.user_id, l.latitude::float8, l.longitude::float8, l.accuracy::float8, "          \
  "l.altitude::float8, l.speed::float8, l.heading::float8, " NT_SQL_EPOCH_MS("l.created_at")

#define NT_SHARE_COLUMNS                                                                      \
  "s.id, s.user_id, s.target_user_id, " NT_SQL_EPOCH_MS("s.expires_at") ", s.is_active, "   \
  NT_SQL_EPOCH_MS("s.created_at") ", " NT_SQL_EPOCH_MS("s.ended_at")

// When the user's latest live public share ends ('infinity': never; NULL: none), the value
// user_current_locations.public_until keeps for nearby search (sql/0008).
#define NT_PUBLIC_UNTIL(user)                                                                  \
  "SELECT max(coalesce(s.expires_at, 'infinity'::timestamptz)) FROM location_shares s "      \
  "WHERE s.user_id = " user " AND s.target_user_id IS NULL AND " NT_SHARE_LIVE

// What an update needs to know, read after lock_location_owner (a statement of its own, so it
// sees what the previous holder of the lock committed): the previous position (NULLs for a
// first update) and how many active geofences the user has (none: evaluation is skipped).
const Sql kPrevious{
    "loc_previous",
    "SELECT c.latitude, c.longitude, (SELECT count(*) FROM geofence_areas g "
    "WHERE g.user_id = $1::uuid AND g.is_active) FROM (SELECT 1) one "
    "LEFT JOIN user_current_locations c ON c.user_id = $1::uuid"};
// The history row and the current-position row in one statement; $8 is the distance from the
// previous position in metres (haversine_meters, 0 for the first). $9 is true when the user has
// no current row yet: only then is public_until computed here (the share code keeps it up to
// date afterwards, under the same lock), so a later update never looks at location_shares for
// it. Also returns the live targeted shares that receive the update: one row per share, or
// one row with NULLs there (location columns 0..8, share id 9, target 10).
const Sql kInsertLocation{
    "loc_insert",
    "WITH l AS (INSERT INTO user_locations AS l (user_id, latitude, longitude, accuracy, altitude, "
    "speed, heading) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *), "
    "c AS (INSERT INTO user_current_locations AS c (user_id, location_id, latitude, longitude, "
    "accuracy, altitude, speed, heading, updated_at, first_update_at, total_updates, "
    "distance_traveled_meters, public_until) SELECT l.user_id, l.id, l.latitude, l.longitude, "
    "l.accuracy, l.altitude, l.speed, l.heading, l.created_at, l.created_at, 1, 0, "
    "CASE WHEN $9::bool THEN (" NT_PUBLIC_UNTIL("l.user_id") ") END FROM l "
    "ON CONFLICT (user_id) DO UPDATE SET location_id = EXCLUDED.location_id, "
    "latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude, accuracy = EXCLUDED.accuracy, "
    "altitude = EXCLUDED.altitude, speed = EXCLUDED.speed, heading = EXCLUDED.heading, "
    "updated_at = EXCLUDED.updated_at, total_updates = c.total_updates + 1, "
    "distance_traveled_meters = c.distance_traveled_meters + $8::float8) "
    "SELECT " NT_LOC_COLUMNS ", s.id, s.target_user_id FROM l LEFT JOIN location_shares s "
    "ON s.user_id = l.user_id AND s.target_user_id IS NOT NULL AND " NT_SHARE_LIVE};
// The latest position, kept by update_location (it outlives the history's retention).
const Sql kLatest{"loc_latest", "SELECT " NT_CURRENT_LOC_COLUMNS
                                " FROM user_current_locations c WHERE c.user_id = $1"};
// Own history ($2 = NULL) or from the share start; from/to optional.
const Sql kHistory{"loc_history",
                   "SELECT " NT_LOC_COLUMNS " FROM user_locations l WHERE l.user_id = $1 "
                   "AND ($2::timestamptz IS NULL OR l.created_at >= $2::timestamptz) "
                   "AND ($3::timestamptz IS NULL OR l.created_at >= $3::timestamptz) "
                   "AND ($4::timestamptz IS NULL OR l.created_at <= $4::timestamptz) "
                   "ORDER BY l.created_at DESC, l.id DESC LIMIT $5"};
// The earliest start of a live share from $1 to $2 (targeted or public).
const Sql kShareStart{"loc_share_start",
                      "SELECT min(s.created_at) FROM location_shares s WHERE s.user_id = $1 "
                      "AND (s.target_user_id = $2 OR s.target_user_id IS NULL) AND " NT_SHARE_LIVE};
const Sql kUserName{"loc_user_name",
                    "SELECT coalesce(display_name, username) FROM users WHERE id = $1 AND is_active"};
const Sql kLockOwner{"loc_lock_owner", "SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE"};
const Sql kRefreshPublic{"loc_refresh_public",
                         "UPDATE user_current_locations c SET public_until = (" NT_PUBLIC_UNTIL("$1")
                         ") WHERE c.user_id = $1"};
const Sql kInsertShare{"loc_share_insert",
                       "INSERT INTO location_shares AS s (user_id, target_user_id, expires_at) "
                       "VALUES ($1, $2, CASE WHEN $3::int IS NULL THEN NULL "
                       "ELSE now() + make_interval(secs => $3::int) END) RETURNING " NT_SHARE_COLUMNS};
const Sql kOutgoing{"loc_shares_out",
                    "SELECT " NT_SHARE_COLUMNS " FROM location_shares s WHERE s.user_id = $1 AND "
                    NT_SHARE_LIVE " ORDER BY s.id DESC"};
const Sql kIncoming{"loc_shares_in",
                    "SELECT " NT_SHARE_COLUMNS " FROM location_shares s WHERE s.target_user_id = $1 AND "
                    NT_SHARE_LIVE " ORDER BY s.id DESC"};
const Sql kSetExpiry{"loc_share_set_expiry",
                     "UPDATE location_shares s SET expires_at = now() + make_interval(secs => $3::int) "
                     "WHERE s.id = $1 AND s.user_id = $2 AND " NT_SHARE_LIVE " RETURNING " NT_SHARE_COLUMNS};
const Sql kStop{"loc_share_stop",
                "UPDATE location_shares s SET is_active = false, ended_at = now() "
                "WHERE s.id = $1 AND s.user_id = $2 AND " NT_SHARE_LIVE " RETURNING " NT_SHARE_COLUMNS};
const Sql kExpire{"loc_share_expire",
                  "UPDATE location_shares s SET is_active = false, ended_at = s.expires_at "
                  "WHERE s.id IN (SELECT id FROM location_shares WHERE is_active "
                  "AND expires_at <= now() ORDER BY expires_at LIMIT 100 FOR UPDATE SKIP LOCKED) "
                  "RETURNING " NT_SHARE_COLUMNS};

Json opt_real(const PgResult& r, int row, int col) {
  return r.is_null(row, col) ? Json::null() : Json::real(std::stod(r.str(row, col)));
}

Json share_json(const PgResult& r, int i) {
  const std::optional<std::string> target = r.opt_str(i, 2);
  return Json::object()
      .set("id", r.i64(i, 0))
      .set("user_id", r.str(i, 1))
      .set("target_user_id", Json::str_or_null(target))
      .set("is_public", !target.has_value())
      .set("expires_at", Json::str_or_null(r.opt_time(i, 3)))
      .set("is_active", r.boolean(i, 4))
      .set("created_at", r.time(i, 5))
      .set("ended_at", Json::str_or_null(r.opt_time(i, 6)));
}

PgParam opt_num(const std::optional<double>& v) {
  if (!v) return std::nullopt;
  return std::to_string(*v);
}

// When the owner shares with the viewer: the start of the earliest live share (an empty
// string for the owner themself); nullopt when nothing is shared.
std::optional<std::string> visible_since(Deps& d, const std::string& viewer, const std::string& owner) {
  if (viewer == owner) return std::string();
  if (!is_uuid(owner)) return std::nullopt;
  const PgResult r = d.pg.exec(kShareStart, {owner, viewer});
  if (r.empty() || r.is_null(0, 0)) return std::nullopt;
  return r.str(0, 0);
}

void cache_location(Deps& d, const std::string& user_id, const Json& loc) {
  try {
    d.redis.command({"SET", key_location_cache(user_id), loc.dump(), "EX",
                     std::to_string(kLocationCacheTtlSeconds)});
  } catch (const std::exception& e) {
    log_warn("location cache: %s", e.what());
  }
}

std::optional<Json> cached_location(Deps& d, const std::string& user_id) {
  try {
    std::optional<std::string> text = d.redis.get(key_location_cache(user_id));
    if (!text) return std::nullopt;
    JsonParseError err;
    Json j = parse_json(*text, 8, false, &err);
    if (j && json_is_object(j.get())) return j;
  } catch (const std::exception& e) {
    log_warn("location cache: %s", e.what());
  }
  return std::nullopt;
}

// duration_minutes or duration_seconds (not both); nullopt = no expiry.
std::optional<int64_t> read_duration(FieldReader& f, bool required) {
  const auto minutes = f.integer("duration_minutes", false, 1, kMaxShareSeconds / 60);
  const auto seconds = f.integer("duration_seconds", false, 1, kMaxShareSeconds);
  if (minutes && seconds) f.add({"duration_seconds", "invalid_combination", {}});
  if (required && !minutes && !seconds && !f.has("duration_minutes") && !f.has("duration_seconds")) {
    f.add({"duration_minutes", "required", {}});
  }
  if (minutes) return *minutes * 60;
  return seconds;
}

void publish_share_event(Deps& d, const char* type, const PgResult& r, int i) {
  if (r.is_null(i, 2)) return;  // public shares have no one to tell
  publish_after_commit(d.redis, user_channel(r.str(i, 2)), bus_message(type, share_json(r, i)));
}

// Two digits at s[pos..pos+1] within [lo, hi].
bool two_digits_in(const std::string& s, size_t pos, int lo, int hi) {
  const int v = (s[pos] - '0') * 10 + (s[pos + 1] - '0');
  return v >= lo && v <= hi;
}

bool valid_rfc3339(const std::string& s) {
  static const std::regex kRe(
      R"(^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$)");
  if (!std::regex_match(s, kRe)) return false;
  if (!two_digits_in(s, 5, 1, 12) || !two_digits_in(s, 8, 1, 31) || !two_digits_in(s, 11, 0, 23) ||
      !two_digits_in(s, 14, 0, 59) || !two_digits_in(s, 17, 0, 60)) {
    return false;
  }
  const char last = s.back();
  if (last == 'Z' || last == 'z') return true;
  return two_digits_in(s, s.size() - 5, 0, 23) && two_digits_in(s, s.size() - 2, 0, 59);
}

// Runs `sql` (a statement returning NT_SHARE_COLUMNS of one share of `user_id`, or nothing)
// under the user's lock and, when it touched a public share, brings public_until up to date
// in the same transaction. 404 when it returned nothing.
PgResult change_share(Deps& d, const std::string& user_id, const Sql& sql,
                      const std::vector<PgParam>& params) {
  Tx tx(d.pg);
  lock_location_owner(d.pg, user_id);
  PgResult r = d.pg.exec(sql, params);
  if (r.empty()) throw ApiError(Err::kNotFound);
  if (r.is_null(0, 2)) d.pg.exec(kRefreshPublic, {user_id});
  tx.commit();
  return r;
}

}  // namespace

void lock_location_owner(Pg& pg, const std::string& user_id) {
  if (pg.exec(kLockOwner, {user_id}).empty()) throw ApiError(Err::kNotAuthenticated);  // gone
}

std::string key_location_cache(const std::string& user_id) {
  return "nerutalk:location_cache:" + user_id;
}

Json update_location(Deps& d, const std::string& user_id, const Json& body) {
  FieldReader f(body);
  const std::optional<LocationUpdate> u = read_location_update(f);
  f.done();
  Json loc;
  std::vector<BusMessage> events;
  GeofenceOutcome fences;
  {
    Tx tx(d.pg);
    lock_location_owner(d.pg, user_id);
    const PgResult prev = d.pg.exec(kPrevious, {user_id});
    const bool first = prev.is_null(0, 0);
    double meters = 0;
    if (!first) {
      meters = haversine_meters(std::stod(prev.str(0, 0)), std::stod(prev.str(0, 1)),
                                u->latitude, u->longitude);
    }
    const PgResult r = d.pg.exec(kInsertLocation,
                                 {user_id, coord_text(u->latitude), coord_text(u->longitude),
                                  opt_num(u->accuracy), opt_num(u->altitude), opt_num(u->speed),
                                  opt_num(u->heading), opt_num(meters), pg_bool(first)});
    loc = location_json(r, 0);
    if (prev.i64(0, 2) > 0) fences = evaluate_geofences(d, user_id, *u);
    for (int i = 0; i < r.rows(); ++i) {
      if (r.is_null(i, 9)) continue;  // no live targeted share
      Json data = loc.deep_copy();
      data.set("share_id", r.i64(i, 9));
      events.push_back({user_channel(r.str(i, 10)), bus_message("shared_location_update", data)});
    }
    tx.commit();
  }
  cache_location(d, user_id, loc);
  publish_after_commit(d.redis, events);
  deliver_geofence_outcome(d, user_id, fences);
  return loc;
}

Json current_location(Deps& d, const std::string& viewer_id, const std::string& owner_id) {
  if (!visible_since(d, viewer_id, owner_id)) throw ApiError(Err::kNotFound);
  if (std::optional<Json> cached = cached_location(d, owner_id)) return *cached;
  const PgResult r = d.pg.exec(kLatest, {owner_id});
  if (r.empty()) throw ApiError(Err::kNotFound);
  Json loc = location_json(r, 0);
  cache_location(d, owner_id, loc);
  return loc;
}

HistoryQuery parse_history_query(const std::optional<std::string>& from,
                                 const std::optional<std::string>& to, int64_t limit) {
  std::vector<FieldError> errors;
  if (from && !valid_rfc3339(*from)) errors.push_back({"from", "invalid_format", {}});
  if (to && !valid_rfc3339(*to)) errors.push_back({"to", "invalid_format", {}});
  if (!errors.empty()) throw ApiError(Err::kValidation, std::move(errors));
  return HistoryQuery{from, to, limit};
}

Json location_history(Deps& d, const std::string& viewer_id, const std::string& owner_id,
                      const HistoryQuery& q) {
  const std::optional<std::string> since = visible_since(d, viewer_id, owner_id);
  if (!since) throw ApiError(Err::kNotFound);
  const PgResult r = d.pg.exec(kHistory, {owner_id, since->empty() ? PgParam() : PgParam(*since),
                                          q.from ? PgParam(*q.from) : PgParam(),
                                          q.to ? PgParam(*q.to) : PgParam(), pg_int(q.limit)});
  Json list = Json::array();
  for (int i = 0; i < r.rows(); ++i) list.append(location_json(r, i));
  return Json::object().set("locations", list);
}

Json start_share(Deps& d, const std::string& user_id, const Json& body) {
  FieldReader f(body);
  std::optional<std::string> target;
  if (f.has("target_user_id")) {
    target = f.str("target_user_id", false, 0, 64);
    if (target) target = ascii_lower(*target);  // the self check below compares text
    if (target && !is_uuid(*target)) f.add({"target_user_id", "invalid_format", {}});
    if (target && *target == user_id) f.add({"target_user_id", "invalid_value", {}});
  }
  const std::optional<int64_t> seconds = read_duration(f, false);
  f.done();
  std::optional<std::string> sharer_name;
  if (target) {
    if (d.pg.exec(kUserName, {*target}).empty()) throw ApiError(Err::kNotFound);
    const PgResult me = d.pg.exec(kUserName, {user_id});
    if (!me.empty()) sharer_name = me.str(0, 0);
  }
  const PgResult r = change_share(d, user_id, kInsertShare,
                                 {user_id, target ? PgParam(*target) : PgParam(),
                                  seconds ? pg_int(*seconds) : PgParam()});
  publish_share_event(d, "location_share_start", r, 0);
  if (target) {
    queue_location_share_push(d, *target, r.i64(0, 0), user_id, sharer_name.value_or(""));
  }
  return share_json(r, 0);
}

Json list_shares(Deps& d, const std::string& user_id) {
  Json out = Json::array();
  Json in = Json::array();
  const PgResult o = d.pg.exec(kOutgoing, {user_id});
  for (int i = 0; i < o.rows(); ++i) out.append(share_json(o, i));
  const PgResult n = d.pg.exec(kIncoming, {user_id});
  for (int i = 0; i < n.rows(); ++i) in.append(share_json(n, i));
  return Json::object().set("outgoing", out).set("incoming", in);
}

Json update_share(Deps& d, const std::string& user_id, int64_t share_id, const Json& body) {
  FieldReader f(body);
  const std::optional<int64_t> seconds = read_duration(f, true);
  f.done();
  const PgResult r = change_share(d, user_id, kSetExpiry, {pg_int(share_id), user_id, pg_int(*seconds)});
  publish_share_event(d, "location_share_updated", r, 0);
  return share_json(r, 0);
}

void stop_share(Deps& d, const std::string& user_id, int64_t share_id) {
  const PgResult r = change_share(d, user_id, kStop, {pg_int(share_id), user_id});
  publish_share_event(d, "location_share_stop", r, 0);
}

int64_t expire_shares(Deps& d) {
  const PgResult r = d.pg.exec(kExpire);
  for (int i = 0; i < r.rows(); ++i) publish_share_event(d, "location_share_stop", r, i);
  return r.rows();
}

Json location_json(const PgResult& r, int i) {
  return Json::object()
      .set("id", r.i64(i, 0))
      .set("user_id", r.str(i, 1))
      .set("latitude", opt_real(r, i, 2))
      .set("longitude", opt_real(r, i, 3))
      .set("accuracy", opt_real(r, i, 4))
      .set("altitude", opt_real(r, i, 5))
      .set("speed", opt_real(r, i, 6))
      .set("heading", opt_real(r, i, 7))
      .set("created_at", r.time(i, 8));
}

}  // namespace nt
