#!/usr/bin/env bash
# Starts a release stack on free ports in a temporary folder and measures POST
# /api/v1/location/update through nginx with geofence evaluation on (issue 6): USERS users, each
# with FENCES circular geofences (100-400 m) seeded by SQL within about 900 m of their home, post
# the steps of random walks that keep crossing those fences (bench/location_update_bench.cpp).
# Then the same load with every fence deactivated, as the baseline of the same run. Prints the
# bench lines, then updates/s, p50/p99, and the entry/exit events the measured run recorded.
# Loopback only; the stack is stopped and its folder removed on exit.
#
#   bench/run_location_update_bench.sh [DURATION_S=10] [CONNECTIONS=32] [USERS=1000] [FENCES=10] [NOTIFY=true]
#
# NOTIFY=false seeds the fences with notify_on_entry/notify_on_exit off (no push rows queued).
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
source "$NT_ROOT/bench/bench_stack.sh"
cd "$NT_ROOT"
DURATION="${1:-10}"
CONNS="${2:-32}"
USERS="${3:-1000}"
FENCES="${4:-10}"
NOTIFY="${5:-true}"
[ "$NOTIFY" = true ] || [ "$NOTIFY" = false ] || nt_die "NOTIFY must be true or false"

bench_build_tools location_update_bench
bench_start_stack
BENCH="$BENCH_BUILD/bench/location_update_bench"
WALKERS="$STACK/walkers.tsv"

"$BENCH" register --base "$BASE" --users "$USERS" --users-file "$WALKERS"
# Fences around each walker's home; with NOTIFY=true each entry/exit queues a push (no device
# tokens are registered, so nothing is sent to FCM).
bench_psql -c "CREATE TABLE bench_walkers (user_id uuid, token text, lat float8, lon float8)"
bench_psql -c "\\copy bench_walkers FROM '$WALKERS'"
bench_psql -v fences="$FENCES" -v notify="$NOTIFY" <<'SQL'
INSERT INTO geofence_areas (user_id, name, center_latitude, center_longitude, radius_meters,
                           notify_on_entry, notify_on_exit)
SELECT w.user_id, 'fence ' || k,
       w.lat + (random() - 0.5) * 0.016,
       w.lon + (random() - 0.5) * 0.016 / cos(radians(w.lat)),
       100 + floor(random() * 301)::int, :notify, :notify
FROM bench_walkers w, generate_series(1, :fences) AS k;
DROP TABLE bench_walkers;
ANALYZE geofence_areas;
SQL
SEEDED=$(bench_psql -tAc "SELECT count(*) FROM geofence_areas WHERE is_active")

run() {  # label
  "$BENCH" run --base "$BASE" --users-file "$WALKERS" --connections "$CONNS" \
    --duration "$DURATION" --warmup 2 --label "$1"
}
count_events() { bench_psql -tAc "SELECT count(*) FILTER (WHERE event_type = 'entry') || ' ' || count(*) FILTER (WHERE event_type = 'exit') FROM geofence_events"; }

echo "bench: $USERS users, $SEEDED active geofences (notify $NOTIFY), $CONNS connections, ${DURATION}s each, $(nproc) cores" >&2
read -r E0 X0 <<<"$(count_events)"
fenced=$(run location_update_fences); echo "$fenced"
read -r E1 X1 <<<"$(count_events)"
STATES=$(bench_psql -tAc "SELECT count(*) FROM geofence_states")
bench_psql -c "UPDATE geofence_areas SET is_active = false"
plain=$(run location_update_no_fences); echo "$plain"
read -r E2 X2 <<<"$(count_events)"
[ "$E2" = "$E1" ] && [ "$X2" = "$X1" ] || nt_die "events were recorded without active fences"

echo "location_update with fences:  $(bench_kv "$fenced" requests_per_s) updates/s, p50 $(bench_kv "$fenced" p50_ms) ms, p99 $(bench_kv "$fenced" p99_ms) ms ($(bench_kv "$fenced" non_2xx) non-2xx, $(bench_kv "$fenced" errors) errors)"
echo "location_update events:       $((E1 - E0)) entries, $((X1 - X0)) exits recorded during the run (warm-up included); $STATES fence states stored"
echo "location_update no fences:    $(bench_kv "$plain" requests_per_s) updates/s, p50 $(bench_kv "$plain" p50_ms) ms, p99 $(bench_kv "$plain" p99_ms) ms" \
  "(with fences = $(/usr/bin/python3 -c "print(f'{$(bench_kv "$fenced" requests_per_s) / $(bench_kv "$plain" requests_per_s):.0%}')") of it)"
