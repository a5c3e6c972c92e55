"""Tokens: refresh rotation and reuse detection, forged and malformed JWTs, tickets
(DESIGN.md §4.1; RELIABILITY §2 A1-A5, A7, A15, B1, B4)."""
import json
import re
import threading
import time

import pytest

from conftest import (api, assert_error, b64url, b64url_decode, claims_like, forge_jwt,
                      jwt_parts, register, ws_open, ws_wait_close)


# --- refresh rotation (B1) -----------------------------------------------------------------------

def test_refresh_rotation_returns_a_new_pair_that_works():
    u = register()
    r = api("POST", "refresh-token", json_body={"refresh_token": u.refresh})
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["token_type"] == "bearer" and b["expires_in"] > 0
    assert b["user"]["id"] == u.id
    assert b["access_token"] != u.access and b["refresh_token"] != u.refresh
    assert api("GET", "profile", token=b["access_token"]).status_code == 200
    # The new refresh token rotates again.
    r2 = api("POST", "refresh-token", json_body={"refresh_token": b["refresh_token"]})
    assert r2.status_code == 200, r2.text


def test_b1_reusing_an_old_refresh_token_revokes_the_whole_family(sockets):
    u = register()
    ws, _ = ws_open(u.access)
    sockets.append(ws)
    r = api("POST", "refresh-token", json_body={"refresh_token": u.refresh})
    assert r.status_code == 200, r.text
    r2_refresh, r2_access = r.json()["refresh_token"], r.json()["access_token"]
    # Reuse of R1: 401 and the family is gone.
    reuse = api("POST", "refresh-token", json_body={"refresh_token": u.refresh})
    assert_error(reuse, 401, "refresh_token_reused")
    assert_error(api("POST", "refresh-token", json_body={"refresh_token": r2_refresh}), 401)
    assert_error(api("GET", "profile", token=r2_access), 401)
    assert_error(api("GET", "profile", token=u.access), 401)
    got = ws_wait_close(ws, timeout=5.0)
    assert got[0] == "close" and got[1] == 4010, got


def test_b1_reuse_does_not_touch_the_users_other_sessions():
    u = register()
    r = api("POST", "login", json_body={"username": u.username, "password": u.password})
    assert r.status_code == 200
    other_access = r.json()["access_token"]
    assert api("POST", "refresh-token", json_body={"refresh_token": u.refresh}).status_code == 200
    assert api("POST", "refresh-token", json_body={"refresh_token": u.refresh}).status_code == 401
    assert api("GET", "profile", token=other_access).status_code == 200


def test_b4_concurrent_refreshes_with_the_same_token_at_most_one_succeeds():
    for _ in range(4):
        u = register()
        barrier = threading.Barrier(2)
        results = [None, None]

        def go(i):
            barrier.wait()
            results[i] = api("POST", "refresh-token", json_body={"refresh_token": u.refresh})

        threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        statuses = sorted(r.status_code for r in results)
        assert statuses != [200, 200], [r.text for r in results]
        for r in results:
            if r.status_code != 200:
                assert_error(r, 401)


def test_refresh_token_validation():
    assert_error(api("POST", "refresh-token", json_body={}), 422, "validation_error")
    assert_error(api("POST", "refresh-token", json_body={"refresh_token": 5}), 422,
                 "validation_error")
    assert_error(api("POST", "refresh-token", json_body={"refresh_token": "garbage"}), 401,
                 "invalid_token")


# --- A5: token types are not interchangeable ------------------------------------------------------

def test_a5_refresh_token_as_bearer_is_401():
    u = register()
    assert_error(api("GET", "profile", token=u.refresh), 401, "invalid_token")
    assert_error(api("POST", "ws-ticket", token=u.refresh), 401, "invalid_token")


def test_a5_access_token_at_refresh_endpoint_is_401():
    u = register()
    assert_error(api("POST", "refresh-token", json_body={"refresh_token": u.access}), 401,
                 "invalid_token")
    # The session survives that mistake.
    assert api("GET", "profile", token=u.access).status_code == 200


# --- A1-A4: forged tokens --------------------------------------------------------------------------

@pytest.mark.parametrize("alg", ["none", "None", "nOnE", "NONE"])
def test_a1_alg_none_is_401(alg):
    u = register()
    claims = claims_like(u)
    token = forge_jwt({"alg": alg, "typ": "JWT"}, claims, signature="")  # "header.payload."
    assert_error(api("GET", "profile", token=token), 401, "invalid_token")
    # The same with a made-up signature.
    token = forge_jwt({"alg": alg, "typ": "JWT"}, claims, signature=b64url(b"x" * 32))
    assert_error(api("GET", "profile", token=token), 401, "invalid_token")
    # The same claims with the real token's signature slot emptied.
    h, p, _ = u.access.split(".")
    assert_error(api("GET", "profile", token=h + "." + p + "."), 401)


@pytest.mark.parametrize("alg", ["HS384", "HS512", "RS256", "ES256", "PS256"])
def test_a2_other_algorithms_resigned_with_guessed_keys_are_401(alg):
    u = register()
    claims = claims_like(u)
    for key in (b"secret", b"", b"nerutalk", b"your-secret-key", b"changeme"):
        sign_alg = alg if alg in ("HS384", "HS512") else "HS256"
        token = forge_jwt({"alg": alg, "typ": "JWT"}, claims, key=key or b"\0", alg=sign_alg)
        assert_error(api("GET", "profile", token=token), 401)


def test_a2_hs256_with_guessed_key_is_401():
    u = register()
    claims = claims_like(u)
    for key in (b"secret", b"nerutalk", b"your-secret-key", b"x" * 64):
        token = forge_jwt({"alg": "HS256", "typ": "JWT"}, claims, key=key)
        assert_error(api("GET", "profile", token=token), 401, "invalid_token")


def test_a3_changed_sub_with_original_signature_is_401():
    victim = register()
    attacker = register()
    h, p, s = attacker.access.split(".")
    claims = jwt_parts(attacker.access)[1]
    claims["sub"] = victim.id
    forged = h + "." + b64url(json.dumps(claims, separators=(",", ":"))) + "." + s
    assert_error(api("GET", "profile", token=forged), 401)
    # Sanity: the untouched token works.
    r = api("GET", "profile", token=attacker.access)
    assert r.status_code == 200 and r.json()["id"] == attacker.id


def test_a3_one_flipped_signature_bit_is_401():
    u = register()
    h, p, s = u.access.split(".")
    sig = bytearray(b64url_decode(s))
    for bit in (0, 7, 100, 255):
        flipped = bytearray(sig)
        flipped[bit // 8] ^= 1 << (bit % 8)
        token = h + "." + p + "." + b64url(bytes(flipped))
        assert_error(api("GET", "profile", token=token), 401, "invalid_token")
    assert api("GET", "profile", token=u.access).status_code == 200


def test_a4_expired_missing_exp_and_future_nbf_are_401():
    u = register()
    now = int(time.time())
    for claims in (claims_like(u, exp=now - 3600, iat=now - 7200),
                   {k: v for k, v in claims_like(u).items() if k != "exp"},
                   claims_like(u, nbf=now + 3600)):
        token = forge_jwt({"alg": "HS256", "typ": "JWT"}, claims)
        assert_error(api("GET", "profile", token=token), 401)


# --- A7: malformed tokens ------------------------------------------------------------------------

def malformed_tokens(u):
    h, p, s = u.access.split(".")
    return [
        h + "." + p,                              # 2 segments
        h + "." + p + "." + s + "." + s,          # 4 segments
        "!!!." + p + "." + s,                     # bad base64url in the header
        h + ".%%%%." + s,                         # bad base64url in the payload
        h + "." + p + ".***",                     # bad base64url in the signature
        b64url("not json") + "." + p + "." + s,   # header is not JSON
        b64url('{"alg":"HS256","alg":"none"}') + "." + p + "." + s,  # duplicate alg
        b64url("[" * 2000 + "]" * 2000) + "." + p + "." + s,        # deep header nesting
        "..",
        ".",
        "a",
        "é.é.é",
    ]


def test_a7_malformed_tokens_are_401_never_500():
    u = register()
    for token in malformed_tokens(u):
        r = api("GET", "profile", headers={"Authorization": "Bearer " + token})
        assert_error(r, 401)


def test_a7_16kb_header_is_401_never_500():
    u = register()
    token = forge_jwt({"alg": "HS256", "typ": "JWT", "pad": "a" * 16384}, claims_like(u))
    assert_error(api("GET", "profile", token=token), 401)


def test_a7_16kb_refresh_token_is_refused_never_500():
    u = register()
    token = forge_jwt({"alg": "HS256", "typ": "JWT", "pad": "a" * 16384},
                      claims_like(u, typ="refresh"))
    r = api("POST", "refresh-token", json_body={"refresh_token": token})
    assert r.status_code in (401, 422), r.text
    assert_error(r, r.status_code)


def test_authorization_scheme_must_be_bearer():
    u = register()
    for value in ("Basic " + b64url("a:b"), "Token " + u.access, u.access, "Bearer",
                  "Bearer ", "Bearer  " + u.access + "x"):
        r = api("GET", "profile", headers={"Authorization": value})
        assert_error(r, 401)


def test_missing_authorization_is_not_authenticated():
    for method, path in (("GET", "profile"), ("PUT", "profile"), ("POST", "change-password"),
                         ("GET", "users/search?q=a"), ("POST", "ws-ticket"), ("POST", "logout")):
        r = api(method, path)
        assert_error(r, 401, "not_authenticated")


# --- A15: tokens only in the Authorization header ----------------------------------------------------

def test_a15_access_token_in_query_string_is_401():
    u = register()
    r = api("GET", "profile?access_token=" + u.access)
    assert_error(r, 401, "not_authenticated")
    r = api("GET", "profile?token=" + u.access)
    assert_error(r, 401, "not_authenticated")


# --- ws-ticket ---------------------------------------------------------------------------------

def test_ws_ticket_shape():
    u = register()
    r = api("POST", "ws-ticket", token=u.access)
    assert r.status_code == 200, r.text
    b = r.json()
    assert re.match(r"^[A-Za-z0-9_-]{43}$", b["ticket"]), b
    assert b["expires_in"] == 60
    assert r.headers.get("Cache-Control") == "no-store"
    # Every ticket is new.
    assert api("POST", "ws-ticket", token=u.access).json()["ticket"] != b["ticket"]
