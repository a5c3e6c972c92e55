"""The WebSocket side: handshake checks, frames, limits, revocation across daemons, and no
secrets in the logs (DESIGN.md §5, docs/websocket.md; RELIABILITY §2 F1-F6, F12, F13, A15)."""
import json
import os
import time

import pytest
import requests
import websocket

from conftest import (BASE_URL, RFC3339_MS, api, assert_envelope, claims_like, forge_jwt, jwt_parts, log_path, register, send_fragments_past_limit, wait_until,
                      ws_close_quietly, ws_handshake, ws_next, ws_open, ws_send_json,
                      ws_url, ws_wait_close, ws_wait_type, ws_ticket)

ALLOWED_ORIGIN = "http://localhost:3000"
EVIL = "https://evil.example"


def assert_refused(resp, status, code):
    """A handshake refused before the upgrade, with the API's JSON error body."""
    assert resp.status_code == status, (resp.status_code, resp.content[:300])
    assert resp.headers.get("Upgrade") is None and resp.status_code != 101
    assert resp.headers.get("Content-Type", "").startswith("application/json"), resp.headers
    body = json.loads(resp.content)
    assert body["code"] == code, body
    assert body["detail"] == body["message"] and body["detail"]
    assert body["request_id"] == resp.headers.get("X-Request-Id"), (body, resp.headers)
    if status == 401:
        assert resp.headers.get("WWW-Authenticate", "").startswith("Bearer")
    return body


# --- F1 / F2 / F3: the handshake -----------------------------------------------------------------

def test_f1_no_ticket_or_token_is_401_before_upgrade():
    assert_refused(ws_handshake(""), 401, "not_authenticated")
    assert_refused(ws_handshake("node=1"), 401, "not_authenticated")


def test_f1_bad_tokens_are_401():
    u = register()
    now = int(time.time())
    expired = forge_jwt({"alg": "HS256", "typ": "JWT"}, claims_like(u, exp=now - 3600))
    none_alg = forge_jwt({"alg": "none", "typ": "JWT"}, claims_like(u), signature="")
    for token in ("garbage", "a.b.c", expired, none_alg, u.access[:-2] + "xx"):
        assert_refused(ws_handshake("token=" + token), 401, "invalid_token")


def test_f1_refresh_token_in_query_is_401():
    u = register()
    assert_refused(ws_handshake("token=" + u.refresh), 401, "invalid_token")


def test_f1_access_token_in_query_is_accepted(sockets):
    u = register()
    ws = websocket.create_connection(ws_url("token=" + u.access), timeout=10,
                                     suppress_origin=True)
    sockets.append(ws)
    got = ws_next(ws, 5)
    assert got[0] == "text" and got[1]["type"] == "connected", got
    assert got[1]["data"]["user_id"] == u.id


def test_f2_ticket_is_single_use():
    u = register()
    ticket = ws_ticket(u.access)
    ws, _ = ws_open(ticket=ticket)
    ws_close_quietly(ws)
    assert_refused(ws_handshake("ticket=" + ticket), 401, "invalid_token")


def test_f2_unknown_ticket_is_401():
    assert_refused(ws_handshake("ticket=" + "A" * 43), 401, "invalid_token")
    assert_refused(ws_handshake("ticket="), 401, "invalid_token")
    assert_refused(ws_handshake("ticket=" + "x" * 5000), 401, "invalid_token")


def test_f2_ticket_of_a_logged_out_session_is_401():
    u = register()
    ticket = ws_ticket(u.access)
    assert api("POST", "logout", token=u.access).status_code == 200
    assert_refused(ws_handshake("ticket=" + ticket), 401, "session_revoked")


def test_f2_ticket_wins_over_token():
    u = register()
    # A bad ticket with a good token: the ticket is what counts.
    assert_refused(ws_handshake("ticket=nope&token=" + u.access), 401, "invalid_token")


def test_handshake_error_is_localized():
    r = ws_handshake("", headers={"X-Language": "ko"})
    body = assert_refused(r, 401, "not_authenticated")
    assert body["detail"] == "인증이 필요합니다."


def test_f3_evil_origin_is_403():
    u = register()
    r = ws_handshake("ticket=" + ws_ticket(u.access), headers={"Origin": EVIL})
    assert_refused(r, 403, "origin_not_allowed")
    r = ws_handshake("token=" + u.access, headers={"Origin": "http://localhost:3000.evil.example"})
    assert_refused(r, 403, "origin_not_allowed")


def test_f3_allowed_origin_is_accepted(sockets):
    u = register()
    ws, hello = ws_open(u.access, origin=ALLOWED_ORIGIN)
    sockets.append(ws)
    assert hello["data"]["user_id"] == u.id


def test_untrusted_host_on_handshake_is_refused_as_such():
    u = register()
    r = ws_handshake("token=" + u.access, headers={"Host": "evil.example"})
    assert r.status_code in (400, 403), (r.status_code, r.content[:200])
    assert json.loads(r.content)["code"] == "untrusted_host"


def test_handshake_only_on_exact_path():
    u = register()
    r = ws_handshake("token=" + u.access)  # sanity: /ws itself would upgrade
    assert r.status_code == 101
    r.close()
    for path in ("/ws/", "/wsx", "/api/v1/ws"):
        resp = requests.get(BASE_URL + path + "?token=" + u.access, timeout=10,
                            headers={"Connection": "Upgrade", "Upgrade": "websocket",
                                     "Sec-WebSocket-Version": "13",
                                     "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
        assert resp.status_code == 404, (path, resp.status_code)


# --- frames --------------------------------------------------------------------------------------

def test_connected_frame_and_envelope(sockets):
    u = register()
    ws, hello = ws_open(u.access)
    sockets.append(ws)
    assert_envelope(hello, "connected", "en")
    assert hello["data"]["user_id"] == u.id
    assert hello["data"]["session_id"] == jwt_parts(u.access)[1]["sid"]
    assert hello["data"]["heartbeat_seconds"] == 25
    assert RFC3339_MS.match(hello["timestamp"])


def test_connection_language_follows_handshake_headers(sockets):
    u = register()
    ws, hello = ws_open(u.access, headers=["Accept-Language: ja-JP,ja;q=0.9"])
    sockets.append(ws)
    assert hello["language"] == "jp"
    ws.send("not json")
    got = ws_next(ws, 5)
    assert got[1]["type"] == "error" and got[1]["language"] == "jp"
    assert got[1]["data"]["detail"] == "リクエスト本文が正しいJSONではありません。"
    # The profile language applies when the handshake names none.
    assert api("PUT", "profile", token=u.access, json_body={"language": "cn"}).status_code == 200
    ws2, hello2 = ws_open(u.access)
    sockets.append(ws2)
    assert hello2["language"] == "cn"


def test_ping_pong(sockets):
    u = register()
    ws, _ = ws_open(u.access)
    sockets.append(ws)
    ws_send_json(ws, {"type": "ping", "data": {}, "id": "c1"})
    got = ws_next(ws, 5)
    assert got[0] == "text", got
    assert_envelope(got[1], "pong")
    assert got[1]["data"] == {"id": "c1"}
    ws_send_json(ws, {"type": "ping", "id": 42})
    assert ws_next(ws, 5)[1]["data"] == {"id": 42}
    ws_send_json(ws, {"type": "ping"})
    got = ws_next(ws, 5)
    assert got[1]["type"] == "pong" and got[1]["data"] == {}
    # An id of another JSON type is ignored as if absent.
    ws_send_json(ws, {"type": "ping", "id": {"x": 1}})
    got = ws_next(ws, 5)
    assert got[1]["type"] == "pong" and got[1]["data"] == {}


def test_non_json_frame_is_an_error_and_connection_stays_open(sockets):
    u = register()
    ws, _ = ws_open(u.access)
    sockets.append(ws)
    for text in ("hello", '{"type": "ping"', "[1, 2]", '"ping"', '{"type":"ping","type":"x"}'):
        ws.send(text)
        got = ws_next(ws, 5)
        assert got[0] == "text", (text, got)
        assert_envelope(got[1], "error")
        assert got[1]["data"]["code"] == "invalid_json", (text, got)
        assert "id" not in got[1]["data"]
        assert got[1]["data"]["detail"] == "The request body is not valid JSON."
    ws_send_json(ws, {"type": "ping", "id": "after"})
    got = ws_next(ws, 5)
    assert got[1]["type"] == "pong" and got[1]["data"] == {"id": "after"}


def test_unknown_event_and_missing_type(sockets):
    u = register()
    ws, _ = ws_open(u.access)
    sockets.append(ws)
    ws_send_json(ws, {"type": "no_such_event", "data": {"chat_id": 1}, "id": "c2"})
    got = ws_next(ws, 5)
    assert_envelope(got[1], "error")
    assert got[1]["data"]["code"] == "unknown_event" and got[1]["data"]["id"] == "c2"
    assert isinstance(got[1]["data"]["detail"], str) and got[1]["data"]["detail"]
    ws_send_json(ws, {"data": {}, "id": 7})
    got = ws_next(ws, 5)
    assert got[1]["data"]["code"] == "bad_request" and got[1]["data"]["id"] == 7
    ws_send_json(ws, {"type": 5, "id": "c3"})
    got = ws_next(ws, 5)
    assert got[1]["data"]["code"] == "bad_request" and got[1]["data"]["id"] == "c3"
    ws_send_json(ws, {"type": "unknown_without_id"})
    got = ws_next(ws, 5)
    assert got[1]["data"]["code"] == "unknown_event" and "id" not in got[1]["data"]


def test_binary_frame_is_bad_request(sockets):
    u = register()
    ws, _ = ws_open(u.access)
    sockets.append(ws)
    ws.send_binary(b'{"type":"ping"}')
    got = ws_next(ws, 5)
    assert got[0] == "text" and got[1]["type"] == "error", got
    assert got[1]["data"]["code"] == "bad_request"
    ws_send_json(ws, {"type": "ping", "id": "ok"})
    assert ws_next(ws, 5)[1]["data"] == {"id": "ok"}


def test_fragmented_message_under_the_limit_is_reassembled(sockets):
    u = register()
    ws, _ = ws_open(u.access)
    sockets.append(ws)
    msg = json.dumps({"type": "ping", "id": "frag", "data": {"pad": "p" * 30000}}).encode()
    parts = [msg[i:i + 7000] for i in range(0, len(msg), 7000)]
    ws.send_frame(websocket.ABNF.create_frame(parts[0], websocket.ABNF.OPCODE_TEXT, fin=0))
    for i, p in enumerate(parts[1:], 1):
        ws.send_frame(websocket.ABNF.create_frame(p, websocket.ABNF.OPCODE_CONT,
                                                  fin=1 if i == len(parts) - 1 else 0))
    got = ws_next(ws, 5)
    assert got[0] == "text" and got[1]["type"] == "pong" and got[1]["data"] == {"id": "frag"}, got


# --- limits (F4, F5, F6, F12, F13) -------------------------------------------------------------------

def test_f4_single_70kb_frame_closes_1009(sockets):
    u = register()
    ws, _ = ws_open(u.access)
    sockets.append(ws)
    ws.send(json.dumps({"type": "ping", "data": {"pad": "x" * 70000}}))
    got = ws_wait_close(ws, 5)
    assert got[0] == "close" and got[1] == 1009, got


def test_f4_message_of_exactly_64kib_is_accepted(sockets):
    u = register()
    ws, _ = ws_open(u.access)
    sockets.append(ws)
    head = '{"type":"ping","id":"big","data":{"pad":"'
    tail = '"}}'
    msg = head + "x" * (65536 - len(head) - len(tail)) + tail
    assert len(msg.encode()) == 65536
    ws.send(msg)
    got = ws_next(ws, 5)
    assert got[0] == "text" and got[1]["data"] == {"id": "big"}, got


def test_f5_continuation_fragments_past_64kib_close_1009(sockets):
    u = register()
    ws, _ = ws_open(u.access)
    sockets.append(ws)
    assert send_fragments_past_limit(ws, b'{"type":"ping","pad":"', b"x" * 4096) > 65536
    got = ws_wait_close(ws, 5)
    assert got[0] == "close" and got[1] == 1009, got


def test_f5_many_tiny_fragments_close_1009(sockets):
    u = register()
    ws, _ = ws_open(u.access)
    sockets.append(ws)
    assert send_fragments_past_limit(ws, b"[", b"1," * 256) > 65536  # 512-byte fragments
    got = ws_wait_close(ws, 5)
    assert got[0] == "close" and got[1] == 1009, got


def test_f6_invalid_utf8_text_closes_1007(sockets):
    u = register()
    ws, _ = ws_open(u.access)
    sockets.append(ws)
    ws.send_frame(websocket.ABNF.create_frame(b'{"type":"ping","x":"\xff\xfe"}',
                                              websocket.ABNF.OPCODE_TEXT))
    got = ws_wait_close(ws, 5)
    assert got[0] == "close" and got[1] == 1007, got


def test_f12_too_many_messages_close_4008(sockets):
    u = register()
    ws, _ = ws_open(u.access)
    sockets.append(ws)
    try:
        for i in range(150):
            ws_send_json(ws, {"type": "ping", "id": i})
    except (websocket.WebSocketConnectionClosedException, BrokenPipeError, ConnectionResetError):
        pass
    pongs = 0
    while True:
        got = ws_next(ws, 5)
        if got[0] == "text" and got[1]["type"] == "pong":
            pongs += 1
            continue
        break
    assert got[0] == "close" and got[1] == 4008, got
    assert pongs <= 100, pongs
    # Other connections of the same user are not affected.
    ws2, _ = ws_open(u.access)
    sockets.append(ws2)
    ws_send_json(ws2, {"type": "ping", "id": "fine"})
    assert ws_next(ws2, 5)[1]["data"] == {"id": "fine"}


def test_f13_deep_nesting_and_json_bombs_are_errors_not_crashes(sockets):
    u = register()
    ws, _ = ws_open(u.access)
    sockets.append(ws)
    bombs = [
        '{"type":"ping","data":' + "[" * 64 + "]" * 64 + "}",
        '{"type":"ping","data":' + '{"a":' * 64 + "1" + "}" * 64 + "}",
        "[" * 60000,
        '{"type":"ping","data":{' + ",".join('"k%d":%d' % (i, i) for i in range(5000)) + "}}",
        '{"type":"ping","data":[' + ",".join(["1e999999"] * 1000) + "]}",
        '{"type":"ping","data":"' + "\\u0000" * 100 + '"}',
    ]
    for text in bombs:
        assert len(text.encode()) <= 65536
        ws.send(text)
        got = ws_next(ws, 5)
        assert got[0] == "text", (text[:40], got)
        assert got[1]["type"] in ("error", "pong"), got
        if got[1]["type"] == "error":
            assert got[1]["data"]["code"] in ("invalid_json", "bad_request"), got
    # 32 levels are fine.
    ws.send('{"type":"ping","id":"d","data":' + "[" * 30 + "]" * 30 + "}")
    got = ws_next(ws, 5)
    assert got[1]["type"] == "pong" and got[1]["data"] == {"id": "d"}, got
    # The daemon is alive for everyone.
    other = register()
    ws2, _ = ws_open(other.access)
    sockets.append(ws2)


# --- revocation across daemons -------------------------------------------------------------------

def test_logout_closes_sockets_on_both_daemons(sockets):
    u = register()
    ws1, h1 = ws_open(u.access, node=1)
    ws2, h2 = ws_open(u.access, node=2)
    sockets.extend([ws1, ws2])
    assert h1["data"]["session_id"] == h2["data"]["session_id"]
    t0 = time.monotonic()
    assert api("POST", "logout", token=u.access).status_code == 200
    for ws in (ws1, ws2):
        got = ws_wait_close(ws, 5.5 - (time.monotonic() - t0))
        assert got[0] == "close" and got[1] == 4010, got
        assert got[2] == "session revoked"


def test_logout_leaves_other_sessions_sockets_open(sockets):
    u = register()
    r = api("POST", "login", json_body={"username": u.username, "password": u.password})
    other_access = r.json()["access_token"]
    mine, _ = ws_open(u.access, node=1)
    theirs, _ = ws_open(other_access, node=2)
    sockets.extend([mine, theirs])
    assert api("POST", "logout", token=u.access).status_code == 200
    got = ws_wait_close(mine, 5)
    assert got[0] == "close" and got[1] == 4010, got
    ws_send_json(theirs, {"type": "ping", "id": "alive"})
    got = ws_wait_type(theirs, "pong", 5)
    assert got[0] == "text" and got[1]["data"] == {"id": "alive"}, got


@pytest.mark.parametrize("node", [1, 2])
def test_each_node_serves_connections(node, sockets):
    u = register()
    ws, hello = ws_open(u.access, node=node)
    sockets.append(ws)
    assert hello["data"]["user_id"] == u.id
    ws_send_json(ws, {"type": "ping", "id": node})
    assert ws_next(ws, 5)[1]["data"] == {"id": node}


def test_client_close_is_echoed(sockets):
    u = register()
    ws, _ = ws_open(u.access)
    sockets.append(ws)
    ws.send_close(1000, b"bye")
    got = ws_wait_close(ws, 5)
    assert got[0] == "close" and got[1] == 1000, got


# --- A15 / F2: no tickets or tokens in the logs ----------------------------------------------------

def test_no_tickets_or_tokens_in_logs():
    access_log = log_path("nginx-access.log")
    start = os.path.getsize(access_log)
    u = register()
    ticket = ws_ticket(u.access)
    ws, _ = ws_open(ticket=ticket, node=1)
    ws_close_quietly(ws)
    ws, _ = websocket.create_connection(ws_url("token=" + u.access + "&node=2"), timeout=10,
                                        suppress_origin=True), None
    ws_close_quietly(ws)
    refused = [ws_handshake("ticket=" + ticket), ws_handshake("token=" + u.refresh)]
    assert [r.status_code for r in refused] == [401, 401]
    api("GET", "profile?access_token=" + u.access)
    secrets = [ticket, u.access, u.refresh, u.access.split(".")[2], u.refresh.split(".")[2]]

    def ws_lines():
        with open(access_log, "rb") as f:
            f.seek(start)
            return f.read().decode("utf-8", "replace")
    # Both upgraded connections are logged when they end; wait for their lines.
    wait_until(lambda: ws_lines().count('"GET /ws ') >= 4, 10, 0.1, "the /ws access-log lines")
    text = ws_lines()
    assert "/api/v1/profile" in text
    for s in secrets:
        assert s not in text
    assert "eyJ" not in text
    for name in sorted(os.listdir(os.path.dirname(access_log))):
        if name.startswith(("api", "realtime")) and name.endswith(".log"):
            with open(os.path.join(os.path.dirname(access_log), name), "rb") as f:
                content = f.read().decode("utf-8", "replace")
            for s in secrets:
                assert s not in content, name
