"""Own profile, public profiles and user search (DESIGN.md §4.1; RELIABILITY §2 C8, C9, D8-D10)."""
import uuid

from conftest import (UUID_RE, api, assert_error, field_codes, register, unique_name, ws_open,
                      wait_until)

PUBLIC_KEYS = {"id", "username", "display_name", "avatar_url", "bio", "created_at", "status",
               "is_online", "last_seen"}
PRIVATE_HINTS = ("email", "password", "password_hash", "is_admin", "is_active", "language")


# --- GET / PUT /profile ----------------------------------------------------------------------------

def test_get_profile():
    u = register(display_name="Prof Ile")
    r = api("GET", "profile", token=u.access)
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["id"] == u.id and p["username"] == u.username and p["email"] == u.email
    assert p["display_name"] == "Prof Ile"
    assert p["avatar_url"] is None and p["bio"] is None
    assert "password_hash" not in p and "password" not in p
    assert r.headers.get("Cache-Control") == "no-store"


def test_put_profile_changes_allowed_fields():
    u = register()
    r = api("PUT", "profile", token=u.access,
            json_body={"display_name": "New Name", "bio": "Hello there", "language": "ko"})
    assert r.status_code == 200, r.text
    assert r.json()["display_name"] == "New Name"
    assert r.json()["bio"] == "Hello there"
    assert r.json()["language"] == "ko"
    again = api("GET", "profile", token=u.access).json()
    assert (again["display_name"], again["bio"], again["language"]) == ("New Name", "Hello there", "ko")


def test_put_profile_absent_fields_unchanged_null_clears():
    u = register(display_name="Keep Me")
    assert api("PUT", "profile", token=u.access, json_body={"bio": "b1"}).status_code == 200
    p = api("GET", "profile", token=u.access).json()
    assert p["display_name"] == "Keep Me" and p["bio"] == "b1"
    assert api("PUT", "profile", token=u.access, json_body={"bio": None}).status_code == 200
    p = api("GET", "profile", token=u.access).json()
    assert p["bio"] is None and p["display_name"] == "Keep Me"


def test_c8_put_profile_ignores_protected_fields():
    u = register()
    other = register()
    before = api("GET", "profile", token=u.access).json()
    r = api("PUT", "profile", token=u.access, json_body={
        "id": other.id, "email": "hijack@example.com", "username": "hijacked_" + unique_name(),
        "is_admin": True, "is_verified": True, "created_at": "2000-01-01T00:00:00.000Z",
        "password_hash": "$2b$04$abcdefghijklmnopqrstuv", "display_name": "Only This"})
    assert r.status_code == 200, r.text
    assert r.json()["display_name"] == "Only This"
    after = api("GET", "profile", token=u.access).json()
    assert after["display_name"] == "Only This"
    for k in ("id", "email", "username", "is_verified", "created_at"):
        assert after[k] == before[k], k
    assert "is_admin" not in after or after["is_admin"] is False
    # The password did not change either.
    assert api("POST", "login", json_body={"username": u.username,
                                           "password": u.password}).status_code == 200
    # And the other user is untouched.
    assert api("GET", "profile", token=other.access).json()["email"] == other.email


def test_put_profile_validation():
    u = register()
    r = api("PUT", "profile", token=u.access, json_body={"language": "fr"})
    body = assert_error(r, 422, "validation_error")
    assert ("language", "invalid_language") in field_codes(body)
    r = api("PUT", "profile", token=u.access, json_body={"display_name": "x" * 101})
    body = assert_error(r, 422, "validation_error")
    assert ("display_name", "too_long") in field_codes(body)
    r = api("PUT", "profile", token=u.access, json_body={"bio": 42})
    body = assert_error(r, 422, "validation_error")
    assert "bio" in {f for f, _ in field_codes(body)}


def test_d10_xss_in_display_name_is_stored_verbatim_and_served_as_json():
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    u = register()
    r = api("PUT", "profile", token=u.access, json_body={"display_name": payload})
    assert r.status_code == 200, r.text
    assert r.json()["display_name"] == payload
    viewer = register()
    r = api("GET", "users/" + u.id, token=viewer.access)
    assert r.status_code == 200
    assert r.json()["display_name"] == payload
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers.get("X-Content-Type-Options") == "nosniff"


# --- GET /users/{id} -----------------------------------------------------------------------------

def test_c9_public_profile_has_no_private_fields():
    target = register(display_name="Public Person")
    viewer = register()
    r = api("GET", "users/" + target.id, token=viewer.access)
    assert r.status_code == 200, r.text
    b = r.json()
    assert set(b) >= PUBLIC_KEYS
    for k in PRIVATE_HINTS:
        assert k not in b, k
    assert target.email not in r.text
    assert b["id"] == target.id and b["username"] == target.username
    assert b["display_name"] == "Public Person"
    assert b["status"] in ("online", "offline", "unknown")
    assert b["is_online"] is (b["status"] == "online")


def test_public_profile_shows_online_while_connected(sockets):
    target = register()
    viewer = register()
    assert api("GET", "users/" + target.id, token=viewer.access).json()["is_online"] is False
    ws, _ = ws_open(target.access)
    sockets.append(ws)
    wait_until(lambda: api("GET", "users/" + target.id, token=viewer.access).json()["status"]
               == "online", 5, 0.1, "status online")


def test_unknown_or_malformed_user_id_is_404():
    viewer = register()
    for uid in (str(uuid.uuid4()), "not-a-uuid", "1", "' OR 1=1 --", "x" * 300, "..%2f..%2f"):
        r = api("GET", "users/" + uid, token=viewer.access)
        assert_error(r, 404, "not_found")


def test_users_id_requires_auth():
    target = register()
    assert_error(api("GET", "users/" + target.id), 401, "not_authenticated")


# --- GET /users/search ---------------------------------------------------------------------------

def make_family(n, prefix=None):
    prefix = prefix or ("s" + uuid.uuid4().hex[:10])
    return prefix, [register(username="%s_%02d" % (prefix, i)) for i in range(n)]


def test_search_prefix_on_username():
    prefix, users = make_family(3)
    viewer = register()
    r = api("GET", "users/search", token=viewer.access, params={"q": prefix})
    assert r.status_code == 200, r.text
    b = r.json()
    assert set(b) >= {"users", "limit", "offset"}
    assert b["limit"] == 50 and b["offset"] == 0
    names = [x["username"] for x in b["users"]]
    assert names == sorted(u.username for u in users)
    for x in b["users"]:
        assert set(x) >= PUBLIC_KEYS and "email" not in x
    # Case-insensitive, and a prefix only: a middle part does not match.
    r = api("GET", "users/search", token=viewer.access, params={"q": prefix.upper()})
    assert len(r.json()["users"]) == 3
    r = api("GET", "users/search", token=viewer.access, params={"q": prefix[3:]})
    assert all(not x["username"].startswith(prefix) for x in r.json()["users"])


def test_search_limit_and_offset():
    prefix, users = make_family(5)
    viewer = register()
    names = sorted(u.username for u in users)
    r = api("GET", "users/search", token=viewer.access, params={"q": prefix, "limit": 2})
    assert [x["username"] for x in r.json()["users"]] == names[:2]
    assert r.json()["limit"] == 2
    r = api("GET", "users/search", token=viewer.access,
            params={"q": prefix, "limit": 2, "offset": 2})
    assert [x["username"] for x in r.json()["users"]] == names[2:4]
    assert r.json()["offset"] == 2
    r = api("GET", "users/search", token=viewer.access,
            params={"q": prefix, "limit": 10, "offset": 4})
    assert [x["username"] for x in r.json()["users"]] == names[4:]
    r = api("GET", "users/search", token=viewer.access, params={"q": prefix, "limit": 0})
    assert r.status_code == 200 and r.json()["users"] == []


def test_search_limit_capped_at_100():
    viewer = register()
    for limit in ("1000", "1000000000"):
        r = api("GET", "users/search", token=viewer.access, params={"q": "a", "limit": limit})
        assert r.status_code == 200, r.text
        assert r.json()["limit"] == 100
        assert len(r.json()["users"]) <= 100


def test_d8_bad_limits_are_422():
    viewer = register()
    for limit in ("abc", "-1", "12abc", "1e9", "1.5", "", "99999999999999999999999"):
        r = api("GET", "users/search", token=viewer.access, params={"q": "a", "limit": limit})
        if r.status_code == 200:
            assert r.json()["limit"] <= 100, (limit, r.text)  # capped is allowed by D8
            continue
        body = assert_error(r, 422, "validation_error")
        assert ("limit", "invalid_format") in field_codes(body), limit
    r = api("GET", "users/search", token=viewer.access, params={"q": "a", "offset": "-5"})
    body = assert_error(r, 422, "validation_error")
    assert ("offset", "invalid_format") in field_codes(body)


def test_search_limit_abc_and_minus_one_are_422():
    viewer = register()
    for limit in ("abc", "-1"):
        r = api("GET", "users/search", token=viewer.access, params={"q": "a", "limit": limit})
        assert_error(r, 422, "validation_error")


def test_search_q_missing_empty_or_too_long_is_422():
    viewer = register()
    body = assert_error(api("GET", "users/search", token=viewer.access), 422, "validation_error")
    assert ("q", "required") in field_codes(body)
    body = assert_error(api("GET", "users/search", token=viewer.access, params={"q": ""}), 422)
    assert ("q", "required") in field_codes(body)
    body = assert_error(api("GET", "users/search", token=viewer.access, params={"q": "a" * 101}),
                        422)
    assert ("q", "too_long") in field_codes(body)


def test_search_wildcards_match_literally():
    prefix, users = make_family(2)
    viewer = register()
    for q in ("%", "_", "\\", prefix[:3] + "%"):
        r = api("GET", "users/search", token=viewer.access, params={"q": q, "limit": 100})
        assert r.status_code == 200, r.text
        for x in r.json()["users"]:
            assert x["username"].startswith(q.lower()) or \
                (x["display_name"] or "").lower().startswith(q.lower()), (q, x)


def test_search_matches_display_name_prefix():
    tag = "Zq" + uuid.uuid4().hex[:10]
    target = register(display_name=tag + " Person")
    viewer = register()
    r = api("GET", "users/search", token=viewer.access, params={"q": tag.lower()})
    assert [x["id"] for x in r.json()["users"]] == [target.id]


def test_d9_sql_injection_strings_are_data():
    viewer = register()
    # Each probe ends with a tag of this run: the display name stored below must not be
    # found by the searches of a later run against the same database (prefix match).
    tag = " " + uuid.uuid4().hex[:12]
    probes = [p + tag for p in ("' OR '1'='1", "'; DROP TABLE users; --", "\" OR 1=1 --",
                                "a' UNION SELECT password_hash FROM users --",
                                "\\'; SELECT pg_sleep(5); --", "%' AND 1=1 --")]
    for q in probes:
        r = api("GET", "users/search", token=viewer.access, params={"q": q})
        assert r.status_code == 200, (q, r.text)
        assert r.json()["users"] == [], q
    # In a username: refused by the username rule, no 500.
    r = api("POST", "register", json_body={"username": "x' OR '1'='1",
                                           "email": unique_name() + "@example.com",
                                           "password": "Correct1Horse"})
    assert_error(r, 422, "validation_error")
    # In login fields: just wrong credentials.
    r = api("POST", "login", json_body={"username": "' OR '1'='1' --", "password": "' OR '1'='1"})
    assert_error(r, 401, "invalid_credentials")
    # As display name / bio: stored verbatim.
    u = register()
    r = api("PUT", "profile", token=u.access, json_body={"display_name": probes[1], "bio": probes[3]})
    assert r.status_code == 200
    assert api("GET", "profile", token=u.access).json()["display_name"] == probes[1]
    # The table is still there.
    assert api("GET", "profile", token=viewer.access).status_code == 200


def test_search_invalid_utf8_in_q_is_400():
    viewer = register()
    r = api("GET", "users/search?q=%ff%fe", token=viewer.access)
    assert_error(r, 400)


def test_search_result_ids_are_uuids():
    prefix, users = make_family(1)
    viewer = register()
    r = api("GET", "users/search", token=viewer.access, params={"q": prefix})
    assert all(UUID_RE.match(x["id"]) for x in r.json()["users"])
