"""HTTP conventions: the error contract, headers, JSON parsing rules, CORS, trusted hosts,
health and the OpenAPI document (DESIGN.md §2, §4.7; RELIABILITY §2 D1-D7, H2, H4)."""
import json
import time

import pytest

from conftest import (API, PORT, api, assert_error, raw_request, register, unique_name,
                      ws_handshake)

JSON = {"Content-Type": "application/json"}
ALLOWED_ORIGIN = "http://localhost:3000"
EVIL_ORIGIN = "https://evil.example"


def post_raw(path, body, headers=JSON):
    return api("POST", path, data=body, headers=headers)


def valid_register_body():
    n = unique_name()
    return {"username": n, "email": n + "@example.com", "password": "Correct1Horse"}


# --- D1, D4, D7: the body must be one valid, unambiguous JSON object ---------------------------

@pytest.mark.parametrize("body", [
    b'{"username": "abc", "email": "a@b.co"',            # truncated
    b'{"username": "abc"} trailing',                    # trailing garbage
    b'{"username": "abc"}{"x": 1}',                      # two documents
    b'{"n": NaN}',                                       # NaN
    b'{"n": Infinity}',                                  # Infinity
    b'{/* comment */ "username": "abc"}',               # block comment
    b'{"username": "abc" // comment\n}',                # line comment
    b'\xef\xbb\xbf{"username": "abc"}',                 # UTF-8 BOM
    b"{'username': 'abc'}",                              # single quotes
    b'{"username": "abc",}',                             # trailing comma
    b'',                                                 # empty body
    b'[]',                                               # not an object
    b'"just a string"',                                  # not an object
    b'null',                                             # not an object
], ids=lambda b: b[:24].decode("latin-1"))
def test_d1_malformed_json_is_400_invalid_json(body):
    assert_error(post_raw("register", body), 400, "invalid_json")


def test_d4_duplicate_keys_are_400():
    body = valid_register_body()
    raw = ('{"username": "%s", "username": "%s", "email": "%s", "password": "%s"}' % (
        body["username"], unique_name(), body["email"], body["password"])).encode()
    assert_error(post_raw("register", raw), 400, "invalid_json")
    # Nothing was created: the same (valid) body without the duplicate still registers.
    assert api("POST", "register", json_body=body).status_code == 201


@pytest.mark.parametrize("body", [
    b'{"username": "ab\xff\xfe", "email": "a@b.co", "password": "Correct1Horse"}',   # invalid UTF-8
    b'{"username": "ab\xc0\xaf", "email": "a@b.co", "password": "Correct1Horse"}',   # overlong
    b'{"username": "ab\xed\xa0\x80", "email": "a@b.co", "password": "Correct1Horse"}',  # surrogate
    b'{"username": "ab\\ud800", "email": "a@b.co", "password": "Correct1Horse"}',    # lone \ud800
    b'{"username": "ab\\u0000cd", "email": "a@b.co", "password": "Correct1Horse"}',  # NUL
    b'{"username": "abc", "email": "a@b.co", "password": "Correct1\\u0000Horse"}',
])
def test_d7_invalid_utf8_and_nul_are_400(body):
    assert_error(post_raw("register", body), 400, "invalid_json")


def test_d7_nul_does_not_truncate_a_password():
    u = register()
    r = api("POST", "login", data=('{"username": "%s", "password": "%s\\u0000garbage"}' % (
        u.username, u.password)).encode(), headers=JSON)
    assert_error(r, 400, "invalid_json")


def test_d3_deep_nesting_is_400_quickly():
    t0 = time.monotonic()
    r = post_raw("register", b"[" * 60000)
    assert time.monotonic() - t0 < 1.0
    assert_error(r, 400, "invalid_json")
    t0 = time.monotonic()
    r = post_raw("register", b'{"a":' * 10000 + b"1" + b"}" * 10000)
    assert time.monotonic() - t0 < 1.0
    assert_error(r, 400, "invalid_json")
    # 33 levels (over the cap of 32) is refused; a modest depth inside a valid body is not.
    r = post_raw("register", b'{"x":' + b"[" * 33 + b"]" * 33 + b"}")
    assert_error(r, 400, "invalid_json")


def test_d3_100000_nested_brackets_refused_quickly():
    # 100,000 bytes is over the 64 KB body cap, so 413 from the edge is the expected answer;
    # a parser that sees it must answer 400. Never 500, never slow.
    t0 = time.monotonic()
    r = post_raw("register", b"[" * 100000)
    assert time.monotonic() - t0 < 1.0
    assert r.status_code in (400, 413), r.text
    assert_error(r, r.status_code, "invalid_json" if r.status_code == 400 else "payload_too_large")


# --- D2: Content-Type ----------------------------------------------------------------------------

@pytest.mark.parametrize("ctype", [None, "text/plain", "application/x-www-form-urlencoded",
                                   "multipart/form-data; boundary=x", "application/jsonx",
                                   "text/json"])
def test_d2_missing_or_wrong_content_type_is_415(ctype):
    headers = {} if ctype is None else {"Content-Type": ctype}
    body = json.dumps(valid_register_body()).encode()
    assert_error(api("POST", "register", data=body, headers=headers), 415,
                 "unsupported_media_type")


def test_d2_415_on_authenticated_routes_too():
    u = register()
    r = api("PUT", "profile", token=u.access, data=b'{"bio":"x"}',
            headers={"Content-Type": "text/plain"})
    assert_error(r, 415, "unsupported_media_type")
    assert api("GET", "profile", token=u.access).json()["bio"] is None


def test_content_type_with_charset_is_accepted():
    r = api("POST", "register", data=json.dumps(valid_register_body()).encode(),
            headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 201, r.text


# --- D5: body size ---------------------------------------------------------------------------

def test_d5_body_over_64kb_is_413_json():
    body = valid_register_body()
    body["display_name"] = "x" * 70000
    r = api("POST", "register", json_body=body)
    assert_error(r, 413, "payload_too_large")
    # Just under the cap is accepted (the unknown field is ignored).
    body = valid_register_body()
    body["padding"] = "y" * 60000
    r = api("POST", "register", json_body=body)
    assert r.status_code == 201, r.text[:300]


# --- the error contract ---------------------------------------------------------------------------

def test_every_error_has_the_contract_and_request_id_matches_header():
    u = register()
    cases = [
        (api("GET", "profile"), 401, "not_authenticated"),
        (api("GET", "profile", token="x.y.z"), 401, "invalid_token"),
        (api("GET", "users/" + "0" * 8, token=u.access), 404, "not_found"),
        (api("GET", "nope"), 404, "not_found"),
        (api("DELETE", "profile", token=u.access), 405, "method_not_allowed"),
        (post_raw("register", b"{"), 400, "invalid_json"),
        (api("POST", "register", data=b"{}", headers={"Content-Type": "text/plain"}), 415,
         "unsupported_media_type"),
        (api("POST", "register", json_body={}), 422, "validation_error"),
        (api("POST", "register", json_body={"username": u.username, "email": "z" + u.email,
                                            "password": "Correct1Horse"}), 409, "username_taken"),
        (api("POST", "change-password", token=u.access,
             json_body={"current_password": "Nope1nope", "new_password": "Another2Horse"}),
         403, "wrong_password"),
    ]
    ids = set()
    for resp, status, code in cases:
        body = assert_error(resp, status, code)
        ids.add(body["request_id"])
    assert len(ids) == len(cases), "request ids are unique"


def test_405_carries_allow():
    r = api("DELETE", "profile")
    assert_error(r, 405, "method_not_allowed")
    allow = {m.strip() for m in r.headers["Allow"].split(",")}
    assert {"GET", "PUT"} <= allow
    r = api("GET", "login")
    assert_error(r, 405, "method_not_allowed")
    assert "POST" in r.headers["Allow"]
    r = api("PATCH", "users/search")
    assert_error(r, 405)
    assert "GET" in r.headers["Allow"]


@pytest.mark.parametrize("path", ["/nope", "/.git/config", "/index.php", "/backup.bak",
                                  "/.env", "/api/v1/nope", "/api/v2/profile", "/api/v1/profile/",
                                  "/api/v1/PROFILE", "/debug", "/metrics", "/internal/ws-auth",
                                  "/internal/files/x"])
def test_unknown_paths_are_json_404(path):
    r = api("GET", path)
    assert_error(r, 404, "not_found")


def test_h4_trace_is_405():
    for path in ("/api/v1/profile", "/api/v1/login", "/nope"):
        r = api("TRACE", path)
        assert r.status_code == 405, (path, r.text)
        assert_error(r, 405)


def test_h4_plain_options_is_405_with_allow():
    for path, methods in (("profile", {"GET", "PUT"}), ("login", {"POST"})):
        r = api("OPTIONS", path)
        assert_error(r, 405, "method_not_allowed")
        assert methods <= {m.strip() for m in r.headers["Allow"].split(",")}
    # An Origin alone (no Access-Control-Request-Method) is not a preflight either.
    r = api("OPTIONS", "profile", headers={"Origin": ALLOWED_ORIGIN})
    assert_error(r, 405, "method_not_allowed")


def test_method_override_headers_are_ignored():
    u = register()
    r = api("POST", "profile", token=u.access, json_body={"bio": "x"},
            headers={"X-HTTP-Method-Override": "PUT", "X-Method-Override": "PUT"})
    assert_error(r, 405)
    assert api("GET", "profile", token=u.access).json()["bio"] is None


# --- headers on every response -----------------------------------------------------------------

def test_security_headers_on_every_response():
    u = register()
    responses = [
        api("GET", "/health"), api("GET", "/api/v1/health/ready"), api("GET", "languages"),
        api("GET", "profile", token=u.access), api("GET", "profile"),
        api("POST", "register", json_body={}), api("GET", "openapi.json"),
        api("GET", "/api/v1/nope"), api("DELETE", "profile"),
    ]
    for r in responses:
        assert_security_headers(r)


def test_security_headers_on_errors_made_by_the_edge():
    # 404 outside /api and 413 are answered by nginx itself; "every response" includes them.
    for r in (api("GET", "/nope"), api("GET", "/.git/config"),
              api("POST", "register", json_body={"x": "y" * 70000}),
              ws_handshake("ticket=unknown")):
        assert_security_headers(r)


def assert_security_headers(r):
    where = (r.request.method, r.request.url[:80], r.status_code)
    assert r.headers.get("X-Content-Type-Options") == "nosniff", where
    assert r.headers.get("Content-Language") in ("en", "id", "jp", "ko", "cn"), where
    assert r.headers.get("X-Request-Id"), where


def test_authenticated_responses_are_no_store():
    u = register()
    other = register()
    for r in (api("GET", "profile", token=u.access),
              api("PUT", "profile", token=u.access, json_body={"bio": "b"}),
              api("GET", "users/" + other.id, token=u.access),
              api("GET", "users/search", token=u.access, params={"q": "a"}),
              api("POST", "ws-ticket", token=u.access)):
        assert r.status_code == 200, r.text
        assert "no-store" in r.headers.get("Cache-Control", ""), r.request.url


def test_token_responses_are_no_store():
    # H3 / RFC 6749 §5.1: responses that carry tokens must not be cached anywhere.
    u = register()
    assert "no-store" in u.response.headers.get("Cache-Control", ""), u.response.headers
    r = api("POST", "login", json_body={"username": u.username, "password": u.password})
    assert r.status_code == 200
    assert "no-store" in r.headers.get("Cache-Control", ""), r.headers
    r = api("POST", "refresh-token", json_body={"refresh_token": u.refresh})
    assert r.status_code == 200
    assert "no-store" in r.headers.get("Cache-Control", ""), r.headers


def test_request_ids_are_unique():
    ids = {api("GET", "/health").headers["X-Request-Id"] for _ in range(5)}
    assert len(ids) == 5


def test_json_responses_are_utf8_json():
    r = api("GET", "languages", headers={"X-Language": "jp"})
    assert r.headers["Content-Type"].startswith("application/json")
    assert "charset=utf-8" in r.headers["Content-Type"].lower()
    assert "日本語" in r.content.decode("utf-8")


# --- CORS (H2) -----------------------------------------------------------------------------------

def test_cors_preflight_from_allowed_origin():
    r = api("OPTIONS", "profile", headers={"Origin": ALLOWED_ORIGIN,
                                            "Access-Control-Request-Method": "PUT",
                                            "Access-Control-Request-Headers": "authorization, content-type"})
    assert r.status_code == 204, r.text
    assert r.headers.get("Access-Control-Allow-Origin") == ALLOWED_ORIGIN
    assert r.headers.get("Access-Control-Allow-Credentials") == "true"
    methods = {m.strip() for m in r.headers.get("Access-Control-Allow-Methods", "").split(",")}
    assert "PUT" in methods
    allowed = r.headers.get("Access-Control-Allow-Headers", "").lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "Origin" in r.headers.get("Vary", "")
    assert r.content == b""
    # The other allowed origin works too, and no auth is needed for a preflight.
    r = api("OPTIONS", "login", headers={"Origin": "https://app.example.com",
                                          "Access-Control-Request-Method": "POST"})
    assert r.status_code == 204
    assert r.headers.get("Access-Control-Allow-Origin") == "https://app.example.com"


@pytest.mark.parametrize("origin", [EVIL_ORIGIN, "http://localhost:3000.evil.example",
                                    "http://localhost:3001", "null", "HTTP://LOCALHOST:3000"])
def test_cors_preflight_from_other_origin_is_403(origin):
    r = api("OPTIONS", "profile", headers={"Origin": origin,
                                            "Access-Control-Request-Method": "GET"})
    assert_error(r, 403, "origin_not_allowed")
    assert "Access-Control-Allow-Origin" not in r.headers
    assert "Access-Control-Allow-Credentials" not in r.headers


def test_cors_simple_requests():
    u = register()
    r = api("GET", "profile", token=u.access, headers={"Origin": ALLOWED_ORIGIN})
    assert r.status_code == 200
    assert r.headers.get("Access-Control-Allow-Origin") == ALLOWED_ORIGIN
    assert r.headers.get("Access-Control-Allow-Credentials") == "true"
    r = api("GET", "profile", token=u.access, headers={"Origin": EVIL_ORIGIN})
    assert r.status_code == 200
    assert "Access-Control-Allow-Origin" not in r.headers
    assert "Access-Control-Allow-Credentials" not in r.headers
    # Errors for an allowed origin carry ACAO so the browser can read them; never a wildcard.
    r = api("GET", "profile", headers={"Origin": ALLOWED_ORIGIN})
    assert r.status_code == 401
    assert r.headers.get("Access-Control-Allow-Origin") == ALLOWED_ORIGIN
    for resp in (r, api("GET", "languages", headers={"Origin": EVIL_ORIGIN})):
        assert resp.headers.get("Access-Control-Allow-Origin") != "*"


# --- trusted hosts -------------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["evil.example", "evil.example:%d" % PORT, "localhost.evil.example",
                                  "127.0.0.2"])
def test_untrusted_host_is_400(host):
    status, headers, body = raw_request("GET", API + "/health", headers={"Host": host})
    assert status == 400, body
    b = json.loads(body)
    assert b["code"] == "untrusted_host"
    assert b["detail"] == b["message"] and b["request_id"] == headers.get("x-request-id")
    assert headers.get("content-type", "").startswith("application/json")


def test_trusted_hosts_are_served():
    for host in ("localhost", "localhost:%d" % PORT, "127.0.0.1:%d" % PORT, "LOCALHOST"):
        status, _, body = raw_request("GET", API + "/health", headers={"Host": host})
        assert status == 200, (host, body)


def test_untrusted_host_on_login_refused_before_anything_else():
    status, headers, body = raw_request(
        "POST", API + "/login", body=b'{"username":"x","password":"y"}',
        headers={"Host": "evil.example", "Content-Type": "application/json"})
    assert status == 400 and json.loads(body)["code"] == "untrusted_host"


# --- health and the OpenAPI document ---------------------------------------------------------

@pytest.mark.parametrize("path", ["/health", "/api/v1/health"])
def test_health(path):
    r = api("GET", path)
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/health/ready", "/api/v1/health/ready"])
def test_health_ready(path):
    r = api("GET", path)
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "postgres": "ok", "redis": "ok"}


def test_health_needs_no_auth_and_ignores_bad_tokens():
    r = api("GET", "/health", headers={"Authorization": "Bearer garbage"})
    assert r.status_code == 200


def test_openapi_document():
    r = api("GET", "openapi.json")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    doc = r.json()
    assert doc["openapi"].startswith("3.1.")
    assert doc["info"]["title"]
    paths = doc["paths"]
    expected = {
        "/health": "get", "/health/ready": "get", "/api/v1/health": "get",
        "/api/v1/health/ready": "get", "/api/v1/openapi.json": "get",
        "/api/v1/register": "post", "/api/v1/login": "post", "/api/v1/refresh-token": "post",
        "/api/v1/logout": "post", "/api/v1/profile": "put", "/api/v1/change-password": "post",
        "/api/v1/users/search": "get", "/api/v1/users/{user_id}": "get",
        "/api/v1/ws-ticket": "post", "/api/v1/languages": "get",
        "/api/v1/language/current": "get", "/api/v1/language/test": "get",
    }
    for path, method in expected.items():
        assert path in paths, path
        assert method in paths[path], (path, method)
    assert "get" in paths["/api/v1/profile"]
    # The internal handshake check is not part of the public document.
    assert "/internal/ws-auth" not in paths


def test_nginx_own_errors_follow_the_error_contract():
    # Requests nginx refuses before the API sees them: a NUL in the path and an oversized
    # header. DESIGN.md §2: every status >= 400 is the JSON error body.
    for status_ok, req in (
            ((400, 404), lambda: api("GET", "/api/v1/users/%00")),
            ((400, 401, 431), lambda: api("GET", "profile", headers={"X-Big": "a" * 20000}))):
        r = req()
        assert r.status_code in status_ok, r.status_code
        assert_error(r, r.status_code)
