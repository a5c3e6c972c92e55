-- Location (issue 6, DESIGN.md §4.6): the current position of each user as one row, so that
-- nearby search, the stats and every update are answered from one indexed row instead of the
-- history.
-- * user_current_locations is written in the same transaction as each user_locations row
--   (common/location_service.cpp, update_location). total_updates, first_update_at and
--   distance_traveled_meters are lifetime counters: the history-retention job deletes old
--   user_locations rows but never lowers them.
-- * Nearby search (common/location_nearby.cpp) walks the GiST index on `xyz`, the position as
--   a unit vector (the `cube` extension, trusted, shipped with PostgreSQL): a box around the
--   centre bounds the walk, and ordering by the straight-line distance between unit vectors is
--   ordering by great-circle distance, so the nearest come first and the walk stops after a
--   page, whatever the radius and however dense the city.
-- * public_until is when the user's latest live public share ends ('infinity' for one without
--   an end, NULL for none), kept by the share code under the user's row lock, so nearby needs
--   no look-up in location_shares for the public case.
-- * user_locations_created serves the retention job (oldest rows first).
CREATE EXTENSION IF NOT EXISTS cube;

CREATE TABLE user_current_locations (
    user_id UUID PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    location_id BIGINT NOT NULL,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    accuracy DOUBLE PRECISION,
    altitude DOUBLE PRECISION,
    speed DOUBLE PRECISION,
    heading DOUBLE PRECISION,
    updated_at TIMESTAMPTZ NOT NULL,
    first_update_at TIMESTAMPTZ NOT NULL,
    total_updates BIGINT NOT NULL,
    distance_traveled_meters DOUBLE PRECISION NOT NULL DEFAULT 0,
    public_until TIMESTAMPTZ,
    xyz cube NOT NULL GENERATED ALWAYS AS (cube(ARRAY[
        cos(radians(latitude)) * cos(radians(longitude)),
        cos(radians(latitude)) * sin(radians(longitude)),
        sin(radians(latitude))])) STORED
);
CREATE INDEX user_current_locations_xyz ON user_current_locations USING gist (xyz);
CREATE INDEX user_locations_created ON user_locations (created_at);

-- Rows for positions stored before this migration: the latest fix, the count, the first time,
-- and the distance along the stored history (the same haversine as geo.cpp, 6,371,000 m).
WITH steps AS (
    SELECT user_id, id, created_at,
           latitude::float8 AS lat, longitude::float8 AS lon,
           lag(latitude::float8) OVER w AS plat, lag(longitude::float8) OVER w AS plon
    FROM user_locations WINDOW w AS (PARTITION BY user_id ORDER BY created_at, id)
), legs AS (
    SELECT user_id,
           count(*) AS n, min(created_at) AS first_at,
           coalesce(sum(2 * 6371000.0 * asin(least(1.0, sqrt(
               sin(radians(lat - plat) / 2) ^ 2 +
               cos(radians(plat)) * cos(radians(lat)) * sin(radians(lon - plon) / 2) ^ 2)))), 0) AS meters
    FROM steps GROUP BY user_id
)
INSERT INTO user_current_locations (user_id, location_id, latitude, longitude, accuracy, altitude,
                                    speed, heading, updated_at, first_update_at, total_updates,
                                    distance_traveled_meters)
SELECT DISTINCT ON (l.user_id) l.user_id, l.id, l.latitude, l.longitude, l.accuracy, l.altitude,
       l.speed, l.heading, l.created_at, g.first_at, g.n, g.meters
FROM user_locations l JOIN legs g ON g.user_id = l.user_id
ORDER BY l.user_id, l.created_at DESC, l.id DESC;

UPDATE user_current_locations c SET public_until = (
    SELECT max(coalesce(s.expires_at, 'infinity'::timestamptz)) FROM location_shares s
    WHERE s.user_id = c.user_id AND s.target_user_id IS NULL AND s.is_active
      AND (s.expires_at IS NULL OR s.expires_at > now()));
