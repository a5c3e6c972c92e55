"""Push notifications (DESIGN.md §4.5) against the FCM + OAuth stand-in of scripts/test
(standins/fcm_standin.py, NT_FCM_STANDIN_URL), which verifies every token request's RS256 JWT
with the throwaway service account's public key and checks every messages:send body: device
tokens (own only, moving between users), automatic pushes for messages and mentions to members
with no live connection in their language, the call, geofence and location-share hooks
(through tests/push/push_hooks_check), UNREGISTERED, 503-then-200 and 429 handling, admin send
and broadcast, stats, and the second stack where push is not configured.

Device tokens are unique per test; the stand-in scripts behaviours by token prefix
("unregistered-", "flaky-", "ratelimit-"). A push is final when the recipient's stats show no
pending row: only then is "exactly one request" asserted.
"""
import os
import re
import subprocess
import uuid

import pytest

from conftest import (NT_ROOT, api, assert_error, create_group, create_private, env_setting, psql,
                      register, send_message, wait_until, ws_open)
from standins import FcmStandIn, built_program

FCM = FcmStandIn(os.environ.get("NT_FCM_STANDIN_URL", ""))
S3_BASE = os.environ.get("NT_S3_BASE_URL", "")
HOOKS = built_program(os.path.join("tests", "push", "push_hooks_check"))
MAX_ATTEMPTS = int(env_setting("FCM_MAX_ATTEMPTS", "5"))
MAX_TOKENS = int(env_setting("PUSH_MAX_DEVICE_TOKENS", "20"))
PUSH_WAIT = 20  # seconds for a push to reach a final state (retries with Retry-After: 1 s)


@pytest.fixture(scope="module", autouse=True)
def fcm_standin():
    if not FCM.url:
        pytest.fail("NT_FCM_STANDIN_URL is not set: scripts/test starts the FCM stand-in")


# --------------------------------------------------------------------------------------------
# Helpers

def device(prefix="device"):
    return "%s-%s" % (prefix, uuid.uuid4().hex)


def register_token(user, token=None, device_type="android", device_id=None, expect=201, base=None):
    body = {"token": token or device(), "device_type": device_type}
    if device_id is not None:
        body["device_id"] = device_id
    r = api("POST", "push-notifications/device-tokens", token=user.access, json_body=body, base=base)
    assert r.status_code == expect, (r.status_code, r.text[:500])
    return r.json()


def my_tokens(user):
    r = api("GET", "push-notifications/device-tokens", token=user.access)
    assert r.status_code == 200, r.text
    return r.json()["device_tokens"]


def set_language(user, lang, base=None):
    r = api("PUT", "profile", token=user.access, json_body={"language": lang}, base=base)
    assert r.status_code == 200, r.text


def make_admin(user):
    """No API grants admin rights: an operator sets users.is_admin."""
    psql("UPDATE users SET is_admin = true WHERE id = '%s'" % user.id)


def stats(user, base=None):
    r = api("GET", "push-notifications/stats", token=user.access, base=base)
    assert r.status_code == 200, r.text
    return r.json()


def settled(user, sent=0, failed=0, base=None):
    """Waits until the user's pushes are final with these counts; returns the stats."""
    def done():
        s = stats(user, base)
        return s if s["pending"] == 0 and (s["sent"], s["failed"]) == (sent, failed) else None
    return wait_until(done, PUSH_WAIT, 0.1, "%d sent / %d failed pushes, none pending" % (sent, failed))


def verified_access_tokens():
    return {q["access_token"] for q in FCM.requests("token")
            if q["status"] == 200 and q["verified"]}


def message_of(send):
    return send["body"]["message"]


def wait_online(viewer, user):
    wait_until(lambda: api("GET", "users/" + user.id, token=viewer.access).json()["status"] == "online",
               5, 0.05, "%s shown online" % user.username)


def run_hook(*args):
    env = dict(os.environ, NERUTALK_ENV_FILE=os.environ.get("NT_ENV_FILE", ""))
    proc = subprocess.run([HOOKS, *map(str, args)], env=env, capture_output=True, text=True,
                          timeout=60, cwd=NT_ROOT)
    assert proc.returncode == 0, proc.stderr
    return int(proc.stdout.strip())


# --------------------------------------------------------------------------------------------
# Device tokens

def test_device_tokens_are_registered_listed_updated_and_deleted_by_their_owner_only():
    u, stranger = register(), register()
    t = register_token(u, device_type="ios", device_id="iphone-1")
    assert t["device_type"] == "ios" and t["device_id"] == "iphone-1" and t["is_active"] is True
    assert isinstance(t["id"], int) and t["created_at"] and t["last_used"]
    assert [x["id"] for x in my_tokens(u)] == [t["id"]]
    assert my_tokens(stranger) == []

    path = "push-notifications/device-tokens/%d" % t["id"]
    assert_error(api("PUT", path, token=stranger.access, json_body={"is_active": False}), 404, "not_found")
    assert_error(api("DELETE", path, token=stranger.access), 404, "not_found")
    r = api("PUT", path, token=u.access, json_body={"device_type": "web", "device_id": None,
                                                    "is_active": False})
    assert r.status_code == 200, r.text
    assert (r.json()["device_type"], r.json()["device_id"], r.json()["is_active"]) == ("web", None, False)
    assert my_tokens(u)[0]["is_active"] is False
    assert api("DELETE", path, token=u.access).status_code == 204
    assert my_tokens(u) == []
    assert_error(api("DELETE", path, token=u.access), 404, "not_found")
    assert_error(api("GET", "push-notifications/device-tokens"), 401, "not_authenticated")


def test_device_token_fields_are_validated():
    u = register()
    cases = [({"device_type": "android"}, ("token", "required")),
             ({"token": device(), "device_type": "phone"}, ("device_type", "invalid_choice")),
             ({"token": device()}, ("device_type", "required")),
             ({"token": "x" * 4097, "device_type": "web"}, ("token", "too_long")),
             ({"token": "has space", "device_type": "web"}, ("token", "invalid_format")),
             ({"token": device(), "device_type": "ios", "device_id": "d" * 256}, ("device_id", "too_long"))]
    for body, expected in cases:
        r = api("POST", "push-notifications/device-tokens", token=u.access, json_body=body)
        err = assert_error(r, 422, "validation_error")
        assert expected in {(e["field"], e["code"]) for e in err["errors"]}, (body, err)
    assert register_token(u, token="x" * 4096)["token"] == "x" * 4096
    assert_error(api("PUT", "push-notifications/device-tokens/abc", token=u.access, json_body={}),
                 404, "not_found")


def test_a_token_registered_again_by_another_user_moves_to_them():
    a, b, sender = register(), register(), register(display_name="Mover")
    token = device()
    first = register_token(a, token)
    moved = register_token(b, token, device_type="ios")
    assert moved["id"] == first["id"] and moved["device_type"] == "ios" and moved["is_active"]
    assert my_tokens(a) == []
    assert [t["token"] for t in my_tokens(b)] == [token]
    assert_error(api("DELETE", "push-notifications/device-tokens/%d" % first["id"], token=a.access),
                 404, "not_found")
    # A message to the previous owner no longer reaches the device; one to the new owner does.
    send_message(sender, create_private(sender, a)["id"], "for a")
    assert stats(a)["total"] == 0
    send_message(sender, create_private(sender, b)["id"], "for b")
    settled(b, sent=1)
    assert [message_of(s)["notification"]["body"] for s in FCM.sends_to(token)] == ["for b"]


def test_a_new_token_of_the_same_device_retires_the_old_one_and_old_tokens_are_capped():
    u = register()
    old = register_token(u, device_id="pixel-7")
    new = register_token(u, device_id="pixel-7")
    by_id = {t["id"]: t for t in my_tokens(u)}
    assert by_id[old["id"]]["is_active"] is False and by_id[new["id"]]["is_active"] is True
    for _ in range(MAX_TOKENS):
        register_token(u)
    active = [t for t in my_tokens(u) if t["is_active"]]
    assert len(active) == MAX_TOKENS
    assert new["id"] not in {t["id"] for t in active}  # the least recently used went first
    assert stats(u)["device_tokens"] == {"active": MAX_TOKENS, "inactive": 2}


# --------------------------------------------------------------------------------------------
# Automatic pushes

def test_a_message_to_an_offline_member_is_one_fcm_request_in_their_language(sockets):
    a = register(display_name="Aiko")
    b, c = register(), register()
    set_language(b, "jp")
    set_language(c, "ko")
    tb, tc = register_token(b)["token"], register_token(c)["token"]
    ws, _ = ws_open(c.access)
    sockets.append(ws)
    wait_online(a, c)
    chat = create_group(a, [b, c], name="Team")
    msg = send_message(a, chat["id"], "See you at 8?")

    # The online member has a live connection: no push row at all.
    assert stats(c)["total"] == 0
    s = settled(b, sent=1)
    assert s["by_type"] == {"new_message": {"total": 1, "sent": 1, "failed": 0, "pending": 0}}
    assert s["by_device_type"] == {"android": {"total": 1, "sent": 1, "failed": 0, "pending": 0}}
    [req] = FCM.sends_to(tb)
    assert req["status"] == 200 and req["content_type"].startswith("application/json")
    assert req["path"] == "/v1/projects/nerutalk-test/messages:send"
    assert req["bearer"] in verified_access_tokens()
    m = message_of(req)
    assert m["notification"] == {"title": "TeamのAikoさん", "body": "See you at 8?"}
    assert re.fullmatch(r"[0-9]+", m["data"].pop("notification_id"))
    assert m["data"] == {"type": "new_message", "chat_id": str(chat["id"]),
                         "message_id": str(msg["id"]), "sender_id": a.id}
    assert m["android"]["priority"] == "NORMAL" and m["apns"]["headers"]["apns-priority"] == "5"
    assert FCM.sends_to(tc) == []


def test_private_messages_and_mentions_use_their_own_texts_in_each_language():
    a = register(display_name="Aiko")
    b, d = register(), register()
    set_language(b, "cn")
    set_language(d, "id")
    tb, td = register_token(b)["token"], register_token(d)["token"]

    send_message(a, create_private(a, d)["id"], "halo")
    settled(d, sent=1)
    [private] = FCM.sends_to(td)
    assert message_of(private)["notification"] == {"title": "Pesan baru dari Aiko", "body": "halo"}

    group = create_group(a, [b, d], name="Crew")
    send_message(a, group["id"], "@%s please look" % b.username)
    settled(b, sent=1)
    settled(d, sent=2)
    [mention] = FCM.sends_to(tb)
    assert message_of(mention)["notification"] == {"title": "Aiko在Crew中提到了你",
                                                  "body": "@%s please look" % b.username}
    assert message_of(mention)["data"]["type"] == "mention"
    group_push = FCM.sends_to(td)[-1]
    assert message_of(group_push)["notification"]["title"] == "Aiko di Crew"
    assert message_of(group_push)["data"]["type"] == "new_message"
    assert stats(b)["by_type"] == {"mention": {"total": 1, "sent": 1, "failed": 0, "pending": 0}}


def test_a_long_text_is_cut_and_a_location_is_named_in_the_recipients_language():
    a = register(display_name="Aiko")
    b = register()
    set_language(b, "ko")
    tb = register_token(b)["token"]
    chat = create_private(a, b)
    send_message(a, chat["id"], "가" * 150)
    send_message(a, chat["id"], None, message_type="location",
                 metadata={"latitude": -6.2, "longitude": 106.8})
    settled(b, sent=2)
    texts = sorted(message_of(s)["notification"]["body"] for s in FCM.sends_to(tb))
    preview = int(env_setting("PUSH_PREVIEW_CHARS", "100"))
    assert texts == sorted(["가" * (preview - 1) + "…", "📍 위치"])


def test_call_geofence_and_location_share_hooks_push_in_the_recipients_language():
    caller = register(display_name="Aiko")
    b, c = register(), register()
    set_language(b, "jp")
    tb, tc = register_token(b)["token"], register_token(c)["token"]

    assert run_hook("incoming-call", 77, caller.id, "Aiko", "video", b.id, c.id) == 2
    assert run_hook("missed-call", 78, caller.id, "Aiko", "audio", c.id) == 1
    assert run_hook("geofence-entry", b.id, 5, "Home") == 1
    assert run_hook("geofence-exit", c.id, 6, "Office") == 1
    assert run_hook("location-share", b.id, 9, caller.id, "Aiko") == 1
    settled(b, sent=3)
    settled(c, sent=3)

    def by_type(token):
        return {message_of(s)["data"]["type"]: message_of(s) for s in FCM.sends_to(token)}
    got_b, got_c = by_type(tb), by_type(tc)
    incoming = got_b["incoming_call"]
    assert incoming["notification"] == {"title": "ビデオ通話の着信", "body": "Aikoさんからの着信です"}
    assert incoming["android"]["priority"] == "HIGH"
    assert incoming["apns"]["headers"]["apns-priority"] == "10"
    assert {k: incoming["data"][k] for k in ("call_id", "caller_id", "call_type")} == \
        {"call_id": "77", "caller_id": caller.id, "call_type": "video"}
    assert got_c["incoming_call"]["notification"]["title"] == "Incoming video call"
    assert got_c["missed_call"]["notification"] == {"title": "Missed voice call",
                                                    "body": "You missed a call from Aiko"}
    assert got_c["missed_call"]["android"]["priority"] == "NORMAL"
    assert got_b["geofence_entry"]["notification"] == {"title": "到着: Home", "body": "Homeに入りました。"}
    assert got_b["geofence_entry"]["data"]["geofence_id"] == "5"
    assert got_c["geofence_exit"]["notification"] == {"title": "Left: Office",
                                                      "body": "You have left Office."}
    assert got_b["location_share"]["notification"]["title"] == "Aikoさんが位置情報を共有しました"
    assert got_b["location_share"]["data"]["sharer_id"] == caller.id


# --------------------------------------------------------------------------------------------
# FCM answers

def test_unregistered_deactivates_the_token_and_records_the_error():
    a, b = register(), register()
    token = register_token(b, device("unregistered"))
    chat = create_private(a, b)
    send_message(a, chat["id"], "anyone there?")
    settled(b, failed=1)
    [req] = FCM.sends_to(token["token"])
    assert req["status"] == 404
    [mine] = my_tokens(b)
    assert mine["id"] == token["id"] and mine["is_active"] is False
    row = psql("SELECT is_sent, fcm_message_id IS NULL, sent_at IS NULL, error_message "
               "FROM push_notifications WHERE user_id = '%s'" % b.id)
    assert row.startswith("f|t|t|") and "UNREGISTERED" in row, row
    # The next message finds no active token: no row, no request.
    send_message(a, chat["id"], "hello?")
    s = stats(b)
    assert (s["total"], s["device_tokens"]) == (1, {"active": 0, "inactive": 1})
    assert len(FCM.sends_to(token["token"])) == 1


def test_a_503_with_retry_after_is_retried_once_and_then_sent():
    a, b = register(), register()
    token = register_token(b, device("flaky"))["token"]
    send_message(a, create_private(a, b)["id"], "second time lucky")
    settled(b, sent=1)
    first, second = FCM.sends_to(token)
    assert (first["status"], second["status"]) == (503, 200)
    assert second["time"] - first["time"] >= 1.0  # Retry-After: 1
    assert message_of(second)["data"]["notification_id"] == message_of(first)["data"]["notification_id"]
    row = psql("SELECT attempts, is_sent, fcm_message_id, sent_at IS NOT NULL, error_message IS NULL "
               "FROM push_notifications WHERE user_id = '%s'" % b.id)
    assert row == "2|t|%s|t|t" % second["response"]["name"], row


def test_a_push_that_keeps_getting_429_gives_up_after_the_maximum_attempts():
    a, b = register(), register()
    token = register_token(b, device("ratelimit"))
    send_message(a, create_private(a, b)["id"], "busy")
    settled(b, failed=1)
    tries = FCM.sends_to(token["token"])
    assert [t["status"] for t in tries] == [429] * MAX_ATTEMPTS
    assert all(later["time"] - earlier["time"] >= 1.0 for earlier, later in zip(tries, tries[1:]))
    assert my_tokens(b)[0]["is_active"] is True  # a busy FCM says nothing about the token
    assert "gave up after %d attempts" % MAX_ATTEMPTS in psql(
        "SELECT error_message FROM push_notifications WHERE user_id = '%s'" % b.id)


# --------------------------------------------------------------------------------------------
# Admin pushes and stats

def test_send_broadcast_and_global_stats_need_an_admin():
    u = register()
    body = {"user_ids": [u.id], "title": "t", "body": "b"}
    assert_error(api("POST", "push-notifications/send", token=u.access, json_body=body), 403, "forbidden")
    assert_error(api("POST", "push-notifications/broadcast", token=u.access,
                     json_body={"title": "t", "body": "b"}), 403, "forbidden")
    assert stats(u)["scope"] == "own"
    assert_error(api("POST", "push-notifications/send", json_body=body), 401, "not_authenticated")


def test_an_admin_push_reaches_every_device_of_the_users_with_its_data_as_strings():
    admin, b, c, none = register(), register(), register(), register()
    make_admin(admin)
    tb1, tb2, tc = register_token(b)["token"], register_token(b, device_type="web")["token"], \
        register_token(c, device_type="ios")["token"]
    r = api("POST", "push-notifications/send", token=admin.access, json_body={
        "user_ids": [b.id, c.id, none.id], "title": "Maintenance", "body": "Tonight 02:00 {UTC}",
        "data": {"campaign": "spring", "n": 3, "flag": True}, "notification_type": "ops_notice"})
    assert r.status_code == 202, r.text
    assert r.json() == {"queued": 3}  # one row per device token; `none` has no token
    settled(b, sent=2)
    settled(c, sent=1)
    for token in (tb1, tb2, tc):
        [req] = FCM.sends_to(token)
        m = message_of(req)
        assert m["notification"] == {"title": "Maintenance", "body": "Tonight 02:00 {UTC}"}
        m["data"].pop("notification_id")
        assert m["data"] == {"campaign": "spring", "n": "3", "flag": "true", "type": "ops_notice"}
    s = stats(b)
    assert s["by_device_type"]["web"]["sent"] == 1 and s["by_type"]["ops_notice"]["sent"] == 2
    g = stats(admin)
    assert g["scope"] == "global" and g["sent"] >= 3 and g["by_type"]["ops_notice"]["sent"] >= 3
    assert g["total"] == g["sent"] + g["failed"] + g["pending"]


def test_admin_push_input_is_validated():
    admin = register()
    make_admin(admin)
    cases = [({"title": "t", "body": "b"}, ("user_ids", "required")),
             ({"user_ids": [], "title": "t", "body": "b"}, ("user_ids", "too_short")),
             ({"user_ids": ["nope"], "title": "t", "body": "b"}, ("user_ids", "invalid_format")),
             ({"user_ids": [admin.id], "body": "b"}, ("title", "required")),
             ({"user_ids": [admin.id], "title": "t", "body": "b", "data": {"from": "x"}},
              ("data", "invalid_format")),
             ({"user_ids": [admin.id], "title": "t", "body": "b", "data": {"type": "x"}},
              ("data", "invalid_format")),
             ({"user_ids": [admin.id], "title": "t", "body": "b", "data": {"k": {"nested": 1}}},
              ("data", "invalid_type")),
             ({"user_ids": [admin.id], "title": "t", "body": "b", "notification_type": "Bad Type"},
              ("notification_type", "invalid_format"))]
    for body, expected in cases:
        err = assert_error(api("POST", "push-notifications/send", token=admin.access, json_body=body),
                           422, "validation_error")
        assert expected in {(e["field"], e["code"]) for e in err["errors"]}, (body, err)
    # Texts that fit their fields but not FCM's 4 KiB payload together.
    big = {"user_ids": [admin.id], "title": "😀" * 255, "body": "😀" * 1000}
    assert_error(api("POST", "push-notifications/send", token=admin.access, json_body=big),
                 413, "payload_too_large")


def test_push_is_kept_as_failed_where_fcm_is_not_configured():
    """The second stack of scripts/test has no FCM service account."""
    if not S3_BASE:
        pytest.fail("NT_S3_BASE_URL is not set: scripts/test starts the second stack")
    a, b = register(base=S3_BASE), register(base=S3_BASE)
    register_token(b, base=S3_BASE)
    r = api("POST", "chats", token=a.access, base=S3_BASE,
            json_body={"chat_type": "private", "participant_ids": [b.id]})
    assert r.status_code in (200, 201), r.text
    r = api("POST", "chats/%d/messages" % r.json()["id"], token=a.access, base=S3_BASE,
            json_body={"content": "no fcm here"})
    assert r.status_code == 201, r.text
    s = stats(b, base=S3_BASE)
    assert (s["total"], s["failed"], s["pending"], s["sent"]) == (1, 1, 0, 0)


def test_a_broadcast_reaches_every_active_device_once():
    admin, b, c = register(), register(), register()
    make_admin(admin)
    set_language(c, "ko")
    mine = [register_token(b)["token"], register_token(c)["token"]]
    r = api("POST", "push-notifications/broadcast", token=admin.access,
            json_body={"title": "Hello all", "body": "New stickers!"})
    assert r.status_code == 202, r.text
    assert r.json()["queued"] >= len(mine)
    settled(b, sent=1)
    settled(c, sent=1)
    for token in mine:
        [req] = FCM.sends_to(token)
        assert message_of(req)["notification"] == {"title": "Hello all", "body": "New stickers!"}
        assert message_of(req)["data"]["type"] == "broadcast"
