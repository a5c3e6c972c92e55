#!/usr/bin/env bash
# Starts a release stack on free ports in a temporary folder and measures POST -> WebSocket
# arrival latency (DESIGN.md §10: 2,000 connected clients, 1,000 messages/s, p99 <= 50 ms) with
# bench/ws_delivery. Prints its raw line, then one line per metric. Loopback only; bounded by
# `timeout`; the stack is stopped and its folder removed on exit.
#
#   bench/run_ws_delivery.sh [CLIENTS=2000] [RATE=1000] [DURATION_S=20] [GROUP_SIZE=10]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
source "$NT_ROOT/bench/bench_stack.sh"
cd "$NT_ROOT"
CLIENTS="${1:-2000}"
RATE="${2:-1000}"
DURATION="${3:-20}"
GROUP_SIZE="${4:-10}"
[ "$CLIENTS" -ge 2000 ] || nt_die "CLIENTS must be at least 2000"

bench_build_tools ws_delivery
bench_start_stack
echo "bench: $CLIENTS WebSocket clients in groups of $GROUP_SIZE, $RATE messages/s for ${DURATION}s, $(nproc) cores" >&2

out=$(timeout 420 "$BENCH_BUILD/bench/ws_delivery" --base "$BASE" --clients "$CLIENTS" \
  --group-size "$GROUP_SIZE" --rate "$RATE" --duration "$DURATION" --max-seconds 400 \
  --daemon-pid-file "$STACK/run/realtime1.pid") || {
  status=$?; echo "$out"; nt_die "ws_delivery failed (status $status)"; }
echo "$out"
main=$(grep '^label=ws_delivery ' <<<"$out")
frames=$(grep '^label=ws_delivery_frames ' <<<"$out")
kv() { bench_kv "$main" "$1"; }
echo "ws_delivery clients:             $(kv clients) ($(kv ws_open_at_end) still open at the end)"
echo "ws_delivery messages sent:       $(kv messages_sent) of $(kv messages_planned) ($(kv post_errors) POST errors, POST p99 $(kv post_p99_ms) ms)"
echo "ws_delivery deliveries:          $(kv deliveries_received) received of $(kv deliveries_expected) expected ($(kv missing) missing, $(kv duplicates) duplicates)"
echo "ws_delivery messages/s:          $(kv messages_per_s) (asked for $RATE)"
echo "ws_delivery deliveries/s:        $(kv deliveries_per_s)"
echo "ws_delivery latency p50/p90/p99: $(kv p50_ms) / $(kv p90_ms) / $(kv p99_ms) ms, max $(kv max_ms) ms (target p99 <= 50 ms)"
echo "ws_delivery errors:              $(kv errors) (POST errors + missing + duplicates + unknown frames + closed sockets)"
echo "ws_delivery daemon CPU:          $(bench_kv "$frames" daemon_cpu_s) s while sending ($(bench_kv "$frames" daemon_cpu_share) of a core), $(bench_kv "$frames" daemon_us_per_frame) us per frame delivered"
echo "ws_delivery frames by type:      $(sed -E 's/^label=ws_delivery_frames //; s/ ?daemon_[a-z_]+=[^ ]*//g; s/^ //' <<<"$frames")"
