"""Geofences (DESIGN.md §4.6): CRUD with validation and ownership, the evaluation every
location update runs (REST and WebSocket), the WS event `geofence_event`, the rows in
geofence_events, the events list with cursors, pushes through the FCM stand-in, and what a
change of centre or a delete does to the state."""

import os
from concurrent.futures import ThreadPoolExecutor
import uuid

import pytest

from conftest import (api, assert_error, env_setting, field_codes, psql, register, wait_until,
                      ws_event, ws_open, ws_request, wait_user_routed)
from standins import FcmStandIn

FCM = FcmStandIn(os.environ.get("NT_FCM_STANDIN_URL", ""))
MAX_FENCES = int(env_setting("GEOFENCE_MAX_PER_USER", "100"))
PUSH_WAIT = 20

# Metres per degree of latitude on the API's 6,371,000 m sphere.
M_PER_DEG = 6371000.0 * 3.141592653589793 / 180.0
HOME = (35.0, 139.0)  # the centre of most fences here


def north(metres, base=HOME):
    """A position `metres` north of `base` (distance along the meridian)."""
    return {"latitude": base[0] + metres / M_PER_DEG, "longitude": base[1]}


def fence_body(**over):
    body = {"name": "Home", "center_latitude": HOME[0], "center_longitude": HOME[1],
            "radius_meters": 100}
    body.update(over)
    return body


def create(user, expect=201, **over):
    r = api("POST", "location/geofences", user.access, json_body=fence_body(**over))
    assert r.status_code == expect, (r.status_code, r.text[:500])
    return r.json()


def get(user, fence_id):
    r = api("GET", "location/geofences/%d" % fence_id, user.access)
    assert r.status_code == 200, (r.status_code, r.text[:500])
    return r.json()


def update(user, position, **extra):
    body = dict(position, **extra)
    r = api("POST", "location/update", user.access, json_body=body)
    assert r.status_code == 201, (r.status_code, r.text[:500])
    return r.json()


def events(user, **params):
    r = api("GET", "location/geofences/events", user.access, params=params)
    assert r.status_code == 200, (r.status_code, r.text[:500])
    return r.json()


def fence_event(ws, seen=None, **match):
    """The data of the next geofence_event (taken from `seen` first: frames an earlier read
    skipped); fails if a different geofence_event comes first."""
    early = [f for f in (seen or []) if isinstance(f, dict) and f.get("type") == "geofence_event"]
    if early:
        seen.remove(early[0])
        data = early[0]["data"]
    else:
        data = ws_event(ws, "geofence_event", None, 5.0)["data"]
    for k, v in match.items():
        assert data.get(k) == v, (k, data)
    return data


@pytest.fixture
def owner(sockets):
    """A user with a live WebSocket (subscribed to their user channel)."""
    u = register()
    ws, _ = ws_open(u.access)
    sockets.append(ws)
    wait_user_routed(u.id)
    u.ws = ws
    return u


# --------------------------------------------------------------------------------------------
# CRUD

def test_create_get_list_update_delete():
    u = register()
    f = create(u, name="  Home \n", notify_on_exit=False)
    assert f["name"] == "Home"
    assert f["center_latitude"] == pytest.approx(HOME[0]) and f["center_longitude"] == pytest.approx(HOME[1])
    assert f["radius_meters"] == 100
    assert (f["notify_on_entry"], f["notify_on_exit"], f["is_active"]) == (True, False, True)
    assert f["state"] == "unknown"
    assert isinstance(f["id"], int) and f["created_at"].endswith("Z")
    assert get(u, f["id"]) == f
    second = create(u, name="Office", radius_meters=250)
    listed = api("GET", "location/geofences", u.access).json()["geofences"]
    assert [g["id"] for g in listed] == [second["id"], f["id"]]
    one = api("GET", "location/geofences", u.access, params={"limit": 1, "offset": 1}).json()
    assert [g["id"] for g in one["geofences"]] == [f["id"]]

    r = api("PUT", "location/geofences/%d" % f["id"], u.access,
            json_body={"name": "Flat", "notify_on_exit": True, "radius_meters": None})
    assert r.status_code == 200, r.text
    changed = r.json()
    assert (changed["name"], changed["notify_on_exit"], changed["radius_meters"]) == ("Flat", True, 100)
    assert get(u, f["id"]) == changed

    assert api("DELETE", "location/geofences/%d" % f["id"], u.access).status_code == 204
    assert_error(api("GET", "location/geofences/%d" % f["id"], u.access), 404, "not_found")
    assert_error(api("PUT", "location/geofences/%d" % f["id"], u.access, json_body={"name": "x"}),
                 404, "not_found")
    assert_error(api("DELETE", "location/geofences/%d" % f["id"], u.access), 404, "not_found")
    listed = api("GET", "location/geofences", u.access).json()["geofences"]
    assert [g["id"] for g in listed] == [second["id"]]
    # Soft delete: the row stays, inactive.
    assert psql("SELECT is_active FROM geofence_areas WHERE id = %d" % f["id"]) == "f"


@pytest.mark.parametrize("over,field,code", [
    ({"center_latitude": 91}, "center_latitude", "out_of_range"),
    ({"center_latitude": -90.0001}, "center_latitude", "out_of_range"),
    ({"center_longitude": 180.5}, "center_longitude", "out_of_range"),
    ({"center_latitude": "35.0"}, "center_latitude", "invalid_type"),
    ({"center_latitude": "NaN"}, "center_latitude", "invalid_type"),
    ({"center_longitude": True}, "center_longitude", "invalid_type"),
    ({"center_latitude": None}, "center_latitude", "required"),
    ({"radius_meters": 9}, "radius_meters", "out_of_range"),
    ({"radius_meters": 100001}, "radius_meters", "out_of_range"),
    ({"radius_meters": 50.5}, "radius_meters", "invalid_type"),
    ({"radius_meters": "100"}, "radius_meters", "invalid_type"),
    ({"name": ""}, "name", "too_short"),
    ({"name": "   "}, "name", "too_short"),
    ({"name": "x" * 256}, "name", "too_long"),
    ({"name": 7}, "name", "invalid_type"),
    ({"notify_on_entry": "yes"}, "notify_on_entry", "invalid_type"),
    ({"notify_on_exit": 0}, "notify_on_exit", "invalid_type"),
])
def test_invalid_fields_are_422_and_store_nothing(user, over, field, code):
    body = assert_error(api("POST", "location/geofences", user.access, json_body=fence_body(**over)), 422,
                        "validation_error")
    assert (field, code) in field_codes(body), body
    assert api("GET", "location/geofences", user.access).json()["geofences"] == []
    if over[field] is None:
        return  # in a PUT, null keeps the value (test_create_get_list_update_delete)
    f = create(user)
    body = assert_error(api("PUT", "location/geofences/%d" % f["id"], user.access, json_body=over), 422)
    assert (field, code) in field_codes(body), body
    assert get(user, f["id"]) == f


def test_missing_fields_bare_nan_and_unknown_fields(user):
    body = assert_error(api("POST", "location/geofences", user.access, json_body={}), 422)
    assert {("name", "required"), ("center_latitude", "required"), ("center_longitude", "required"),
            ("radius_meters", "required")} <= field_codes(body), body
    r = api("POST", "location/geofences", user.access,
            data=b'{"name":"a","center_latitude":NaN,"center_longitude":1,"radius_meters":100}',
            headers={"Content-Type": "application/json"})
    assert_error(r, 400, "invalid_json")
    # Unknown fields are ignored (DESIGN.md §2), including ones the server owns.
    f = create(user, color="red", is_active=False, user_id=str(uuid.uuid4()))
    assert f["is_active"] is True
    assert_error(api("POST", "location/geofences", user.access, data=b"name=x",
                     headers={"Content-Type": "application/x-www-form-urlencoded"}), 415)


def test_someone_elses_fence_is_404_and_no_auth_is_401():
    a, b = register(), register()
    f = create(a)
    path = "location/geofences/%d" % f["id"]
    assert_error(api("GET", path, b.access), 404, "not_found")
    assert_error(api("PUT", path, b.access, json_body={"name": "mine"}), 404, "not_found")
    assert_error(api("DELETE", path, b.access), 404, "not_found")
    assert api("GET", "location/geofences", b.access).json()["geofences"] == []
    assert_error(api("GET", "location/geofences/999999999999", a.access), 404, "not_found")
    assert_error(api("GET", "location/geofences/abc", a.access), 404)
    assert get(a, f["id"])["name"] == "Home"
    for method, p in (("GET", "location/geofences"), ("POST", "location/geofences"),
                      ("GET", path), ("PUT", path), ("DELETE", path),
                      ("GET", "location/geofences/events")):
        assert_error(api(method, p, json_body={} if method in ("POST", "PUT") else None), 401)


def test_active_fences_per_user_are_capped(user):
    ids = [create(user, name="f%d" % i)["id"] for i in range(MAX_FENCES)]
    assert_error(api("POST", "location/geofences", user.access, json_body=fence_body()), 409,
                 "geofence_limit_reached")
    assert api("DELETE", "location/geofences/%d" % ids[0], user.access).status_code == 204
    create(user, name="again")
    # Another user's count is their own.
    create(register())


def test_concurrent_creates_never_pass_the_cap(user):
    """The cap is counted under the user's lock, after it was taken: of several creates racing
    for the last free place exactly one gets it, round after round."""
    for i in range(MAX_FENCES - 1):
        create(user, name="f%d" % i)
    with ThreadPoolExecutor(max_workers=12) as pool:
        for round_ in range(4):
            answers = list(pool.map(
                lambda i: api("POST", "location/geofences", user.access,
                              json_body=fence_body(name="race %d.%d" % (round_, i))), range(12)))
            assert sorted(r.status_code for r in answers) == [201] + [409] * 11, \
                [(r.status_code, r.text[:200]) for r in answers]
            assert api("GET", "location/stats", user.access).json()["geofences"] == MAX_FENCES
            won = next(r.json()["id"] for r in answers if r.status_code == 201)
            assert api("DELETE", "location/geofences/%d" % won, user.access).status_code == 204


# --------------------------------------------------------------------------------------------
# Evaluation

def test_entry_then_exit_reach_the_owner_over_websocket(owner):
    f = create(owner, name="Home", radius_meters=100)
    far = update(owner, north(1000))
    assert get(owner, f["id"])["state"] == "outside"
    assert events(owner)["events"] == []
    inside = north(30)
    loc = update(owner, inside, accuracy=5)
    entry = fence_event(owner.ws, event_type="entry", geofence_id=f["id"], geofence_name="Home")
    assert entry["latitude"] == pytest.approx(inside["latitude"])
    assert entry["longitude"] == pytest.approx(inside["longitude"])
    assert isinstance(entry["id"], int) and entry["created_at"].endswith("Z")
    assert get(owner, f["id"])["state"] == "inside"
    update(owner, north(500))
    exit_ = fence_event(owner.ws, event_type="exit", geofence_id=f["id"])
    assert exit_["id"] > entry["id"]
    assert get(owner, f["id"])["state"] == "outside"
    rows = psql("SELECT event_type || ':' || user_id FROM geofence_events WHERE geofence_id = %d "
                "ORDER BY id" % f["id"]).split("\n")
    assert rows == ["entry:" + owner.id, "exit:" + owner.id]
    listed = events(owner)["events"]
    assert [e["id"] for e in listed] == [exit_["id"], entry["id"]]
    assert listed[1] == entry
    assert far["id"] < loc["id"]


def test_first_update_inside_a_new_fence_is_an_entry_outside_is_nothing(owner):
    near = create(owner, name="Near", radius_meters=200)
    away = create(owner, name="Away", center_latitude=HOME[0] + 1, radius_meters=200)
    update(owner, north(50))
    got = fence_event(owner.ws, event_type="entry", geofence_id=near["id"])
    assert get(owner, away["id"])["state"] == "outside"
    assert [e["id"] for e in events(owner)["events"]] == [got["id"]]
    # Outside stays outside, inside stays inside: nothing new.
    update(owner, north(60))
    assert [e["id"] for e in events(owner)["events"]] == [got["id"]]
    # The next events on the socket are the ones caused now, nothing in between.
    update(owner, north(0, (HOME[0] + 1, HOME[1])))
    first, second = fence_event(owner.ws), fence_event(owner.ws)
    assert {(first["event_type"], first["geofence_id"]), (second["event_type"], second["geofence_id"])} == \
        {("exit", near["id"]), ("entry", away["id"])}


def test_an_edge_fix_with_poor_accuracy_does_not_exit(owner):
    f = create(owner, radius_meters=100)
    update(owner, north(90), accuracy=10)
    entry = fence_event(owner.ws, event_type="entry")
    # 20 m past the edge with a 30 m accuracy: still inside.
    update(owner, north(120), accuracy=30)
    assert get(owner, f["id"])["state"] == "inside"
    assert [e["id"] for e in events(owner)["events"]] == [entry["id"]]
    # 60 m past the edge with the same accuracy: out.
    update(owner, north(160), accuracy=30)
    fence_event(owner.ws, event_type="exit", geofence_id=f["id"])
    assert get(owner, f["id"])["state"] == "outside"


def test_websocket_location_update_evaluates_the_same(owner):
    f = create(owner, name="Park", radius_meters=50)
    seen = []  # the event may arrive before the ack
    ack = ws_request(owner.ws, "location_update", dict(north(10), accuracy=3), seen=seen)
    assert ack["type"] == "ack", ack
    got = fence_event(owner.ws, seen, event_type="entry", geofence_id=f["id"], geofence_name="Park")
    assert got["latitude"] == pytest.approx(ack["data"]["location"]["latitude"])
    ack = ws_request(owner.ws, "location_update", north(400), seen=seen)
    assert ack["type"] == "ack", ack
    fence_event(owner.ws, seen, event_type="exit", geofence_id=f["id"])
    assert [e["event_type"] for e in events(owner)["events"]] == ["exit", "entry"]


def test_moving_the_centre_resets_the_state(owner):
    f = create(owner, radius_meters=100)
    update(owner, north(10))
    fence_event(owner.ws, event_type="entry")
    # A new name keeps the state.
    r = api("PUT", "location/geofences/%d" % f["id"], owner.access, json_body={"name": "Renamed"})
    assert r.json()["state"] == "inside"
    # Moving the centre 1 km north forgets it: the next fix is a first observation.
    moved = api("PUT", "location/geofences/%d" % f["id"], owner.access,
                json_body={"center_latitude": north(1000)["latitude"]}).json()
    assert moved["state"] == "unknown" and moved["name"] == "Renamed"
    assert get(owner, f["id"])["state"] == "unknown"
    update(owner, north(10))  # now 990 m away: outside, and no exit for a first observation
    assert get(owner, f["id"])["state"] == "outside"
    assert len(events(owner)["events"]) == 1
    # A bigger radius that holds the user again: reset, then a first observation inside.
    r = api("PUT", "location/geofences/%d" % f["id"], owner.access, json_body={"radius_meters": 2000})
    assert r.json()["state"] == "unknown"
    update(owner, north(10))
    fence_event(owner.ws, event_type="entry", geofence_id=f["id"], geofence_name="Renamed")


def test_a_deleted_fence_stops_producing_events_and_keeps_its_history(owner):
    f = create(owner, name="Gym")
    keep = create(owner, name="Cafe", center_latitude=HOME[0] + 0.5)
    update(owner, north(0))
    entry = fence_event(owner.ws, event_type="entry", geofence_id=f["id"])
    assert api("DELETE", "location/geofences/%d" % f["id"], owner.access).status_code == 204
    update(owner, north(0, (HOME[0] + 0.5, HOME[1])))  # leaves Gym, enters Cafe
    got = fence_event(owner.ws, event_type="entry", geofence_id=keep["id"])
    listed = events(owner)["events"]
    assert [e["id"] for e in listed] == [got["id"], entry["id"]]
    assert listed[1]["geofence_name"] == "Gym" and listed[1]["geofence_id"] == f["id"]
    assert events(owner, geofence_id=f["id"])["events"] == [entry]


# --------------------------------------------------------------------------------------------
# Events list

def test_events_are_paged_by_cursor_and_filtered_by_fence(owner):
    a = create(owner, name="A", radius_meters=100)
    b = create(owner, name="B", center_latitude=HOME[0] + 0.1, radius_meters=100)
    got = []
    for _ in range(3):
        update(owner, north(0))
        got.append(fence_event(owner.ws, event_type="entry", geofence_id=a["id"]))
        update(owner, north(0, (HOME[0] + 0.1, HOME[1])))
        got.append(fence_event(owner.ws, event_type="exit", geofence_id=a["id"]))
        got.append(fence_event(owner.ws, event_type="entry", geofence_id=b["id"]))
        update(owner, north(5000))
        got.append(fence_event(owner.ws, event_type="exit", geofence_id=b["id"]))
    ids = [e["id"] for e in got]
    newest_first = sorted(ids, reverse=True)
    assert ids == sorted(ids)

    whole = events(owner)
    assert [e["id"] for e in whole["events"]] == newest_first and whole["has_more"] is False
    page1 = events(owner, limit=5)
    assert [e["id"] for e in page1["events"]] == newest_first[:5] and page1["has_more"] is True
    page2 = events(owner, limit=5, before_id=page1["events"][-1]["id"])
    assert [e["id"] for e in page2["events"]] == newest_first[5:10] and page2["has_more"] is True
    page3 = events(owner, limit=5, before_id=page2["events"][-1]["id"])
    assert [e["id"] for e in page3["events"]] == newest_first[10:] and page3["has_more"] is False
    # after_id: the events just newer than the cursor, still newest first.
    newer = events(owner, limit=3, after_id=ids[2])
    assert [e["id"] for e in newer["events"]] == [ids[5], ids[4], ids[3]] and newer["has_more"] is True
    tail = events(owner, after_id=ids[-3])
    assert [e["id"] for e in tail["events"]] == [ids[-1], ids[-2]] and tail["has_more"] is False

    only_b = events(owner, geofence_id=b["id"])["events"]
    assert [e["id"] for e in only_b] == [e["id"] for e in reversed(got) if e["geofence_id"] == b["id"]]
    assert {e["geofence_name"] for e in only_b} == {"B"}
    assert [e["event_type"] for e in only_b] == ["exit", "entry"] * 3

    # Someone else sees none of them, even naming the fence.
    other = register()
    assert events(other) == {"events": [], "has_more": False}
    assert events(other, geofence_id=a["id"])["events"] == []

    for params, field in (({"before_id": 1, "after_id": 2}, "after_id"), ({"before_id": "x"}, "before_id"),
                          ({"after_id": 0}, "after_id"), ({"geofence_id": "abc"}, "geofence_id"),
                          ({"limit": -1}, "limit")):
        body = assert_error(api("GET", "location/geofences/events", owner.access, params=params), 422)
        assert field in {f for f, _ in field_codes(body)}, (params, body)


# --------------------------------------------------------------------------------------------
# Pushes

def test_entry_pushes_only_when_the_fence_asks_for_it():
    if not FCM.url:
        pytest.fail("NT_FCM_STANDIN_URL is not set: scripts/test starts the FCM stand-in")
    u = register()
    token = "geofence-device-" + uuid.uuid4().hex
    r = api("POST", "push-notifications/device-tokens", u.access,
            json_body={"token": token, "device_type": "android"})
    assert r.status_code == 201, r.text
    loud = create(u, name="Station", notify_on_exit=False)
    create(u, name="Quiet", notify_on_entry=False, notify_on_exit=False)
    update(u, north(0))  # enters both
    assert len(events(u)["events"]) == 2

    def sent():
        s = api("GET", "push-notifications/stats", u.access).json()
        return s if s["pending"] == 0 and s["total"] >= 1 else None
    stats = wait_until(sent, PUSH_WAIT, 0.1, "the geofence push settled")
    assert stats["total"] == 1 and stats["sent"] == 1, stats
    [req] = FCM.sends_to(token)
    msg = req["body"]["message"]
    assert msg["data"]["type"] == "geofence_entry"
    assert msg["data"]["geofence_id"] == str(loud["id"])
    assert msg["notification"]["title"] == "Arrived: Station"
    # Leaving both: neither fence asks for exit pushes.
    update(u, north(5000))
    assert len(events(u)["events"]) == 4
    assert psql("SELECT count(*) FROM push_notifications WHERE user_id = '%s'" % u.id) == "1"
