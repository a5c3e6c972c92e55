#!/usr/bin/env bash
# Starts a release stack on free ports in a temporary folder, stores 1,000,000 messages in one
# chat directly with SQL, and measures the history endpoint with bench/http_bench (DESIGN.md §10:
# 50 messages per page, 1M messages stored, >= 5,000 requests/s, p99 <= 20 ms): the latest page
# (no cursor) and a page deep in history (before_id at seq 500,001), and GET /profile as a
# baseline of the same run. Prints http_bench's lines, then one line per metric. Loopback only; the stack is stopped and its folder removed on exit.
#
#   bench/run_history_page.sh [DURATION_S=10] [CONNECTIONS=32] [MESSAGES=1000000]
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
source "$NT_ROOT/bench/bench_stack.sh"
cd "$NT_ROOT"
DURATION="${1:-10}"
CONNS="${2:-32}"
MESSAGES="${3:-1000000}"

bench_build_tools http_bench
bench_start_stack

json() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
register() {  # register NAME -> "user_id token"
  curl -sf -X POST "$BASE/api/v1/register" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"email\":\"$1@example.com\",\"password\":\"Bench123pass\"}" |
    json 'd["user"]["id"], d["access_token"]'
}
read -r U1 TOKEN <<<"$(register history_reader)"
read -r U2 _ <<<"$(register history_writer)"
CHAT=$(curl -sf -X POST "$BASE/api/v1/chats" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d "{\"chat_type\":\"private\",\"participant_ids\":[\"$U2\"]}" |
  json 'd["id"]')

# One statement, in one transaction. The foreign keys of the rows are valid by construction, so
# their per-row triggers are skipped (session_replication_role, superuser only) to stay well
# under two minutes; indexes are maintained as usual.
t0=$(date +%s.%N)
bench_psql -v chat="$CHAT" -v u1="$U1" -v u2="$U2" -v n="$MESSAGES" <<'SQL'
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO messages (chat_id, sender_id, seq, content, message_type, search_vector, created_at, updated_at)
SELECT :chat, CASE WHEN g % 2 = 0 THEN :'u1'::uuid ELSE :'u2'::uuid END, g,
       'history message ' || g || ': the quick brown fox jumps over the lazy dog',
       'text', NULL, ts, ts
FROM generate_series(1, :n) AS g, LATERAL (SELECT now() - (:n - g) * interval '1 second' AS ts) t;
UPDATE chats SET last_seq = :n, last_message_at = now() WHERE id = :chat;
COMMIT;
VACUUM ANALYZE messages;
SQL
t1=$(date +%s.%N)
STORED=$(bench_psql -tAc "SELECT count(*) FROM messages WHERE chat_id = $CHAT")
DEEP_ID=$(bench_psql -tAc "SELECT id FROM messages WHERE chat_id = $CHAT AND seq = $((MESSAGES / 2 + 1))")
INSERT_S=$(/usr/bin/python3 -c "print(f'{$t1 - $t0:.1f}')")

LATEST="/api/v1/chats/$CHAT/messages?limit=50"
DEEP="/api/v1/chats/$CHAT/messages?limit=50&before_id=$DEEP_ID"
# Both pages must be what a user would see: 50 messages, more before them.
for path in "$LATEST" "$DEEP"; do
  check=$(curl -sf "$BASE$path" -H "Authorization: Bearer $TOKEN" |
    json '"%d %s %d" % (len(d["messages"]), d["has_more"], d["messages"][-1]["seq"])')
  [ "${check%% *}" = 50 ] || nt_die "GET $path returned: $check"
  echo "check $path: messages, has_more, last seq = $check" >&2
done

run() {  # label path
  "$BENCH_BUILD/bench/http_bench" --url "$BASE$2" --header "Authorization: Bearer $TOKEN" \
    --connections "$CONNS" --threads 2 --duration "$DURATION" --warmup 2 --label "$1"
}
echo "bench: $STORED messages in chat $CHAT (inserted in ${INSERT_S}s), $CONNS connections, ${DURATION}s each, $(nproc) cores" >&2
latest=$(run history_latest "$LATEST"); echo "$latest"
deep=$(run history_deep "$DEEP"); echo "$deep"
# Same machine, same run: an authenticated one-row read, to tell the endpoint from the machine.
profile=$(run profile /api/v1/profile); echo "$profile"
echo "history_page messages stored:    $STORED (SQL insert ${INSERT_S} s)"
for line in "$latest" "$deep"; do
  echo "$(bench_kv "$line" label) requests/s:   $(bench_kv "$line" requests_per_s) (target >= 5000)"
  echo "$(bench_kv "$line" label) p99:          $(bench_kv "$line" p99_ms) ms (p50 $(bench_kv "$line" p50_ms) ms; target <= 20 ms)"
  echo "$(bench_kv "$line" label) errors:       $(bench_kv "$line" errors) errors, $(bench_kv "$line" non_2xx) non-2xx"
done
echo "history_page baseline:         GET /profile $(bench_kv "$profile" requests_per_s) requests/s, p99 $(bench_kv "$profile" p99_ms) ms" \
  "(latest page = $(/usr/bin/python3 -c "print(f'{$(bench_kv "$latest" requests_per_s) / $(bench_kv "$profile" requests_per_s):.0%}')") of it)"
