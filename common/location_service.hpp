// Location sharing (DESIGN.md §4.6): the updates, current positions, history and shares that
// both doors use (REST /location/* and the WebSocket events location_update,
// location_share_start, location_share_stop) and the share-expiry job. Postgres is the truth
// (user_locations, location_shares); the latest position is also cached in Redis
// (nerutalk:location_cache:{user_id}, JSON with a TTL), a hint only. Someone else's location
// is visible only while an active, unexpired share from them to the caller (or a public one)
// exists; otherwise it is 404, as if it did not exist. Events go to user channels after the
// commit. Throws ApiError, DbUnavailable, DbError.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "app_deps.hpp"
#include "json.hpp"
#include "pg.hpp"

namespace nt {

// How long the Redis copy of a current position lives.
inline constexpr int64_t kLocationCacheTtlSeconds = 24 * 3600;
// Bounds of a share's duration (duration_minutes, or duration_seconds for short shares).
inline constexpr int64_t kMaxShareSeconds = 7 * 24 * 3600;

std::string key_location_cache(const std::string& user_id);

// Inside a transaction: takes the row lock on the user that serializes everything their
// location state hangs on (updates, shares and geofence changes), so none of them interleave.
// Read what depends on it in a LATER statement: in READ COMMITTED a statement that waited for
// the lock still reads other rows as of its own start. 401 when the account is gone.
void lock_location_owner(Pg& pg, const std::string& user_id);

// A share row `s` of location_shares is live while active and not past its expiry (it counts
// only until it expires, even before the expiry job has ended it).
#define NT_SHARE_LIVE "s.is_active AND (s.expires_at IS NULL OR s.expires_at > now())"

// The columns of user_current_locations `c` that location_json() reads (9, from column 0).
#define NT_CURRENT_LOC_COLUMNS                                                                \
  "c.location_id, c.user_id, c.latitude, c.longitude, c.accuracy, c.altitude, c.speed, "    \
  "c.heading, " NT_SQL_EPOCH_MS("c.updated_at")

// The location object of the API ({id, user_id, latitude, longitude, accuracy, altitude,
// speed, heading, created_at}) from columns 0..8 of row `i` (NT_CURRENT_LOC_COLUMNS, or the
// same columns of a user_locations row).
Json location_json(const PgResult& r, int i);

// POST /location/update and WS location_update: validates `body` (422); in one transaction
// (holding the user's row lock, so one user's updates never interleave) stores the history
// row, the current position with its lifetime counters, and the geofence states and events
// (geofence_service.hpp); after the commit refreshes the cache, sends shared_location_update
// to the target of every active targeted share and the geofence events and pushes. Returns
// the stored location.
Json update_location(Deps& d, const std::string& user_id, const Json& body);

// GET /location/current[/{user_id}]: the latest position; 404 when there is none or when
// `owner_id` is someone else who does not share with `viewer_id`.
Json current_location(Deps& d, const std::string& viewer_id, const std::string& owner_id);

struct HistoryQuery {
  std::optional<std::string> from;  // RFC 3339, validated by parse_history_query
  std::optional<std::string> to;
  int64_t limit = 50;  // already capped (the API's paging rules)
};
// Checks ?from=&to= (422 invalid_format unless RFC 3339 with a zone, e.g.
// 2026-11-21T08:00:00Z or 2026-11-21T09:00:00.5+01:00).
HistoryQuery parse_history_query(const std::optional<std::string>& from,
                                 const std::optional<std::string>& to, int64_t limit);
// GET /location/history[/{user_id}]: {locations: [...]}, newest first; someone else's only
// from the start of the earliest active share with the viewer (404 without one).
Json location_history(Deps& d, const std::string& viewer_id, const std::string& owner_id,
                      const HistoryQuery& q);

// POST /location/shares and WS location_share_start: `body` is {target_user_id? (absent or
// null = public), duration_minutes? | duration_seconds?}. Returns the share.
Json start_share(Deps& d, const std::string& user_id, const Json& body);
// GET /location/shares: {outgoing, incoming} active shares.
Json list_shares(Deps& d, const std::string& user_id);
// PUT /location/shares/{id}: {duration_minutes | duration_seconds}, counted from now.
Json update_share(Deps& d, const std::string& user_id, int64_t share_id, const Json& body);
// DELETE /location/shares/{id} and WS location_share_stop: the owner ends an active share.
void stop_share(Deps& d, const std::string& user_id, int64_t share_id);

// The expiry job: ends shares past their expires_at and tells their targets. Returns how
// many ended. Safe with several daemons running it (SKIP LOCKED).
int64_t expire_shares(Deps& d);

}  // namespace nt
