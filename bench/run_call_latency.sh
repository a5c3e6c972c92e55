#!/usr/bin/env bash
# Call initiate -> `call_initiated` arrival latency (issue 5) against a release stack on free
# ports (bench/bench_stack.sh): bench/call_latency.py makes CALLS sequential calls between
# PAIRS pairs of users and prints p50/p90/p99/max. Loopback only; the stack is removed on exit.
#
#   bench/run_call_latency.sh [CALLS=300] [PAIRS=20]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
source "$NT_ROOT/bench/bench_stack.sh"
cd "$NT_ROOT"
bench_start_stack "AGORA_APP_ID=970CA35de60c44645bbae8a215061b33" \
  "AGORA_APP_CERTIFICATE=5CFd2fd1755d40ecb72977518be15d3b"
/usr/bin/python3 "$NT_ROOT/bench/call_latency.py" "$BASE" "${1:-300}" "${2:-20}"
