"""Location sharing (DESIGN.md §4.6, §5 location events): position updates over REST and the
WebSocket, current position and history with their privacy rules, shares (targeted and public,
stop, change of duration, expiry by the background job) and the events the target receives."""

import datetime
import uuid

import pytest

from conftest import (api, assert_error, field_codes, register, ws_event, ws_open, ws_send_json,
                      ws_wait_for)

PARIS = {"latitude": 48.8584, "longitude": 2.2945, "accuracy": 12.5, "altitude": 35,
         "speed": 1.5, "heading": 270}


def update(user, body, expect=201):
    r = api("POST", "location/update", user.access, json_body=body)
    assert r.status_code == expect, (r.status_code, r.text[:500])
    return r.json()


def share(user, expect=201, **body):
    r = api("POST", "location/shares", user.access, json_body=body)
    assert r.status_code == expect, (r.status_code, r.text[:500])
    return r.json()


def event_of(ws, type_, timeout=5.0, **match):
    """The data of the next frame of `type_` whose data has the `match` values; fails otherwise."""
    return ws_event(ws, type_, lambda d: all(d.get(k) == v for k, v in match.items()),
                    timeout)["data"]


@pytest.fixture
def pair():
    return register(), register()


def test_update_and_own_current_and_history(pair):
    a, _ = pair
    assert_error(api("GET", "location/current", a.access), 404, "not_found")
    first = update(a, PARIS)
    assert first["user_id"] == a.id
    for k, v in PARIS.items():
        assert first[k] == pytest.approx(v), (k, first)
    second = update(a, {"latitude": -33.8568, "longitude": 151.2153})
    assert second["accuracy"] is None and second["heading"] is None, second
    assert second["id"] > first["id"]
    cur = api("GET", "location/current", a.access)
    assert cur.status_code == 200, cur.text
    assert cur.json()["id"] == second["id"]
    assert cur.json()["latitude"] == pytest.approx(-33.8568)
    hist = api("GET", "location/history", a.access)
    assert hist.status_code == 200, hist.text
    assert [x["id"] for x in hist.json()["locations"]] == [second["id"], first["id"]]
    one = api("GET", "location/history", a.access, params={"limit": 1}).json()["locations"]
    assert [x["id"] for x in one] == [second["id"]]


def test_history_time_window(pair):
    a, _ = pair
    first = update(a, PARIS)
    created = datetime.datetime.fromisoformat(first["created_at"].replace("Z", "+00:00"))
    later = (created + datetime.timedelta(milliseconds=1)).isoformat()
    earlier = (created - datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    second = update(a, {"latitude": 1, "longitude": 2})
    got = api("GET", "location/history", a.access, params={"from": later}).json()["locations"]
    assert [x["id"] for x in got] == [second["id"]]
    got = api("GET", "location/history", a.access,
              params={"from": earlier, "to": later}).json()["locations"]
    assert [x["id"] for x in got] == [first["id"]]
    for bad in ("yesterday", "2026-13-01T00:00:00Z", "2026-11-21T08:00:00"):
        body = assert_error(api("GET", "location/history", a.access, params={"from": bad}), 422)
        assert ("from", "invalid_format") in field_codes(body), body
    body = assert_error(api("GET", "location/history", a.access, params={"to": "x"}), 422)
    assert ("to", "invalid_format") in field_codes(body), body


@pytest.mark.parametrize("body,field,code", [
    ({"latitude": 91, "longitude": 0}, "latitude", "out_of_range"),
    ({"latitude": 0, "longitude": -180.5}, "longitude", "out_of_range"),
    ({"latitude": "NaN", "longitude": 0}, "latitude", "invalid_type"),
    ({"latitude": "48.8", "longitude": 0}, "latitude", "invalid_type"),
    ({"latitude": 0, "longitude": True}, "longitude", "invalid_type"),
    ({"longitude": 0}, "latitude", "required"),
    ({"latitude": 0, "longitude": 0, "accuracy": -1}, "accuracy", "out_of_range"),
    ({"latitude": 0, "longitude": 0, "heading": 361}, "heading", "out_of_range"),
    ({"latitude": 0, "longitude": 0, "speed": "fast"}, "speed", "invalid_type"),
])
def test_bad_updates_are_422_and_store_nothing(pair, body, field, code):
    a, _ = pair
    resp = assert_error(api("POST", "location/update", a.access, json_body=body), 422,
                        "validation_error")
    assert (field, code) in field_codes(resp), resp
    assert api("GET", "location/history", a.access).json()["locations"] == []


def test_bare_nan_is_invalid_json(pair):
    a, _ = pair
    r = api("POST", "location/update", a.access, data=b'{"latitude": NaN, "longitude": 0}',
            headers={"Content-Type": "application/json"})
    assert_error(r, 400, "invalid_json")


def test_privacy_no_share_share_stop(pair):
    a, b = pair
    update(a, PARIS)
    assert_error(api("GET", "location/current/" + a.id, b.access), 404, "not_found")
    assert_error(api("GET", "location/history/" + a.id, b.access), 404, "not_found")
    assert_error(api("GET", "location/current/not-a-uuid", b.access), 404, "not_found")
    assert_error(api("GET", "location/current/" + str(uuid.uuid4()), b.access), 404)
    s = share(a, target_user_id=b.id)
    assert s["user_id"] == a.id and s["target_user_id"] == b.id and s["is_public"] is False
    assert s["expires_at"] is None and s["is_active"] is True
    cur = api("GET", "location/current/" + a.id, b.access)
    assert cur.status_code == 200, cur.text
    assert cur.json()["latitude"] == pytest.approx(PARIS["latitude"])
    # a third user still sees nothing
    c = register()
    assert_error(api("GET", "location/current/" + a.id, c.access), 404)
    # the target cannot stop or change it; the owner can
    assert_error(api("DELETE", "location/shares/%d" % s["id"], b.access), 404)
    assert_error(api("PUT", "location/shares/%d" % s["id"], b.access,
                     json_body={"duration_minutes": 5}), 404)
    r = api("DELETE", "location/shares/%d" % s["id"], a.access)
    assert r.status_code == 204, r.text
    assert_error(api("GET", "location/current/" + a.id, b.access), 404)
    assert_error(api("GET", "location/history/" + a.id, b.access), 404)
    assert_error(api("DELETE", "location/shares/%d" % s["id"], a.access), 404)


def test_public_share_is_visible_to_anyone(pair):
    a, b = pair
    update(a, PARIS)
    s = share(a)
    assert s["target_user_id"] is None and s["is_public"] is True
    assert api("GET", "location/current/" + a.id, b.access).status_code == 200
    assert api("GET", "location/current/" + a.id, register().access).status_code == 200
    assert api("DELETE", "location/shares/%d" % s["id"], a.access).status_code == 204
    assert_error(api("GET", "location/current/" + a.id, b.access), 404)


def test_history_of_others_starts_at_the_share(pair):
    a, b = pair
    before = update(a, PARIS)
    share(a, target_user_id=b.id)
    after = update(a, {"latitude": 48.86, "longitude": 2.35})
    got = api("GET", "location/history/" + a.id, b.access)
    assert got.status_code == 200, got.text
    assert [x["id"] for x in got.json()["locations"]] == [after["id"]]
    own = api("GET", "location/history", a.access).json()["locations"]
    assert [x["id"] for x in own] == [after["id"], before["id"]]


def test_share_validation(pair):
    a, _ = pair
    for body, field, code in [
        ({"target_user_id": "nope"}, "target_user_id", "invalid_format"),
        ({"target_user_id": a.id}, "target_user_id", "invalid_value"),
        ({"duration_minutes": 0}, "duration_minutes", "out_of_range"),
        ({"duration_minutes": "5"}, "duration_minutes", "invalid_type"),
        ({"duration_minutes": 5, "duration_seconds": 5}, "duration_seconds", "invalid_combination"),
    ]:
        resp = assert_error(api("POST", "location/shares", a.access, json_body=body), 422)
        assert (field, code) in field_codes(resp), (body, resp)
    assert_error(api("POST", "location/shares", a.access,
                     json_body={"target_user_id": str(uuid.uuid4())}), 404, "not_found")
    s = share(a)
    resp = assert_error(api("PUT", "location/shares/%d" % s["id"], a.access, json_body={}), 422)
    assert ("duration_minutes", "required") in field_codes(resp), resp
    assert_error(api("PUT", "location/shares/999999999", a.access,
                     json_body={"duration_minutes": 5}), 404)


def test_list_and_extend_shares(pair):
    a, b = pair
    s = share(a, target_user_id=b.id, duration_minutes=10)
    assert s["expires_at"] is not None
    mine = api("GET", "location/shares", a.access).json()
    assert [x["id"] for x in mine["outgoing"]] == [s["id"]] and mine["incoming"] == []
    theirs = api("GET", "location/shares", b.access).json()
    assert [x["id"] for x in theirs["incoming"]] == [s["id"]] and theirs["outgoing"] == []
    r = api("PUT", "location/shares/%d" % s["id"], a.access, json_body={"duration_minutes": 120})
    assert r.status_code == 200, r.text
    assert r.json()["expires_at"] > s["expires_at"]
    assert api("DELETE", "location/shares/%d" % s["id"], a.access).status_code == 204
    assert api("GET", "location/shares", b.access).json()["incoming"] == []


def test_target_gets_share_events_and_updates_over_ws(pair, sockets):
    a, b = pair
    wsb, _ = ws_open(b.access, node=1)
    sockets.append(wsb)
    s = share(a, target_user_id=b.id)
    started = event_of(wsb, "location_share_start", id=s["id"])
    assert started["user_id"] == a.id and started["target_user_id"] == b.id
    loc = update(a, PARIS)
    got = event_of(wsb, "shared_location_update", id=loc["id"])
    assert got["share_id"] == s["id"] and got["user_id"] == a.id
    assert got["latitude"] == pytest.approx(PARIS["latitude"])
    assert got["accuracy"] == pytest.approx(PARIS["accuracy"])
    assert api("DELETE", "location/shares/%d" % s["id"], a.access).status_code == 204
    stopped = event_of(wsb, "location_share_stop", id=s["id"])
    assert stopped["is_active"] is False and stopped["ended_at"]
    # after the stop, updates no longer reach the former target
    after = update(a, {"latitude": 1, "longitude": 1})
    got = ws_wait_for(wsb, lambda g: g[0] == "text" and g[1]["type"] == "shared_location_update",
                      1.5)
    assert got[0] == "timeout", (got, after)


def test_ws_location_update_and_share_events(pair, sockets):
    a, b = pair
    wsa, _ = ws_open(a.access, node=2)
    wsb, _ = ws_open(b.access, node=1)
    sockets.extend([wsa, wsb])
    ws_send_json(wsa, {"type": "location_share_start", "id": "s1",
                       "data": {"target_user_id": b.id, "duration_minutes": 30}})
    ack = event_of(wsa, "ack", id="s1")
    share_id = ack["share"]["id"]
    assert ack["share"]["target_user_id"] == b.id
    event_of(wsb, "location_share_start", id=share_id)
    ws_send_json(wsa, {"type": "location_update", "id": "u1", "data": PARIS})
    ack = event_of(wsa, "ack", id="u1")
    assert ack["location"]["user_id"] == a.id
    event_of(wsb, "shared_location_update", share_id=share_id, id=ack["location"]["id"])
    cur = api("GET", "location/current/" + a.id, b.access)
    assert cur.status_code == 200 and cur.json()["id"] == ack["location"]["id"], cur.text
    ws_send_json(wsa, {"type": "location_update", "id": "u2", "data": {"latitude": 91, "longitude": 0}})
    err = event_of(wsa, "error", id="u2")
    assert err["code"] == "validation_error"
    assert ("latitude", "out_of_range") in field_codes(err), err
    ws_send_json(wsb, {"type": "location_share_stop", "id": "x", "data": {"share_id": share_id}})
    assert event_of(wsb, "error", id="x")["code"] == "not_found"
    ws_send_json(wsa, {"type": "location_share_stop", "id": "s2", "data": {"share_id": share_id}})
    assert event_of(wsa, "ack", id="s2")["share_id"] == share_id
    event_of(wsb, "location_share_stop", id=share_id)
    assert_error(api("GET", "location/current/" + a.id, b.access), 404)


def test_share_expires_by_itself(pair, sockets):
    a, b = pair
    wsb, _ = ws_open(b.access)
    sockets.append(wsb)
    update(a, PARIS)
    s = share(a, target_user_id=b.id, duration_seconds=2)
    event_of(wsb, "location_share_start", id=s["id"])
    assert api("GET", "location/current/" + a.id, b.access).status_code == 200
    stopped = event_of(wsb, "location_share_stop", timeout=8, id=s["id"])
    assert stopped["is_active"] is False
    assert stopped["ended_at"] == stopped["expires_at"]
    assert_error(api("GET", "location/current/" + a.id, b.access), 404)
    assert api("GET", "location/shares", a.access).json()["outgoing"] == []
    assert api("GET", "location/shares", b.access).json()["incoming"] == []
