"""Shared helpers of the black-box integration suite.

The suite talks to a running stack (nginx -> API / realtime daemons -> Postgres / Redis)
only through HTTP and WebSocket, like a client would. scripts/test provides:

  NT_BASE_URL    e.g. http://127.0.0.1:28080
  NT_STACK_DIR   the stack folder (log/, run/)
  NT_ENV_FILE    the stack's .env (only non-secret settings are read)
  NT_REDIS_PORT  the stack's Redis port (to take Redis away and bring it back)
  NT_ROOT        the repository root

Every test creates its own users (uuid-based names), so tests are independent and can run
in any order. Helpers are plain functions (import them with `from conftest import ...`);
fixtures wrap the few that need set-up/tear-down.

Tests that take a dependency away (the `redis_outage` fixture, the `disruptive` marker, or a
module named *restart* / *outage*) are run after all the others.
"""
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import socket
import subprocess
import time
import uuid
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import requests
import websocket

BASE_URL = os.environ.get("NT_BASE_URL", "http://127.0.0.1:8080").rstrip("/")
STACK_DIR = os.environ.get("NT_STACK_DIR", "")
ENV_FILE = os.environ.get("NT_ENV_FILE", "")
REDIS_PORT = os.environ.get("NT_REDIS_PORT", "")
NT_ROOT = os.environ.get("NT_ROOT", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

_parts = urlsplit(BASE_URL)
HOST = _parts.hostname or "127.0.0.1"
PORT = _parts.port or 80
WS_BASE = "ws://%s:%d" % (HOST, PORT)
API = "/api/v1"

PASSWORD = "Correct1Horse"       # satisfies the rules: 8-72 bytes, upper, lower, digit
TIMEOUT = 10                     # seconds for any single HTTP call

RFC3339_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
LANGS = ("en", "id", "jp", "ko", "cn")


def env_setting(key, default=None):
    """A non-secret setting from the stack's .env (never used for JWT_SECRET_KEY)."""
    assert key != "JWT_SECRET_KEY", "black box: the suite does not know the server's key"
    if ENV_FILE and os.path.exists(ENV_FILE):
        with open(ENV_FILE) as f:
            for line in f:
                if line.startswith(key + "="):
                    return line.rstrip("\n").split("=", 1)[1]
    return default


# --------------------------------------------------------------------------------------------
# HTTP

_session = requests.Session()


def url(path, base=None):
    """`path` starting with '/' is taken as is; otherwise it is relative to /api/v1. `base`
    names another stack (e.g. the S3-backed one); default: the main stack."""
    return (base or BASE_URL) + (path if path.startswith("/") else API + "/" + path)


def auth(token):
    return {"Authorization": "Bearer " + token}


def api(method, path, token=None, json_body=None, data=None, headers=None, params=None,
        timeout=TIMEOUT, base=None, **kw):
    """One HTTP request. `json_body` is serialized with Content-Type application/json;
    `data` is sent raw (give the Content-Type yourself in `headers`)."""
    h = {}
    if token is not None:
        h.update(auth(token))
    if json_body is not None:
        data = json.dumps(json_body).encode()
        h["Content-Type"] = "application/json"
    if headers:
        h.update(headers)
    return _session.request(method, url(path, base), data=data, headers=h, params=params,
                            timeout=timeout, allow_redirects=False, **kw)


def raw_request(method, path, body=b"", headers=None, source_address=None, timeout=TIMEOUT):
    """A request through http.client, for what requests would normalize (Host header, odd
    methods, exact bytes, another loopback source address). Returns (status, headers, body)
    with header names lower-cased. With a Content-Length in `headers` and no body, only the
    head is sent (what a server answers before the body arrives)."""
    conn = http.client.HTTPConnection(HOST, PORT, timeout=timeout, source_address=source_address)
    try:
        h = dict(headers or {})
        skip_host = any(k.lower() == "host" for k in h)
        conn.putrequest(method, path, skip_host=skip_host, skip_accept_encoding=True)
        for k, v in h.items():
            conn.putheader(k, v)
        has_length = any(k.lower() == "content-length" for k in h)
        if not has_length and (body or method in ("POST", "PUT", "PATCH")):
            conn.putheader("Content-Length", str(len(body or b"")))
        conn.endheaders(body if body else None)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def assert_error(resp, status, code=None):
    """The error contract of DESIGN.md §2 for one response: status, JSON body with detail,
    message, code, request_id (= X-Request-Id), WWW-Authenticate on 401, Allow on 405.
    `resp` is a requests.Response. Returns the parsed body."""
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    assert resp.headers.get("Content-Type", "").startswith("application/json"), resp.headers
    body = resp.json()
    for k in ("detail", "message", "code", "request_id"):
        assert isinstance(body.get(k), str) and body[k], (k, body)
    assert body["detail"] == body["message"], body
    assert re.match(r"^[a-z][a-z0-9_]*$", body["code"]), body
    assert body["request_id"] == resp.headers.get("X-Request-Id"), (body, resp.headers)
    if code is not None:
        assert body["code"] == code, body
    if status == 401:
        assert resp.headers.get("WWW-Authenticate", "").startswith("Bearer"), resp.headers
    if status == 405:
        assert resp.headers.get("Allow"), resp.headers
    if status == 422:
        assert isinstance(body.get("errors"), list) and body["errors"], body
        for e in body["errors"]:
            assert isinstance(e.get("field"), str) and isinstance(e.get("code"), str), e
            assert isinstance(e.get("message"), str) and e["message"], e
    text = resp.text.lower()
    for leak in ("traceback", "sqlstate", "syntax error at", "/work/", ".cpp"):
        assert leak not in text, resp.text
    return body


def field_codes(body):
    return {(e["field"], e["code"]) for e in body.get("errors", [])}


# --------------------------------------------------------------------------------------------
# Users and tokens

def unique_name(prefix="u"):
    return prefix + uuid.uuid4().hex[:16]


def register(username=None, password=PASSWORD, email=None, display_name=None, headers=None,
             expect=201, base=None, **extra):
    """Registers a new user; returns a namespace with id, username, email, password, access,
    refresh, user (the returned profile) and body."""
    username = username or unique_name()
    email = email or (username.lower() + "@example.com")
    body = {"username": username, "email": email, "password": password}
    if display_name is not None:
        body["display_name"] = display_name
    body.update(extra)
    r = api("POST", "register", json_body=body, headers=headers, base=base)
    assert r.status_code == expect, (r.status_code, r.text[:500])
    b = r.json()
    if expect != 201:
        return b
    return SimpleNamespace(id=b["user"]["id"], username=b["user"]["username"], email=email,
                           password=password, access=b["access_token"],
                           refresh=b["refresh_token"], user=b["user"], body=b, response=r)


def login(identifier, password, field="username", headers=None):
    return api("POST", "login", json_body={field: identifier, "password": password},
               headers=headers)


def login_ok(user, password=None):
    """A second session for `user`: returns (access, refresh)."""
    r = login(user.username, password or user.password)
    assert r.status_code == 200, r.text
    return r.json()["access_token"], r.json()["refresh_token"]


def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def jwt_parts(token):
    h, p, s = token.split(".")
    return json.loads(b64url_decode(h)), json.loads(b64url_decode(p)), s


def forge_jwt(header, payload, key=None, alg="HS256", signature=None):
    """A JWT built by hand. `key` is a key the test made up (the server's is unknown)."""
    signing_input = b64url(json.dumps(header, separators=(",", ":"))) + "." + \
        b64url(json.dumps(payload, separators=(",", ":")))
    if signature is None:
        key = key or os.urandom(32)
        digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384,
                  "HS512": hashlib.sha512}[alg]
        signature = b64url(hmac.new(key, signing_input.encode(), digest).digest())
    return signing_input + "." + signature


def claims_like(user, **over):
    """Claims shaped like the server's access tokens, for a real user."""
    _, p, _ = jwt_parts(user.access)
    p = dict(p)
    p.update(over)
    return p


def ws_ticket(token):
    r = api("POST", "ws-ticket", token=token)
    assert r.status_code == 200, r.text
    return r.json()["ticket"]


# --------------------------------------------------------------------------------------------
# WebSocket

def ws_url(query):
    return WS_BASE + "/ws?" + query


def ws_open(token=None, ticket=None, node=None, headers=None, origin=None, timeout=10,
            expect_connected=True, sockopt=()):
    """Connects through nginx with a fresh ticket (or the given ticket / ?token=). Returns
    (ws, connected_frame) where connected_frame is the parsed first frame. `sockopt`: socket
    options set before connecting (e.g. a small SO_RCVBUF)."""
    if ticket is None and token is not None:
        ticket = ws_ticket(token)
    q = "ticket=" + ticket
    if node is not None:
        q += "&node=%d" % node
    kw = {}
    if origin is not None:
        kw["origin"] = origin
    else:
        kw["suppress_origin"] = True  # like a native app
    ws = websocket.create_connection(ws_url(q), timeout=timeout, header=headers or [],
                                     enable_multithread=True, sockopt=tuple(sockopt), **kw)
    if not expect_connected:
        return ws, None
    first = ws_next(ws, timeout)
    assert first[0] == "text", first
    assert first[1]["type"] == "connected", first
    return ws, first[1]


def ws_next(ws, timeout=5.0):
    """The next meaningful thing on `ws` within `timeout` seconds:
    ("text", parsed_json) | ("close", code, reason) | ("eof", None) | ("timeout", None).
    Server pings are answered and skipped."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return ("timeout", None)
        ws.settimeout(left)
        try:
            opcode, frame = ws.recv_data_frame(True)
        except websocket.WebSocketTimeoutException:
            return ("timeout", None)
        except socket.timeout:
            return ("timeout", None)
        except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
            return ("eof", None)
        except websocket.WebSocketProtocolException as e:
            return ("eof", str(e))
        if opcode == websocket.ABNF.OPCODE_TEXT:
            return ("text", json.loads(frame.data.decode("utf-8")))
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            data = frame.data or b""
            code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
            return ("close", code, data[2:].decode("utf-8", "replace"))
        if opcode == websocket.ABNF.OPCODE_BINARY:
            return ("binary", frame.data)
        # ping / pong: keep reading


def ws_send_json(ws, obj):
    ws.send(json.dumps(obj))


def ws_wait_for(ws, predicate, timeout=5.0):
    """Reads frames until one satisfies predicate(frame_tuple); returns it, or the last thing
    seen (close/eof/timeout) if the connection ends or the deadline passes first."""
    deadline = time.monotonic() + timeout
    while True:
        got = ws_next(ws, max(0.0, deadline - time.monotonic()))
        if predicate(got) or got[0] in ("close", "eof", "timeout"):
            return got


def send_fragments_past_limit(ws, first, chunk, limit=65536):
    """A text frame without FIN, then continuation frames without FIN until the message is
    just past `limit` bytes. Stops there: bytes sent after the server has closed would make
    the peer's TCP stack answer with a reset that can swallow the close frame."""
    total = len(first)
    try:
        ws.send_frame(websocket.ABNF.create_frame(first, websocket.ABNF.OPCODE_TEXT, fin=0))
        while total <= limit:
            ws.send_frame(websocket.ABNF.create_frame(chunk, websocket.ABNF.OPCODE_CONT, fin=0))
            total += len(chunk)
    except (websocket.WebSocketConnectionClosedException, BrokenPipeError, ConnectionResetError):
        pass
    return total


def ws_wait_close(ws, timeout=5.0):
    """Skips text frames until the connection closes; returns the close tuple, ("eof", ...)
    or ("timeout", None)."""
    return ws_wait_for(ws, lambda f: f[0] in ("close", "eof"), timeout)


def ws_wait_type(ws, type_, timeout=5.0):
    return ws_wait_for(ws, lambda f: f[0] == "text" and f[1].get("type") == type_, timeout)


def ws_close_quietly(ws):
    try:
        ws.close(timeout=1)
    except Exception:
        pass


def ws_handshake(query, headers=None):
    """A WebSocket upgrade request sent as plain HTTP, to see a refused handshake's status,
    headers and body (requests does not follow a 101)."""
    h = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
         "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode()}
    if headers:
        h.update(headers)
    return requests.get(BASE_URL + "/ws" + ("?" + query if query else ""), headers=h,
                        timeout=TIMEOUT, stream=True, allow_redirects=False)


def assert_envelope(frame, type_=None, language=None):
    assert set(frame) >= {"type", "data", "timestamp", "language"}, frame
    if type_ is not None:
        assert frame["type"] == type_, frame
    assert isinstance(frame["data"], dict), frame
    assert RFC3339_MS.match(frame["timestamp"]), frame
    assert frame["language"] in LANGS, frame
    if language is not None:
        assert frame["language"] == language, frame


# --------------------------------------------------------------------------------------------
# Waiting and the stack

def wait_until(predicate, timeout, interval=0.05, what="condition"):
    """Polls predicate() until it returns a truthy value; returns it, or fails the test."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    pytest.fail("timed out after %.1f s waiting for %s (last: %r)" % (timeout, what, last))


def ready_status():
    try:
        return requests.get(BASE_URL + "/health/ready", timeout=3).status_code
    except requests.RequestException:
        return None


def wait_ready(timeout=30):
    wait_until(lambda: ready_status() == 200, timeout, 0.1, "/health/ready 200")


def psql(sql):
    """Runs SQL on the main stack's database as the postgres superuser: white-box setup and
    checks that no API offers (making an admin, ageing a row for a background job)."""
    port = env_setting("NT_PG_PORT")
    out = subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-t", "-A",
                          "-h", os.path.join(STACK_DIR, "run"), "-p", port, "-d", "nerutalk",
                          "-v", "ON_ERROR_STOP=1", "-c", sql],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def _lib_sh(func):
    assert STACK_DIR and REDIS_PORT, "NT_STACK_DIR and NT_REDIS_PORT are needed"
    cmd = 'source "%s/scripts/lib.sh"; %s "%s" "%s"' % (NT_ROOT, func, STACK_DIR, REDIS_PORT)
    subprocess.run(["bash", "-c", cmd], check=True, timeout=60,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def redis_stop():
    _lib_sh("nt_redis_stop")


def redis_start():
    _lib_sh("nt_redis_start")


def log_path(name):
    return os.path.join(STACK_DIR, "log", name)


@pytest.fixture
def redis_outage():
    """Stops Redis for the test; always brings it back and waits until the stack is ready."""
    state = {"down": False}

    def stop():
        state["down"] = True
        redis_stop()

    def start():
        redis_start()
        state["down"] = False
        wait_ready(30)

    try:
        yield SimpleNamespace(stop=stop, start=start)
    finally:
        if state["down"]:
            redis_start()
        wait_ready(30)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "disruptive: takes a dependency (Redis, Postgres, a daemon) away; runs last")


def _disruptive(item):
    return ("redis_outage" in getattr(item, "fixturenames", ())
            or item.get_closest_marker("disruptive") is not None
            or re.search(r"(restart|outage)", getattr(item.module, "__name__", "")) is not None)


def pytest_collection_modifyitems(session, config, items):
    """Tests that take a dependency away run last (in their usual order), so that a slow
    recovery of the stack cannot disturb the other tests."""
    items.sort(key=_disruptive)


@pytest.fixture
def user():
    return register()


@pytest.fixture
def other_user():
    return register()


@pytest.fixture
def sockets():
    """Collects WebSocket connections and closes them after the test."""
    opened = []
    yield opened
    for ws in opened:
        ws_close_quietly(ws)


# --------------------------------------------------------------------------------------------
# Chats and messages (DESIGN.md §4.2, §5)

def create_chat(creator, others, chat_type="group", name=None, expect=(200, 201), **extra):
    """POST /chats as `creator` with `others` (users or ids); returns the chat detail."""
    ids = [o if isinstance(o, str) else o.id for o in others]
    body = {"chat_type": chat_type, "participant_ids": ids}
    if chat_type == "group":
        body["name"] = name if name is not None else unique_name("group ")
    elif name is not None:
        body["name"] = name
    body.update(extra)
    r = api("POST", "chats", token=creator.access, json_body=body)
    assert r.status_code in ((expect,) if isinstance(expect, int) else expect), \
        (r.status_code, r.text[:500])
    return r.json()


def create_private(a, b):
    return create_chat(a, [b], chat_type="private")


def create_group(admin, members, name=None):
    return create_chat(admin, members, chat_type="group", name=name, expect=201)


def send_message(user, chat_id, content="hello", expect=201, **fields):
    """POST /chats/{chat_id}/messages; returns the message (fails on another status)."""
    body = {"content": content} if content is not None else {}
    body.update(fields)
    r = api("POST", "chats/%d/messages" % chat_id, token=user.access, json_body=body)
    assert r.status_code == expect, (r.status_code, r.text[:500])
    return r.json()


def history(user, chat_id, **params):
    """GET /chats/{chat_id}/messages → the parsed {messages, has_more}."""
    r = api("GET", "chats/%d/messages" % chat_id, token=user.access, params=params)
    assert r.status_code == 200, (r.status_code, r.text[:500])
    return r.json()


def all_messages(user, chat_id):
    """Every message of a chat in ascending seq, paging backwards with before_id."""
    page = history(user, chat_id, limit=100)
    msgs = page["messages"]
    while page["has_more"]:
        page = history(user, chat_id, limit=100, before_id=msgs[0]["id"])
        msgs = page["messages"] + msgs
    return msgs


# --------------------------------------------------------------------------------------------
# Redis, spoken directly (RESP over a socket): the suite uses it only to see that a daemon
# has subscribed to a channel before it publishes something the test waits for, and to flood
# one user's channel in the slow-reader test.

def _resp_encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


def _resp_read(f):
    line = f.readline()
    if not line:
        raise ConnectionError("redis closed the connection")
    kind, rest = line[:1], line[1:-2]
    if kind in (b"+", b"-"):
        return rest.decode()
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        return data[:-2]
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_resp_read(f) for _ in range(n)]
    raise ValueError("unexpected RESP reply %r" % line[:50])


def redis_commands(commands, timeout=10):
    """Sends several commands on one connection (pipelined); returns their replies."""
    assert REDIS_PORT, "NT_REDIS_PORT is needed"
    with socket.create_connection(("127.0.0.1", int(REDIS_PORT)), timeout=timeout) as s:
        s.sendall(b"".join(_resp_encode(c) for c in commands))
        f = s.makefile("rb")
        return [_resp_read(f) for _ in commands]


def redis_command(*args, timeout=10):
    return redis_commands([args], timeout)[0]


def bus_subscribers(channel):
    """How many realtime daemons are subscribed to a pub/sub channel right now."""
    reply = redis_command("PUBSUB", "NUMSUB", channel)
    return int(reply[1])


def wait_chat_routed(chat_id, daemons=1, timeout=5):
    """Waits until `daemons` realtime daemons listen to the chat's channel, i.e. until the
    connections the test opened have had their chats loaded (what a client cannot see)."""
    ch = "nerutalk:chat:%d" % chat_id
    wait_until(lambda: bus_subscribers(ch) >= daemons, timeout, 0.02,
               "%d daemon(s) subscribed to %s" % (daemons, ch))


def wait_user_routed(user_id, daemons=1, timeout=5):
    ch = "nerutalk:user:%s" % user_id
    wait_until(lambda: bus_subscribers(ch) >= daemons, timeout, 0.02,
               "%d daemon(s) subscribed to %s" % (daemons, ch))


# --------------------------------------------------------------------------------------------
# WebSocket events

def ws_event(ws, type_, pred=None, timeout=5.0, seen=None):
    """Reads frames until a text frame of `type_` whose data satisfies pred(data) arrives and
    returns that frame; every other frame read on the way is appended to `seen` (a list).
    Fails the test on close, EOF or timeout."""
    deadline = time.monotonic() + timeout
    skipped = [] if seen is None else seen
    while True:
        got = ws_next(ws, max(0.0, deadline - time.monotonic()))
        if got[0] == "text":
            frame = got[1]
            if frame.get("type") == type_ and (pred is None or pred(frame.get("data"))):
                return frame
            skipped.append(frame)
            continue
        if got[0] == "binary":
            skipped.append(got)
            continue
        pytest.fail("waiting for %s: got %r; skipped %s" % (
            type_, got, [f.get("type") if isinstance(f, dict) else f for f in skipped][-20:]))


def ws_request(ws, type_, data, req_id=None, timeout=5.0, seen=None):
    """Sends a client event with an id and returns the ack or error frame answering it."""
    req_id = req_id if req_id is not None else "r" + uuid.uuid4().hex[:8]
    ws_send_json(ws, {"type": type_, "data": data, "id": req_id})
    deadline = time.monotonic() + timeout
    skipped = [] if seen is None else seen
    while True:
        got = ws_next(ws, max(0.0, deadline - time.monotonic()))
        if got[0] != "text":
            pytest.fail("waiting for the answer to %s %r: got %r" % (type_, req_id, got))
        frame = got[1]
        if frame.get("type") in ("ack", "error") and frame["data"].get("id") == req_id:
            return frame
        skipped.append(frame)


def ws_ack(ws, type_, data, timeout=5.0, seen=None):
    """Like ws_request, but the answer must be an ack; returns its data."""
    frame = ws_request(ws, type_, data, timeout=timeout, seen=seen)
    assert frame["type"] == "ack", frame
    return frame["data"]


def about_chat(frame, chat_id):
    """Whether a server frame concerns chat `chat_id`."""
    d = frame.get("data") if isinstance(frame, dict) else None
    if not isinstance(d, dict):
        return False
    return d.get("chat_id") == chat_id or (frame.get("type") in ("chat_created", "chat_updated")
                                           and d.get("id") == chat_id)


def ws_open_ticket_raw(token, node=None, sockopt=(), timeout=10):
    """ws_open with socket options set before connecting; returns (ws, connected_frame)."""
    return ws_open(token, node=node, timeout=timeout, sockopt=sockopt)
