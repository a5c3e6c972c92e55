"""Losing Postgres fails requests cleanly and the workers come back by themselves
(DESIGN.md §7, RELIABILITY FI-4): while Postgres is down an authenticated request gets a 503
with the JSON error body (never a hang or a 500), and once it is back the same worker threads
reconnect, prepare their statements again and answer 200 — no restart of the API."""
import subprocess
import time

from conftest import NT_ROOT, STACK_DIR, api, assert_error, env_setting, register


def _pg(action):
    port = env_setting("NT_PG_PORT")
    fsync = env_setting("NT_PG_FSYNC", "on")
    cmd = {"stop": f"nt_pg_stop {STACK_DIR} fast",
           "start": f"nt_pg_start {STACK_DIR} {port} {fsync}"}[action]
    subprocess.run(["bash", "-c", f"source {NT_ROOT}/scripts/lib.sh && {cmd}"], check=True,
                   timeout=90)


def _wait_ready(deadline_s=30):
    deadline = time.time() + deadline_s
    while time.time() < deadline:
        if api("GET", "/health/ready").status_code == 200:
            return
        time.sleep(0.2)
    raise AssertionError("stack not ready again within %ds" % deadline_s)


def test_postgres_restart_gives_503_then_recovers_without_restarting_workers():
    user = register()
    # Warm every worker thread so each holds a Postgres connection that the restart breaks.
    for _ in range(40):
        assert api("GET", "profile", token=user.access).status_code == 200
    _pg("stop")
    try:
        for _ in range(5):
            r = api("GET", "profile", token=user.access)
            assert_error(r, 503, "service_unavailable")
            assert r.headers.get("Retry-After")
        assert_error(api("GET", "/health/ready"), 503, "service_unavailable")
        # Liveness does not depend on Postgres.
        assert api("GET", "/health").status_code == 200
    finally:
        _pg("start")
    _wait_ready()
    for _ in range(40):
        r = api("GET", "profile", token=user.access)
        assert r.status_code == 200, r.text
        assert r.json()["id"] == user.id
    # Writes work again too (a new session row through a re-prepared statement).
    fresh = register()
    assert api("GET", "profile", token=fresh.access).json()["username"] == fresh.username
