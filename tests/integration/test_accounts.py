"""Accounts: register, login, logout, change-password (DESIGN.md §4.1; RELIABILITY §2 A, B)."""
import time

from conftest import (PASSWORD, RFC3339_MS, UUID_RE, api, assert_error, field_codes, login,
                      login_ok, register, unique_name, ws_open, ws_wait_close, ws_wait_type)

PROFILE_KEYS = {"id", "username", "email", "display_name", "avatar_url", "bio", "language",
                "is_verified", "created_at", "last_seen"}


def assert_token_response(body):
    assert set(body) >= {"user", "access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert isinstance(body["expires_in"], int) and body["expires_in"] > 0
    assert body["access_token"].count(".") == 2 and body["refresh_token"].count(".") == 2
    assert body["access_token"] != body["refresh_token"]
    assert set(body["user"]) >= PROFILE_KEYS
    assert "password" not in str(sorted(body["user"]))
    assert "password_hash" not in body["user"]


# --- register ---------------------------------------------------------------------------------

def test_register_returns_user_and_tokens_and_stores_username_lower_case():
    name = unique_name("Mixed_Case_")
    u = register(username=name, display_name="Mixed Person")
    assert u.response.status_code == 201
    assert_token_response(u.body)
    assert u.body["expires_in"] == 1800
    assert UUID_RE.match(u.id)
    assert u.user["username"] == name.lower()
    assert u.user["email"] == u.email
    assert u.user["display_name"] == "Mixed Person"
    assert u.user["is_verified"] is False
    assert RFC3339_MS.match(u.user["created_at"])
    # The access token works at once and names the same user.
    r = api("GET", "profile", token=u.access)
    assert r.status_code == 200
    assert r.json()["id"] == u.id and r.json()["username"] == name.lower()


def test_register_duplicate_username_case_insensitive_and_email_conflict():
    u = register()
    b = register(username=u.username.upper(), email=unique_name() + "@example.com", expect=409)
    assert b["code"] == "username_taken"
    b = register(username=unique_name(), email=u.email.upper(), expect=409)
    assert b["code"] == "email_taken"


def test_register_duplicate_gives_full_error_body():
    u = register()
    r = api("POST", "register", json_body={"username": u.username, "email": "x" + u.email,
                                           "password": PASSWORD})
    assert_error(r, 409, "username_taken")


def test_register_validation_errors_list_each_field():
    r = api("POST", "register", json_body={"username": "a b", "email": "not-an-email",
                                           "password": "short"})
    body = assert_error(r, 422, "validation_error")
    codes = field_codes(body)
    assert ("username", "invalid_username") in codes
    assert ("email", "invalid_email") in codes
    assert ("password", "password_too_short") in codes


def test_register_missing_fields_are_required():
    r = api("POST", "register", json_body={})
    body = assert_error(r, 422, "validation_error")
    fields = {f for f, c in field_codes(body) if c == "required"}
    assert fields >= {"username", "email", "password"}


def test_register_wrong_types_are_422():
    r = api("POST", "register", json_body={"username": 12345, "email": ["a@b.c"],
                                           "password": True})
    body = assert_error(r, 422, "validation_error")
    assert {f for f, _ in field_codes(body)} >= {"username", "email", "password"}


def test_register_weak_password_without_digit_or_upper_is_422():
    for pw in ("alllowercase1", "ALLUPPERCASE1", "NoDigitsHere"):
        r = api("POST", "register", json_body={"username": unique_name(),
                                               "email": unique_name() + "@example.com",
                                               "password": pw})
        body = assert_error(r, 422, "validation_error")
        assert ("password", "weak_password") in field_codes(body), pw


def test_register_common_breached_password_refused():
    r = api("POST", "register", json_body={"username": unique_name(),
                                           "email": unique_name() + "@example.com",
                                           "password": "Password123"})
    body = assert_error(r, 422, "validation_error")
    assert ("password", "weak_password") in field_codes(body)


def test_a11_password_over_72_bytes_refused_never_truncated():
    name = unique_name()
    pw = "a" * 72 + "X"
    r = api("POST", "register", json_body={"username": name, "email": name + "@example.com",
                                           "password": pw + "1"})
    body = assert_error(r, 422, "validation_error")
    assert ("password", "password_too_long") in field_codes(body)
    # The account does not exist: a login with the 72-byte prefix fails like any other.
    r = login(name, "a" * 72 + "Y")
    assert_error(r, 401, "invalid_credentials")


def test_a11_72_a_plus_X_exactly_refused():
    name = unique_name()
    r = api("POST", "register", json_body={"username": name, "email": name + "@example.com",
                                           "password": "a" * 72 + "X"})
    assert_error(r, 422, "validation_error")


def test_a12_seven_byte_password_refused():
    r = api("POST", "register", json_body={"username": unique_name(),
                                           "email": unique_name() + "@example.com",
                                           "password": "Abcde12"})
    body = assert_error(r, 422, "validation_error")
    assert ("password", "password_too_short") in field_codes(body)


def test_a12_multibyte_password_accepted_and_logs_in():
    pw = "Aa1" + "漢字" * 5 + "😀" * 5 + "パスワード"  # 3 + 30 + 20 + 15 = 68 bytes
    assert len(pw.encode()) <= 72
    u = register(password=pw)
    r = login(u.username, pw)
    assert r.status_code == 200, r.text
    # A different emoji (same length in bytes) does not.
    assert_error(login(u.username, pw.replace("😀", "😁", 1)), 401, "invalid_credentials")


def test_a12_multibyte_password_over_72_bytes_refused():
    pw = "Aa1" + "😀" * 18  # 3 + 72 bytes, only 21 characters
    r = api("POST", "register", json_body={"username": unique_name(),
                                           "email": unique_name() + "@example.com",
                                           "password": pw})
    body = assert_error(r, 422, "validation_error")
    assert ("password", "password_too_long") in field_codes(body)


# --- login ------------------------------------------------------------------------------------

def test_login_by_username_and_by_email():
    u = register()
    r = login(u.username, u.password)
    assert r.status_code == 200, r.text
    assert_token_response(r.json())
    assert r.json()["user"]["id"] == u.id
    r2 = login(u.email, u.password, field="email")
    assert r2.status_code == 200, r2.text
    assert r2.json()["user"]["id"] == u.id
    # Each login is a new session with its own tokens.
    assert len({u.access, r.json()["access_token"], r2.json()["access_token"]}) == 3
    assert api("GET", "profile", token=r2.json()["access_token"]).status_code == 200


def test_login_username_is_case_insensitive():
    u = register()
    r = login(u.username.upper(), u.password)
    assert r.status_code == 200, r.text


def test_login_without_identifier_is_422():
    r = api("POST", "login", json_body={"password": PASSWORD})
    body = assert_error(r, 422, "validation_error")
    assert ("username", "one_of_required") in field_codes(body)


def test_a10_unknown_user_and_wrong_password_look_the_same():
    u = register()
    r1 = login(u.username, "Wrong1Password")
    r2 = login(unique_name(), "Wrong1Password")
    b1 = assert_error(r1, 401, "invalid_credentials")
    b2 = assert_error(r2, 401, "invalid_credentials")
    assert set(b1) == set(b2)
    assert b1["detail"] == b2["detail"] and b1["message"] == b2["message"]
    strip = lambda h: {k.lower() for k in h} - {"date", "content-length", "x-request-id"}
    assert strip(r1.headers) == strip(r2.headers)


def test_a14_4kb_password_at_login_is_refused_quickly_never_500():
    u = register()
    t0 = time.monotonic()
    r = login(u.username, "A1a" + "x" * 4096)
    elapsed = time.monotonic() - t0
    assert r.status_code in (401, 422), r.text
    assert_error(r, r.status_code)
    assert elapsed < 2.0, elapsed


# --- logout -----------------------------------------------------------------------------------

def test_logout_revokes_access_refresh_and_closes_websocket(sockets):
    u = register()
    ws, _ = ws_open(u.access)
    sockets.append(ws)
    r = api("POST", "logout", token=u.access)
    assert r.status_code == 200, r.text
    assert isinstance(r.json().get("message"), str) and r.json()["message"]
    t0 = time.monotonic()
    # The access token is dead at once (B2: denylist by session, not waiting for exp).
    assert_error(api("GET", "profile", token=u.access), 401)
    assert_error(api("POST", "refresh-token", json_body={"refresh_token": u.refresh}), 401)
    got = ws_wait_close(ws, timeout=5.0)
    assert got[0] == "close" and got[1] == 4010, got
    assert time.monotonic() - t0 <= 5.5


def test_logout_only_ends_the_calling_session():
    u = register()
    access2, refresh2 = login_ok(u)
    assert api("POST", "logout", token=u.access).status_code == 200
    assert api("GET", "profile", token=access2).status_code == 200
    r = api("POST", "refresh-token", json_body={"refresh_token": refresh2})
    assert r.status_code == 200, r.text


def test_logout_requires_authentication():
    assert_error(api("POST", "logout"), 401, "not_authenticated")


def test_logout_twice_second_is_401():
    u = register()
    assert api("POST", "logout", token=u.access).status_code == 200
    assert_error(api("POST", "logout", token=u.access), 401)


# --- change password ---------------------------------------------------------------------------

def test_change_password_wrong_current_is_403():
    u = register()
    r = api("POST", "change-password", token=u.access,
            json_body={"current_password": "Wrong1Password", "new_password": "Another2Horse"})
    assert_error(r, 403, "wrong_password")
    # Nothing changed: the old password still logs in.
    assert login(u.username, u.password).status_code == 200


def test_change_password_weak_new_is_422():
    u = register()
    r = api("POST", "change-password", token=u.access,
            json_body={"current_password": u.password, "new_password": "weak"})
    body = assert_error(r, 422, "validation_error")
    assert "new_password" in {f for f, _ in field_codes(body)}


def test_a13_change_password_without_current_is_refused():
    u = register()
    r = api("POST", "change-password", token=u.access, json_body={"new_password": "Another2Horse"})
    assert r.status_code in (400, 403, 422), r.text
    assert_error(r, r.status_code)
    assert login(u.username, u.password).status_code == 200


def test_change_password_revokes_other_sessions_and_their_sockets(sockets):
    u = register()
    other_access, other_refresh = login_ok(u)
    other_ws, _ = ws_open(other_access)
    own_ws, _ = ws_open(u.access)
    sockets.extend([other_ws, own_ws])
    new_pw = "Another2Horse"
    r = api("POST", "change-password", token=u.access,
            json_body={"current_password": u.password, "new_password": new_pw})
    assert r.status_code == 200, r.text
    assert isinstance(r.json().get("message"), str)
    # Other session: refresh and access dead, socket closed with 4010.
    assert_error(api("POST", "refresh-token", json_body={"refresh_token": other_refresh}), 401)
    assert_error(api("GET", "profile", token=other_access), 401)
    got = ws_wait_close(other_ws, timeout=5.0)
    assert got[0] == "close" and got[1] == 4010, got
    # The calling session keeps working, its socket stays open.
    assert api("GET", "profile", token=u.access).status_code == 200
    own_ws.send('{"type":"ping","id":"still-here"}')
    got = ws_wait_type(own_ws, "pong", timeout=5.0)
    assert got[0] == "text" and got[1]["data"] == {"id": "still-here"}, got
    r = api("POST", "refresh-token", json_body={"refresh_token": u.refresh})
    assert r.status_code == 200, r.text
    # The new password logs in, the old one does not.
    assert login(u.username, new_pw).status_code == 200
    assert_error(login(u.username, u.password), 401, "invalid_credentials")
