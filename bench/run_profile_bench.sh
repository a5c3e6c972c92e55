#!/usr/bin/env bash
# Starts a release stack on free ports in a temporary folder and measures, through nginx:
#   nginx's own `return 200` (/nginx-health), GET /health (nginx -> FastCGI), and
#   authenticated GET /api/v1/profile (JWT + one indexed read).
# Prints one line per endpoint and the ratios DESIGN.md §10 asks about. Loopback only.
#
#   bench/run_profile_bench.sh [DURATION_S=10] [CONNECTIONS=64]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
source "$NT_ROOT/bench/bench_stack.sh"
cd "$NT_ROOT"
DURATION="${1:-10}"
CONNS="${2:-64}"

bench_start_stack "API_THREADS=${API_THREADS:-48}" "NGINX_WORKERS=${NGINX_WORKERS:-2}" \
  "NGINX_API_KEEPALIVE=${NGINX_API_KEEPALIVE:-8}"

TOKEN=$(curl -sf -X POST "$BASE/api/v1/register" -H 'Content-Type: application/json' \
  -d '{"username":"bench_user","email":"bench@example.com","password":"Bench123pass"}' |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

run() {  # label path [header]
  local out
  out=$("$NT_ROOT/build/bench/http_bench" --url "$BASE$2" ${3:+--header "$3"} \
    --connections "$CONNS" --threads 2 --duration "$DURATION" --warmup 2 --label "$1")
  echo "$out" >&2
  echo "$out" | sed -E 's/.*requests_per_s=([0-9.]+).*/\1/'
}
echo "bench: $CONNS connections, ${DURATION}s each, $(nproc) cores" >&2
nginx_rps=$(run nginx_return_200 /nginx-health)
health_rps=$(run health_fastcgi /health)
profile_rps=$(run profile "/api/v1/profile" "Authorization: Bearer $TOKEN")
/usr/bin/python3 - "$nginx_rps" "$health_rps" "$profile_rps" <<'PY'
import sys
n, h, p = map(float, sys.argv[1:])
print(f"ratio health/nginx_return_200 = {h / n:.1%}  (target >= 40%)")
print(f"ratio profile/health          = {p / h:.1%}  (target >= 80%)")
PY
