"""Server heartbeats (DESIGN.md §5, RELIABILITY F9): the daemon pings every
WS_PING_INTERVAL_SECONDS and drops a connection that stays silent past
WS_PONG_TIMEOUT_SECONDS, and presence follows. Daemon 3 of the test stack runs with a 1 s
ping and a 4 s timeout (scripts/test), so these tests take seconds, not minutes."""
import time

from conftest import api, register, ws_close_quietly, ws_next, ws_open, ws_send_json, ws_wait_for

NODE = 3  # the short-heartbeat daemon


def _is_online(viewer, user_id):
    r = api("GET", "users/" + user_id, token=viewer.access)
    assert r.status_code == 200, r.text
    return r.json()["is_online"]


def test_connected_announces_the_heartbeat_interval():
    u = register()
    ws, hello = ws_open(u.access, node=NODE)
    try:
        assert hello["data"]["heartbeat_seconds"] == 1
    finally:
        ws_close_quietly(ws)


def test_a_client_that_answers_pings_stays_connected():
    u = register()
    ws, _ = ws_open(u.access, node=NODE)
    try:
        # Read (and so answer the server's pings) for longer than the 4 s timeout.
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            got = ws_next(ws, 0.5)
            assert got[0] == "timeout", got  # nothing but pings arrives; no close
        ws_send_json(ws, {"type": "ping", "id": "still-here"})
        got = ws_wait_for(ws, lambda f: f[0] == "text" and f[1]["type"] == "pong", 3)
        assert got[0] == "text" and got[1]["data"]["id"] == "still-here", got
    finally:
        ws_close_quietly(ws)


def test_a_silent_client_is_dropped_and_goes_offline():
    u = register()
    viewer = register()
    ws, _ = ws_open(u.access, node=NODE)
    try:
        deadline = time.monotonic() + 5
        while not _is_online(viewer, u.id):
            assert time.monotonic() < deadline, "never shown online"
            time.sleep(0.05)
        # Not reading means never answering a ping: the daemon must hang up by itself.
        time.sleep(6)
        got = ws_wait_for(ws, lambda f: f[0] in ("close", "eof"), 3)
        assert got[0] in ("close", "eof"), got
        deadline = time.monotonic() + 5
        while _is_online(viewer, u.id):
            assert time.monotonic() < deadline, "still online after the connection was dropped"
            time.sleep(0.05)
    finally:
        ws_close_quietly(ws)
