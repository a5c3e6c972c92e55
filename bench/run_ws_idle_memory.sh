#!/usr/bin/env bash
# Starts a release stack (one realtime daemon) on free ports in a temporary folder and measures
# the daemon's resident memory per idle WebSocket connection (DESIGN.md §10: <= 4 KiB each at
# 10,000 connections) with bench/ws_idle_memory. Prints its raw line, then one line per metric.
# Loopback only; bounded by `timeout`; the stack is stopped and its folder removed on exit.
#
#   bench/run_ws_idle_memory.sh [USERS=100] [PER_USER=100] [HOLD_S=30]
#
# Limits, for 10,000 connections through nginx: each proxied WebSocket holds two nginx
# connections (client side and upstream side) in one worker, so NGINX_WORKER_CONNECTIONS is set
# to 32768 per worker and NGINX_WORKER_RLIMIT to 65536 descriptors; NGINX_CONN_PER_IP (one client
# address here) to 60000. This script raises its own descriptor limit (the client needs one per
# connection) and nt_start_stack raises the daemons'. Ports are not a limit: every connection
# has its own 4-tuple (client -> nginx and nginx -> daemon use different destination ports), so
# 10,000 fit in the default ephemeral range of about 28,000.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
source "$NT_ROOT/bench/bench_stack.sh"
cd "$NT_ROOT"
USERS="${1:-100}"
PER_USER="${2:-100}"
HOLD="${3:-30}"

bench_build_tools ws_idle_memory
bench_start_stack "NT_REALTIME_DAEMONS=1"
echo "bench: $USERS users x $PER_USER idle WebSockets, held ${HOLD}s, $(nproc) cores, fd limit $(ulimit -n)," \
  "ephemeral ports $(tr '\t' '-' </proc/sys/net/ipv4/ip_local_port_range)" >&2

out=$(timeout 420 "$BENCH_BUILD/bench/ws_idle_memory" --base "$BASE" --users "$USERS" \
  --per-user "$PER_USER" --hold "$HOLD" --pid-file "$STACK/run/realtime1.pid" \
  --nginx-pid-file "$STACK/run/nginx.pid" --max-seconds 400) || {
  status=$?; echo "$out"; nt_die "ws_idle_memory failed (status $status)"; }
echo "$out"
kv() { bench_kv "$out" "$1"; }
echo "ws_idle_memory connections:         $(kv connections) of $(kv asked) ($(kv open_failed) failed to open, $(kv closed_while_held) closed while held, $(kv pings_answered) server pings answered in $(kv held_s) s)"
echo "ws_idle_memory daemon RSS:          $(kv rss_before_kib) KiB before, $(kv rss_after_kib) KiB after (peak $(kv rss_peak_kib) KiB)"
echo "ws_idle_memory KiB per connection:  $(kv kib_per_connection) (target <= 4)"
echo "ws_idle_memory total RSS/conn:      $(kv total_kib_per_connection) KiB"
echo "ws_idle_memory nginx workers:       $(kv nginx_kib_per_connection) KiB per connection ($(kv nginx_workers_rss_before_kib) -> $(kv nginx_workers_rss_after_kib) KiB)"
