#!/usr/bin/env bash
# Starts a release stack on free ports in a temporary folder, stores 100,000 users with current
# positions spread over a 30 km square around Jakarta directly with SQL (most with a public
# share, some targeted to others or to the caller, some not sharing), and measures
# GET /api/v1/location/nearby through nginx with bench/http_bench from random centres in that
# square (DESIGN.md §10: nearby users, 100,000 positioned users, p99 <= 5 ms): at radius 1000 m,
# and at 5000 m and 50,000 m (at 50 km every user is in the circle; the index walk still stops
# after the page). GET /profile is measured in the same run as a baseline. Prints the query
# plans of the nearby statement (EXPLAIN ANALYZE, radius 1000 m and 50 km) on stderr,
# http_bench's lines, then one line per metric. Loopback only; the stack is stopped and its folder removed on exit.
#
#   bench/run_nearby_bench.sh [DURATION_S=10] [CONNECTIONS=16] [USERS=100000]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
source "$NT_ROOT/bench/bench_stack.sh"
cd "$NT_ROOT"
DURATION="${1:-10}"
CONNS="${2:-16}"
USERS="${3:-100000}"
# The city: a square of 30 km around central Jakarta (half-widths in degrees).
LAT=-6.2088
LON=106.8456
HALF_LAT=0.1349  # 15 km / 111.19 km per degree
HALF_LON=0.1357  # 15 km / (111.19 km x cos 6.2 degrees)

bench_build_tools http_bench
bench_start_stack

json() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
read -r ME TOKEN <<<"$(curl -sf -X POST "$BASE/api/v1/register" -H 'Content-Type: application/json' \
  -d '{"username":"nearby_caller","email":"nearby_caller@example.com","password":"Bench123pass"}' |
  json 'd["user"]["id"], d["access_token"]')"

# Users, one history row each, their current positions and shares, in one transaction. The
# foreign keys are valid by construction, so their per-row triggers are skipped
# (session_replication_role, superuser only); indexes are maintained as usual.
# Shares: 80% public, 10% targeted to another seeded user, 2% to the caller, 8% none.
t0=$(date +%s.%N)
bench_psql -v n="$USERS" -v me="$ME" -v lat="$LAT" -v lon="$LON" -v hlat="$HALF_LAT" \
  -v hlon="$HALF_LON" <<'SQL'
BEGIN;
SET LOCAL session_replication_role = replica;
\o /dev/null
SELECT setseed(0.42);
\o
CREATE TEMP TABLE seed ON COMMIT DROP AS
SELECT g, gen_random_uuid() AS id,
       :lat + (random() * 2 - 1) * :hlat AS lat, :lon + (random() * 2 - 1) * :hlon AS lon,
       random() AS pick
FROM generate_series(1, :n) AS g;
INSERT INTO users (id, username, email, password_hash, display_name)
SELECT id, 'near_' || g, 'near_' || g || '@example.com', 'x', 'Nearby ' || g FROM seed;
WITH l AS (
  INSERT INTO user_locations (user_id, latitude, longitude, accuracy)
  SELECT id, round(lat::numeric, 7), round(lon::numeric, 7), 10 FROM seed
  RETURNING id, user_id, latitude, longitude, accuracy, created_at)
INSERT INTO user_current_locations (user_id, location_id, latitude, longitude, accuracy, updated_at,
                                    first_update_at, total_updates, distance_traveled_meters)
SELECT user_id, id, latitude, longitude, accuracy, created_at, created_at, 1, 0 FROM l;
INSERT INTO location_shares (user_id, target_user_id)
SELECT s.id, CASE WHEN s.pick < 0.80 THEN NULL
                  WHEN s.pick < 0.90 THEN t.id ELSE :'me'::uuid END
FROM seed s JOIN seed t ON t.g = 1 + s.g % :n WHERE s.pick < 0.92;
-- What the share code keeps for a public share without an end (location_service.cpp).
UPDATE user_current_locations c SET public_until = 'infinity' FROM seed s
WHERE s.id = c.user_id AND s.pick < 0.80;
COMMIT;
VACUUM ANALYZE users;
VACUUM ANALYZE user_locations;
VACUUM ANALYZE user_current_locations;
VACUUM ANALYZE location_shares;
SQL
t1=$(date +%s.%N)
INSERT_S=$(/usr/bin/python3 -c "print(f'{$t1 - $t0:.1f}')")
POSITIONED=$(bench_psql -tAc "SELECT count(*) FROM user_current_locations")
SHARING=$(bench_psql -tAc "SELECT count(DISTINCT user_id) FROM location_shares WHERE is_active")

# The plan of the nearby statement the API prepares (common/location_nearby.cpp kNearby), for
# a 1000 m and a 50 km circle at the centre: an ordered walk of the GiST index on xyz that stops
# after a page.
echo "plan of the nearby query (prepared as the API does):" >&2
bench_psql -v me="$ME" -v lat="$LAT" -v lon="$LON" >&2 <<'SQL'
PREPARE near(uuid, cube, float8, int) AS
SELECT c.user_id FROM user_current_locations c JOIN users u ON u.id = c.user_id
LEFT JOIN user_settings s ON s.user_id = u.id
WHERE c.xyz <@ cube_enlarge($2, $3, 3) AND c.user_id <> $1 AND u.is_active
  AND (c.public_until > now() OR EXISTS (SELECT 1 FROM location_shares s
       WHERE s.user_id = c.user_id AND s.target_user_id = $1 AND s.is_active
         AND (s.expires_at IS NULL OR s.expires_at > now())))
ORDER BY c.xyz <-> $2 LIMIT $4;
SELECT cube(ARRAY[cos(radians(:lat)) * cos(radians(:lon)), cos(radians(:lat)) * sin(radians(:lon)),
                  sin(radians(:lat))]) AS centre \gset
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE near(:'me', :'centre', 2 * sin(1000 / 6371000.0 / 2), 50);
EXPLAIN (ANALYZE, COSTS OFF) EXECUTE near(:'me', :'centre', 2 * sin(50000 / 6371000.0 / 2), 50);
SQL

# Random centres inside the city, one file per radius; requests take them in turn.
PATHS="$STACK/paths"
mkdir -p "$PATHS"
for radius in 1000 5000 50000; do
  /usr/bin/python3 - "$radius" "$LAT" "$LON" "$HALF_LAT" "$HALF_LON" >"$PATHS/$radius" <<'PY'
import random, sys
radius, lat, lon, hlat, hlon = int(sys.argv[1]), *map(float, sys.argv[2:])
rnd = random.Random(radius)
for _ in range(5000):
    print("/api/v1/location/nearby?radius_meters=%d&limit=50&latitude=%.6f&longitude=%.6f"
          % (radius, lat + rnd.uniform(-hlat, hlat), lon + rnd.uniform(-hlon, hlon)))
PY
done

# What a user sees must be right before it is timed: 50 users, nearest first, within the radius.
check=$(curl -sf "$BASE$(head -1 "$PATHS/1000")" -H "Authorization: Bearer $TOKEN" |
  json '"%d users, %.1f..%.1f m" % (len(d["users"]), d["users"][0]["distance_meters"], d["users"][-1]["distance_meters"]) if d["users"] else "0 users"')
echo "check radius 1000: $check" >&2
curl -sf "$BASE$(head -1 "$PATHS/1000")" -H "Authorization: Bearer $TOKEN" | /usr/bin/python3 -c '
import json, sys
u = json.load(sys.stdin)["users"]
dist = [x["distance_meters"] for x in u]
assert dist == sorted(dist) and all(x <= 1000 for x in dist) and len(u) == 50, dist' ||
  nt_die "GET /location/nearby did not return 50 users nearest first within 1000 m"

run() {  # label paths_file [connections]
  "$BENCH_BUILD/bench/http_bench" --url "$BASE/api/v1/location/nearby" --paths-file "$2" \
    --header "Authorization: Bearer $TOKEN" --connections "${3:-$CONNS}" --threads 2 \
    --duration "$DURATION" --warmup 2 --label "$1"
}
echo "bench: $POSITIONED positioned users ($SHARING sharing) in a 30 km square around Jakarta (inserted in ${INSERT_S}s), $CONNS connections, ${DURATION}s each, $(nproc) cores" >&2
# One connection: the latency of one request on an otherwise idle stack.
single=$(run nearby_1km_1conn "$PATHS/1000" 1); echo "$single"
r1000=$(run nearby_1km "$PATHS/1000"); echo "$r1000"
r5000=$(run nearby_5km "$PATHS/5000"); echo "$r5000"
r50000=$(run nearby_50km "$PATHS/50000"); echo "$r50000"
profile=$("$BENCH_BUILD/bench/http_bench" --url "$BASE/api/v1/profile" \
  --header "Authorization: Bearer $TOKEN" --connections "$CONNS" --threads 2 \
  --duration "$DURATION" --warmup 2 --label profile); echo "$profile"
echo "nearby positioned users:     $POSITIONED ($SHARING sharing; SQL insert ${INSERT_S} s)"
for line in "$single" "$r1000" "$r5000" "$r50000"; do
  echo "$(bench_kv "$line" label) requests/s:  $(bench_kv "$line" requests_per_s)"
  echo "$(bench_kv "$line" label) latency:     p50 $(bench_kv "$line" p50_ms) ms, p99 $(bench_kv "$line" p99_ms) ms, max $(bench_kv "$line" max_ms) ms ($(bench_kv "$line" connections) connections; target p99 <= 5 ms at 1 km)"
  echo "$(bench_kv "$line" label) errors:      $(bench_kv "$line" errors) errors, $(bench_kv "$line" non_2xx) non-2xx"
done
echo "nearby baseline:             GET /profile $(bench_kv "$profile" requests_per_s) requests/s, p99 $(bench_kv "$profile" p99_ms) ms"
