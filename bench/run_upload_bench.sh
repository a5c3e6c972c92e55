#!/usr/bin/env bash
# Upload throughput through nginx (issue 4): POST /api/v1/files/upload with multipart bodies
# sent again and again by bench/http_bench on keep-alive connections, against a release stack
# on free ports (local storage in its temporary folder). Three cases:
#   document_1mib  a 1 MiB PDF (sniff + store; no decode)
#   document_8mib  an 8 MiB PDF
#   photo_jpeg     a 2400x1600 JPEG with noise (header caps + thumbnail in the bounded child)
# Prints http_bench's lines, then per case uploads/s and MB/s (request body bytes, MB = 10^6),
# p50/p99 latency. Loopback only; the stack is stopped and its folder removed on exit.
#
#   bench/run_upload_bench.sh [DURATION_S=10] [CONNECTIONS=8]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
source "$NT_ROOT/bench/bench_stack.sh"
cd "$NT_ROOT"
DURATION="${1:-10}"
CONNS="${2:-8}"

bench_build_tools http_bench
bench_start_stack "USER_STORAGE_QUOTA_BYTES=1000000000000" "NGINX_UPLOAD_BODY_MAX=20m" \
  "MAX_FILE_SIZE=16777216"

TOKEN=$(curl -sf -X POST "$BASE/api/v1/register" -H 'Content-Type: application/json' \
  -d '{"username":"upload_bench","email":"upload_bench@example.com","password":"Bench123pass"}' |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

BODIES="$STACK/bodies"
mkdir -p "$BODIES"
/usr/bin/python3 - "$BODIES" "$NT_ROOT/tests/integration" <<'PY'
import os, random, sys
sys.path.insert(0, sys.argv[2])
import media  # libgd through ctypes, as the integration tests use it
out = sys.argv[1]
rnd = random.Random(7)
def write(name, filename, ctype, data):
    body, content_type = media.multipart([("file", filename, data, ctype)])
    open(os.path.join(out, name), "wb").write(body)
    open(os.path.join(out, name + ".type"), "w").write(content_type)
for name, size in (("document_1mib", 1 << 20), ("document_8mib", 8 << 20)):
    write(name, "report.pdf", "application/pdf", b"%PDF-1.4\n" + rnd.randbytes(size - 9))
write("photo_jpeg", "photo.jpg", "image/jpeg", media.noisy_jpeg(2400, 1600))
PY

echo "upload bench: $DURATION s per case, $CONNS connections" >&2
for case in document_1mib document_8mib photo_jpeg; do
  body="$BODIES/$case"
  bytes=$(stat -c %s "$body")
  out=$("$BENCH_BUILD/bench/http_bench" --url "$BASE/api/v1/files/upload" --method POST \
    --header "Authorization: Bearer $TOKEN" --header "Content-Type: $(cat "$body.type")" \
    --body-file "$body" --connections "$CONNS" --threads 2 --duration "$DURATION" --warmup 2 \
    --timeout 30 --label "$case")
  echo "$out"
  rps=$(bench_kv "$out" requests_per_s)
  non2xx=$(bench_kv "$out" non_2xx)
  /usr/bin/python3 -c "
import sys
rps, size = float('$rps'), int('$bytes')
print(f'$case: body {size / 1e6:.2f} MB, {rps:.1f} uploads/s, {rps * size / 1e6:.1f} MB/s, p50 $(bench_kv "$out" p50_ms) ms, p99 $(bench_kv "$out" p99_ms) ms, non-2xx $non2xx')
"
done
