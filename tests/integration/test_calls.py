"""Voice and video calls (DESIGN.md §4.3, §5 call events): the whole flow over REST and the
WebSocket between two and three users, ring timeout, authorization, Agora tokens."""

import base64
import os
import struct
import time
import zlib

import pytest

from conftest import (RFC3339_MS, api, assert_error, create_group, env_setting, field_codes,
                      psql, register, wait_until, ws_event, ws_open, ws_send_json)
from standins import FcmStandIn

S3_BASE = os.environ.get("NT_S3_BASE_URL", "")
FCM = FcmStandIn(os.environ.get("NT_FCM_STANDIN_URL", ""))
RING = int(env_setting("CALL_RING_TIMEOUT_SECONDS", "45"))
APP_ID = env_setting("AGORA_APP_ID", "")


@pytest.fixture
def people(sockets):
    """Three users, each with a WebSocket open (on different daemons where there are several)."""
    out = []
    for i in range(3):
        u = register()
        ws, _ = ws_open(u.access, node=(i % 2) + 1)
        sockets.append(ws)
        u.ws = ws
        out.append(u)
    return out


def initiate(caller, callees, expect=201, **extra):
    body = {"callee_ids": [c.id for c in callees], "call_type": "video"}
    body.update(extra)
    r = api("POST", "video-calls/initiate", token=caller.access, json_body=body)
    assert r.status_code == expect, (r.status_code, r.text[:500])
    return r.json()


def act(user, call_id, action, expect=200):
    r = api("POST", "video-calls/%d/%s" % (call_id, action), token=user.access)
    assert r.status_code == expect, (r.status_code, r.text[:500])
    return r.json()


def status_of(call, user):
    return next(p["status"] for p in call["participants"] if p["user_id"] == user.id)


def event_for(ws, type_, call_id, timeout=5.0):
    return ws_event(ws, type_, lambda d: d["call"]["id"] == call_id, timeout=timeout)["data"]


def token_fields(token):
    """The app id, issue time and expiry of an AccessToken2 ("007" + base64(zlib(...)))."""
    assert token.startswith("007")
    raw = zlib.decompress(base64.b64decode(token[3:]))
    sig_len = struct.unpack("<H", raw[:2])[0]
    rest = raw[2 + sig_len:]
    app_len = struct.unpack("<H", rest[:2])[0]
    app_id = rest[2:2 + app_len].decode()
    issue_ts, expire = struct.unpack("<II", rest[2 + app_len:10 + app_len])
    return app_id, issue_ts, expire


def test_one_to_one_call_rest_and_websocket(people):
    a, b, _ = people
    res = initiate(a, [b])
    call = res["call"]
    assert call["status"] == "initiated" and call["call_type"] == "video"
    assert call["initiated_by"] == a.id and RFC3339_MS.match(call["started_at"])
    assert status_of(call, a) == "joined" and status_of(call, b) == "invited"
    agora_a = res["agora"]
    assert agora_a["channel"] == call["channel_name"] and agora_a["configured"] is True
    assert agora_a["uid"] == next(p["agora_uid"] for p in call["participants"] if p["user_id"] == a.id)
    app_id, issued, expire = token_fields(agora_a["token"])
    assert app_id == APP_ID and abs(issued - time.time()) < 120
    assert expire == int(env_setting("AGORA_TOKEN_EXPIRY_HOURS", "24")) * 3600

    got = event_for(b.ws, "call_initiated", call["id"])
    assert got["caller_id"] == a.id and got["call"]["status"] == "initiated"

    answered = act(b, call["id"], "answer")
    assert answered["call"]["status"] == "ongoing" and answered["call"]["answered_at"]
    agora_b = answered["agora"]
    assert agora_b["token"] != agora_a["token"] and agora_b["uid"] != agora_a["uid"]
    assert agora_b["channel"] == agora_a["channel"]
    assert event_for(a.ws, "call_answered", call["id"])["user_id"] == b.id

    # The caller hangs up over the WebSocket: same state machine, acked with the call.
    ws_send_json(a.ws, {"type": "call_ended", "id": "h1", "data": {"call_id": call["id"]}})
    ack = ws_event(a.ws, "ack", lambda d: d.get("id") == "h1")["data"]
    assert ack["call"]["status"] == "ended" and ack["call"]["duration"] >= 0
    ended = event_for(b.ws, "call_ended", call["id"])
    assert ended["call"]["status"] == "ended" and status_of(ended["call"], b) == "left"

    hist = api("GET", "video-calls/history", token=b.access).json()["calls"]
    assert hist[0]["id"] == call["id"] and hist[0]["status"] == "ended"
    assert_error(api("POST", "video-calls/%d/answer" % call["id"], token=b.access), 409, "conflict")


def test_decline_over_websocket(people):
    a, b, _ = people
    call = initiate(a, [b], call_type="audio")["call"]
    event_for(b.ws, "call_initiated", call["id"])
    ws_send_json(b.ws, {"type": "call_declined", "id": "d1", "data": {"call_id": call["id"]}})
    ack = ws_event(b.ws, "ack", lambda d: d.get("id") == "d1")["data"]
    assert ack["call"]["status"] == "declined"
    got = event_for(a.ws, "call_declined", call["id"])
    assert got["user_id"] == b.id and got["call"]["status"] == "declined"
    assert got["call"]["duration"] is None


def test_answer_over_websocket_carries_the_callees_credentials(people):
    a, b, _ = people
    call = initiate(a, [b])["call"]
    event_for(b.ws, "call_initiated", call["id"])
    ws_send_json(b.ws, {"type": "call_answered", "id": "a1", "data": {"call_id": call["id"]}})
    ack = ws_event(b.ws, "ack", lambda d: d.get("id") == "a1")["data"]
    assert ack["call"]["status"] == "ongoing"
    mine = next(p["agora_uid"] for p in ack["call"]["participants"] if p["user_id"] == b.id)
    assert ack["agora"]["uid"] == mine and ack["agora"]["token"].startswith("007")
    assert event_for(a.ws, "call_answered", call["id"])["user_id"] == b.id
    act(a, call["id"], "end")


def test_caller_cancels_before_answer(people):
    a, b, _ = people
    call = initiate(a, [b])["call"]
    ended = act(a, call["id"], "end")["call"]
    assert ended["status"] == "cancelled" and status_of(ended, b) == "missed"
    assert event_for(b.ws, "call_ended", call["id"])["call"]["status"] == "cancelled"


def test_group_call_between_three(people):
    a, b, c = people
    chat = create_group(a, [b, c])
    call = initiate(a, [b, c], chat_id=chat["id"])["call"]
    assert call["chat_id"] == chat["id"]
    for u in (b, c):
        event_for(u.ws, "call_initiated", call["id"])
    act(b, call["id"], "answer")
    for u in (a, c):
        assert event_for(u.ws, "call_answered", call["id"])["user_id"] == b.id
    # c declines: the call goes on between a and b.
    declined = act(c, call["id"], "decline")["call"]
    assert declined["status"] == "ongoing" and status_of(declined, c) == "declined"
    assert event_for(a.ws, "call_declined", call["id"])["user_id"] == c.id
    # a invites c again; c joins by answering.
    r = api("POST", "video-calls/%d/participants" % call["id"], token=a.access, json_body={"user_id": c.id})
    assert r.status_code == 200 and status_of(r.json()["call"], c) == "invited"
    event_for(c.ws, "call_initiated", call["id"])
    joined = act(c, call["id"], "answer")
    assert joined["agora"]["uid"] and status_of(joined["call"], c) == "joined"
    assert event_for(b.ws, "call_participant_joined", call["id"])["user_id"] == c.id
    # b leaves: a and c go on; then c leaves and a is alone: the call ends.
    assert act(b, call["id"], "leave")["call"]["status"] == "ongoing"
    assert event_for(a.ws, "call_participant_left", call["id"])["user_id"] == b.id
    final = act(c, call["id"], "leave")["call"]
    assert final["status"] == "ended" and final["duration"] is not None
    assert event_for(a.ws, "call_ended", call["id"])["call"]["status"] == "ended"


def test_unanswered_call_becomes_missed(people):
    a, b, _ = people
    call = initiate(a, [b])["call"]
    t0 = time.monotonic()
    got = event_for(b.ws, "call_ended", call["id"], timeout=RING + 10)
    assert got["call"]["status"] == "missed" and status_of(got["call"], b) == "missed"
    assert time.monotonic() - t0 >= RING - 1
    assert event_for(a.ws, "call_ended", call["id"])["call"]["status"] == "missed"
    assert_error(api("POST", "video-calls/%d/answer" % call["id"], token=b.access), 409, "conflict")
    stats = api("GET", "video-calls/stats?days=1", token=b.access).json()
    # b is new: this is their only call.
    assert (stats["total_calls"], stats["missed"], stats["answered"]) == (1, 1, 0)


def test_strangers_and_roles():
    a, b, stranger = register(), register(), register()
    call = initiate(a, [b])["call"]
    for path in ("video-calls/%d" % call["id"],):
        assert_error(api("GET", path, token=stranger.access), 404, "not_found")
    for action in ("answer", "decline", "end", "leave", "join"):
        assert_error(api("POST", "video-calls/%d/%s" % (call["id"], action), token=stranger.access),
                     404, "not_found")
    r = api("POST", "video-calls/%d/participants" % call["id"], token=stranger.access,
            json_body={"user_id": stranger.id})
    assert_error(r, 404, "not_found")
    assert_error(api("POST", "video-calls/%d/answer" % call["id"], token=a.access), 403, "forbidden")
    assert api("GET", "video-calls/%d" % call["id"], token=b.access).json()["id"] == call["id"]
    act(b, call["id"], "answer")
    assert_error(api("POST", "video-calls/%d/answer" % call["id"], token=b.access), 409, "conflict")
    assert call["id"] not in [c["id"] for c in api("GET", "video-calls/history", token=stranger.access).json()["calls"]]
    assert_error(api("GET", "video-calls/999999999", token=a.access), 404, "not_found")
    act(a, call["id"], "end")


def test_initiate_validation():
    a, b, outsider = register(), register(), register()
    chat = create_group(a, [b])
    cases = [
        ({"call_type": "video"}, ("callee_ids", "required")),
        ({"callee_ids": [a.id]}, ("callee_ids", "invalid_reference")),
        ({"callee_ids": ["not-a-uuid"]}, ("callee_ids", "invalid_format")),
        ({"callee_ids": ["00000000-0000-4000-8000-000000000000"]}, ("callee_ids", "invalid_reference")),
        ({"callee_ids": [b.id], "call_type": "hologram"}, ("call_type", "invalid_choice")),
        ({"callee_ids": [outsider.id], "chat_id": chat["id"]}, ("callee_ids", "invalid_reference")),
    ]
    for body, code in cases:
        r = api("POST", "video-calls/initiate", token=a.access, json_body=body)
        assert code in field_codes(assert_error(r, 422)), (body, r.text)
    r = api("POST", "video-calls/initiate", token=outsider.access,
            json_body={"callee_ids": [a.id], "chat_id": chat["id"]})
    assert_error(r, 404, "not_found")
    assert_error(api("POST", "video-calls/initiate", token=a.access, data=b"{",
                     headers={"Content-Type": "application/json"}), 400, "invalid_json")
    assert_error(api("GET", "video-calls/stats?days=0", token=a.access), 422)
    assert_error(api("POST", "video-calls/initiate", json_body={"callee_ids": [b.id]}), 401)
    r = api("POST", "video-calls/initiate", token=a.access, json_body={"callee_id": b.id})
    assert r.status_code == 201 and r.json()["call"]["call_type"] == "video"
    act(a, r.json()["call"]["id"], "end")


def test_stats_count_types_outcomes_and_durations():
    a, b = register(), register()
    c1 = initiate(a, [b])["call"]
    act(b, c1["id"], "answer")
    # A call with a measurable duration, without waiting for one: it was answered 5 s ago.
    psql("UPDATE video_calls SET started_at = started_at - interval '5 seconds', "
         "answered_at = answered_at - interval '5 seconds' WHERE id = %d" % c1["id"])
    assert act(a, c1["id"], "end")["call"]["duration"] >= 5
    c2 = initiate(a, [b], call_type="audio")["call"]
    act(b, c2["id"], "decline")
    s = api("GET", "video-calls/stats?days=30", token=a.access).json()
    assert (s["total_calls"], s["video_calls"], s["audio_calls"]) == (2, 1, 1)
    assert (s["answered"], s["declined"], s["missed"]) == (1, 1, 0)
    assert s["total_duration_seconds"] >= 5 and s["average_duration_seconds"] >= 5
    assert s["days"] == 30


def test_calls_work_without_agora_credentials():
    if not S3_BASE:
        pytest.fail("NT_S3_BASE_URL is not set: scripts/test starts a second stack without Agora settings")
    a, b = register(base=S3_BASE), register(base=S3_BASE)
    r = api("POST", "video-calls/initiate", token=a.access, json_body={"callee_ids": [b.id]}, base=S3_BASE)
    assert r.status_code == 201, r.text
    agora = r.json()["agora"]
    assert agora["configured"] is False and agora["token"] is None
    assert agora["reason"] == "media_tokens_not_configured" and agora["channel"] and agora["uid"]
    r = api("POST", "video-calls/%d/answer" % r.json()["call"]["id"], token=b.access, base=S3_BASE)
    assert r.status_code == 200 and r.json()["call"]["status"] == "ongoing"


def test_callee_phone_rings_by_push_then_gets_a_missed_call_push():
    """An incoming call is a high-priority push to every device of the callee (phones ring
    from it even with the app closed); when nobody answers, a missed-call push follows."""
    if not FCM.url:
        pytest.fail("NT_FCM_STANDIN_URL is not set: scripts/test starts the FCM stand-in")
    a, b = register(display_name="Alice Caller"), register()
    device = "callee-phone-%d" % int(time.time() * 1000)
    r = api("POST", "push-notifications/device-tokens", token=b.access,
            json_body={"token": device, "device_type": "android"})
    assert r.status_code == 201, r.text
    call = initiate(a, [b], call_type="audio")["call"]
    wait_until(lambda: len(FCM.sends_to(device)) >= 1, 15, what="incoming-call push")
    incoming = FCM.sends_to(device)[0]["body"]["message"]
    assert incoming["android"]["priority"] == "HIGH"
    assert incoming["data"]["call_id"] == str(call["id"]) and "Alice Caller" in incoming["notification"]["body"] + incoming["notification"]["title"]
    wait_until(lambda: len(FCM.sends_to(device)) >= 2, RING + 15, what="missed-call push")
    missed = FCM.sends_to(device)[1]["body"]["message"]
    assert missed["data"]["call_id"] == str(call["id"]) and missed["android"]["priority"] == "NORMAL"
    assert missed["notification"]["title"] != incoming["notification"]["title"]
    assert len(FCM.sends_to(device)) == 2
