"""Throttling and Redis failure (RELIABILITY §2 A9, G1, G8; DESIGN.md §4.1, §5, §6).

Settings of the test stack: LOGIN_RATE_PER_IP=200 per 60 s, LOGIN_RATE_PER_ACCOUNT=5 failed
logins per 60 s. The per-IP test sends from a random loopback address other than 127.0.0.1,
so it neither disturbs the rest of the suite nor depends on earlier runs.
"""
import http.client
import json
import random
import time
from concurrent.futures import ThreadPoolExecutor

import requests
import websocket

from conftest import (BASE_URL, HOST, PORT, api, assert_error, auth, env_setting, login,
                      register, unique_name, wait_until, ws_open, ws_send_json,
                      ws_wait_type)


def test_a9_sixth_failed_login_for_one_account_is_429():
    u = register()
    for i in range(5):
        assert_error(login(u.username, "Wrong%dPassword" % i), 401, "invalid_credentials")
    r = login(u.username, "Wrong9Password")
    body = assert_error(r, 429, "rate_limited")
    retry = int(r.headers["Retry-After"])
    assert 1 <= retry <= 60, retry
    assert body["detail"] == "Too many requests. Please try again later."
    # Other accounts from the same address are not affected.
    other = register()
    assert login(other.username, other.password).status_code == 200


def test_a9_account_throttle_covers_every_identifier_of_the_account():
    # The limit is per account: switching from the username to the email (or the case of
    # either) must not buy another 5 guesses.
    u = register()
    for i in range(5):
        assert_error(login(u.username, "Wrong%dPassword" % i), 401, "invalid_credentials")
    assert_error(login(u.email.upper(), "Wrong9Password", field="email"), 429, "rate_limited")
    assert_error(login(u.email, "Wrong9Password", field="username"), 429, "rate_limited")


def test_a9_successful_logins_do_not_count_against_the_account():
    u = register()
    for _ in range(3):
        assert login(u.username, u.password).status_code == 200
    for i in range(4):
        assert_error(login(u.username, "Wrong%dPassword" % i), 401, "invalid_credentials")
    assert login(u.username, u.password).status_code == 200


def test_change_password_wrong_current_is_throttled():
    u = register()
    for i in range(5):
        r = api("POST", "change-password", token=u.access,
                json_body={"current_password": "Wrong%dPassword" % i,
                           "new_password": "Another2Horse"})
        assert_error(r, 403, "wrong_password")
    r = api("POST", "change-password", token=u.access,
            json_body={"current_password": "Wrong9Password", "new_password": "Another2Horse"})
    assert_error(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) >= 1


def test_a9_per_ip_login_throttle():
    limit = int(env_setting("LOGIN_RATE_PER_IP", "200"))
    source = "127.%d.%d.%d" % (random.randint(1, 254), random.randint(0, 254),
                               random.randint(1, 254))
    conn = http.client.HTTPConnection(HOST, PORT, timeout=10, source_address=(source, 0))
    statuses = []
    last = None
    try:
        for i in range(limit + 1):
            # Unknown names, all different: only the per-IP counter can trip.
            body = json.dumps({"username": unique_name("ip"), "password": "Wrong1Password"})
            conn.request("POST", "/api/v1/login", body=body,
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            data = resp.read()
            statuses.append(resp.status)
            last = (resp.status, dict((k.lower(), v) for k, v in resp.getheaders()), data)
            if resp.status == 429:
                break
    finally:
        conn.close()
    assert statuses[:limit] == [401] * limit, statuses[-5:]
    status, headers, data = last
    assert status == 429 and len(statuses) == limit + 1, statuses[-5:]
    body = json.loads(data)
    assert body["code"] == "rate_limited" and body["request_id"] == headers["x-request-id"]
    assert 1 <= int(headers["retry-after"]) <= 60
    # The correct password from that address is throttled too; 127.0.0.1 is not.
    u = register()
    conn = http.client.HTTPConnection(HOST, PORT, timeout=10, source_address=(source, 0))
    try:
        conn.request("POST", "/api/v1/login", headers={"Content-Type": "application/json"},
                     body=json.dumps({"username": u.username, "password": u.password}))
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 429
        # G2: spoofed forwarding headers do not buy a fresh budget.
        conn.request("POST", "/api/v1/login", body=json.dumps({"username": u.username,
                                                                "password": u.password}),
                     headers={"Content-Type": "application/json",
                              "X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9"})
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 429
    finally:
        conn.close()
    assert login(u.username, u.password).status_code == 200


# --- G8: Redis down -------------------------------------------------------------------------------

def burst(call, n=32):
    """`n` calls at once (each on its own connection); their results in order."""
    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _: call(), range(n)))


def test_g8_redis_down_fails_closed_then_recovers(redis_outage, sockets):
    u = register()
    ws1, _ = ws_open(u.access, node=1)
    ws2, _ = ws_open(u.access, node=2)
    sockets.extend([ws1, ws2])

    redis_outage.stop()
    t0 = time.monotonic()
    # Login and register fail closed: the limiters cannot count.
    r = login(u.username, u.password)
    assert_error(r, 503, "service_unavailable")
    assert int(r.headers.get("Retry-After", "0")) >= 1
    n = unique_name()
    r = api("POST", "register", json_body={"username": n, "email": n + "@example.com",
                                           "password": "Correct1Horse"})
    assert_error(r, 503, "service_unavailable")
    # Readiness says so; liveness does not depend on Redis.
    r = api("GET", "/health/ready")
    assert_error(r, 503, "service_unavailable")
    assert api("GET", "/api/v1/health/ready").status_code == 503
    assert api("GET", "/health").status_code == 200
    # What only needs Postgres still works.
    r = api("GET", "profile", token=u.access)
    assert r.status_code == 200 and r.json()["id"] == u.id
    r = api("GET", "users/" + u.id, token=u.access)
    assert r.status_code == 200 and r.json()["status"] == "offline"
    # Tickets live in Redis: no ticket, a clean 503.
    assert_error(api("POST", "ws-ticket", token=u.access), 503, "service_unavailable")
    assert time.monotonic() - t0 < 10, "requests during the outage must not hang"

    redis_outage.start()  # returns once /health/ready is 200 again
    wait_until(lambda: login(u.username, u.password).status_code == 200, 10, 0.1,
               "login to work again")
    # Sockets opened before the outage are told to catch up once the bus is back.
    for ws in (ws1, ws2):
        got = ws_wait_type(ws, "resync_required", 15)
        assert got[0] == "text", got
        assert got[1]["data"] == {"reason": "bus_reconnected"}
        ws_send_json(ws, {"type": "ping", "id": "post-outage"})
        got = ws_wait_type(ws, "pong", 5)
        assert got[0] == "text" and got[1]["data"] == {"id": "post-outage"}, got
    # And new connections work again (retrying: a worker's first Redis call after the outage
    # is covered by test_g8_no_worker_keeps_a_dead_redis_connection).
    def try_connect():
        r = api("POST", "ws-ticket", token=u.access)
        if r.status_code != 200:
            return None
        try:
            return ws_open(ticket=r.json()["ticket"])
        except websocket.WebSocketBadStatusException:
            return None
    ws3, hello = wait_until(try_connect, 10, 0.1, "a new WebSocket connection")
    sockets.append(ws3)
    assert hello["data"]["user_id"] == u.id


def test_g8_no_worker_keeps_a_dead_redis_connection(redis_outage):
    """After Redis comes back, the first request each API worker gets must not fail on the
    connection the worker held before the outage (it reconnects instead)."""
    u = register()
    ticket = lambda: requests.post(BASE_URL + "/api/v1/ws-ticket", headers=auth(u.access),
                                   timeout=10).status_code
    ready = lambda: requests.get(BASE_URL + "/health/ready", timeout=10).status_code
    # Concurrent bursts reach every worker thread: each now holds a Redis connection.
    assert burst(ticket) == [200] * 32
    redis_outage.stop()
    assert_error(api("POST", "ws-ticket", token=u.access), 503, "service_unavailable")
    redis_outage.start()
    assert burst(ready) == [200] * 32
    assert burst(ticket) == [200] * 32
