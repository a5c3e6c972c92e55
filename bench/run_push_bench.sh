#!/usr/bin/env bash
# Push throughput end to end (issue 5): admin sends queue PUSHES push_notifications rows (one per
# device token) with their Redis Stream jobs, and the realtime daemons' senders post each one to
# the FCM + OAuth stand-in (tests/integration/standins/fcm_standin.py, which verifies the RS256
# service-account JWT and every request body). Prints the time to queue, jobs/s from the first
# queue request to the last FCM request the stand-in received, and the count the stand-in saw
# (every row exactly once). Release stack on free ports in a temporary folder, loopback only;
# everything is stopped and removed on exit.
#
#   bench/run_push_bench.sh [PUSHES=4000] [CONSUMERS=1] [DAEMONS=2]
#
# CONSUMERS is PUSH_CONSUMERS (senders per daemon, each on its own worker thread). PUSHES is at
# most 4500: the stand-in keeps its last 5000 requests.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
source "$NT_ROOT/bench/bench_stack.sh"
cd "$NT_ROOT"
PUSHES="${1:-4000}"
CONSUMERS="${2:-1}"
DAEMONS="${3:-2}"
[ "$PUSHES" -ge 1000 ] && [ "$PUSHES" -le 4500 ] && [ $((PUSHES % 1000)) = 0 ] ||
  nt_die "PUSHES must be a multiple of 1000 between 1000 and 4500"

FCMDIR=$(mktemp -d /tmp/nerutalk-bench-fcm.XXXXXX)
FCM_PORT=$(nt_free_port)
nt_fcm_standin_start "$FCMDIR" "$FCM_PORT" || nt_die "the FCM stand-in did not start"
trap 'nt_standin_stop "$FCMDIR" fcm; rm -rf "$FCMDIR"' EXIT
bench_start_stack "FCM_SERVICE_ACCOUNT_FILE=$FCMDIR/fcm/service-account.json" \
  "FCM_BASE_URL=http://127.0.0.1:$FCM_PORT" "FCM_OAUTH_URL=http://127.0.0.1:$FCM_PORT/token" \
  "PUSH_CONSUMERS=$CONSUMERS" "NT_REALTIME_DAEMONS=$DAEMONS" "PUSH_POLL_INTERVAL_MS=50"
trap 'bench_cleanup; nt_standin_stop "$FCMDIR" fcm; rm -rf "$FCMDIR"' EXIT

echo "push bench: $PUSHES pushes, $DAEMONS daemons x $CONSUMERS senders" >&2
/usr/bin/python3 - "$BASE" "http://127.0.0.1:$FCM_PORT" "$PUSHES" "$STACK/run" "$PG_PORT" <<'PY'
import subprocess, sys, time, uuid
import requests
base, fcm, pushes, pg_dir, pg_port = sys.argv[1] + "/api/v1", sys.argv[2], int(sys.argv[3]), \
    sys.argv[4], sys.argv[5]
s = requests.Session()


def register():
    name = "pb" + uuid.uuid4().hex[:14]
    r = s.post(base + "/register", json={"username": name, "email": name + "@example.com",
                                         "password": "Bench123pass"})
    r.raise_for_status()
    return r.json()["access_token"], r.json()["user"]["id"]


def sends():
    return [q for q in s.get(fcm + "/_standin/requests").json() if q["kind"] == "send"]


def send_count():  # cheap to poll: the stand-in's counters, not its log
    return s.get(fcm + "/_standin/stats").json()["sends"]


admin, admin_id = register()
subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-h", pg_dir, "-p", pg_port,
                "-d", "nerutalk", "-c", "UPDATE users SET is_admin = true WHERE id = '%s'" % admin_id],
               check=True)
users = []
for _ in range(50):  # 50 users x 20 devices: 1000 rows per admin send
    token, uid = register()
    for _ in range(20):
        s.post(base + "/push-notifications/device-tokens", headers={"Authorization": "Bearer " + token},
               json={"token": "bench-" + uuid.uuid4().hex, "device_type": "android"}).raise_for_status()
    users.append(uid)
# One push first: the senders' OAuth token is fetched (once per process) outside the timing.
s.post(base + "/push-notifications/send", headers={"Authorization": "Bearer " + admin},
       json={"user_ids": users[:1], "title": "warm-up", "body": "x"}).raise_for_status()
deadline = time.time() + 30
while send_count() < 20 and time.time() < deadline:
    time.sleep(0.05)
before = send_count()

t0 = time.time()
for i in range(pushes // 1000):
    r = s.post(base + "/push-notifications/send", headers={"Authorization": "Bearer " + admin},
               json={"user_ids": users, "title": "Bench %d" % i, "body": "push bench"})
    r.raise_for_status()
    assert r.json()["queued"] == 1000, r.text
t_queued = time.time()
deadline = time.time() + 600
while send_count() - before < pushes and time.time() < deadline:
    time.sleep(0.1)
got = sends()[before:]
ids = {q["body"]["message"]["data"]["notification_id"] for q in got}
last = max(q["time"] for q in got)
print("queued %d pushes in %.2f s (%.0f rows/s)" % (pushes, t_queued - t0, pushes / (t_queued - t0)))
print("push_jobs_per_s=%.0f pushes=%d seconds=%.2f fcm_requests=%d distinct_rows=%d statuses=%s"
      % (pushes / (last - t0), pushes, last - t0, len(got), len(ids),
         sorted({q["status"] for q in got})))
PY
