"""Nearby users, location statistics and history retention (DESIGN.md §4.6): who GET
/location/nearby shows (within the radius, sharing publicly or with me, never me, nearest first,
across the antimeridian and near a pole) and how it refuses bad input; GET /location/stats
after updates and for a fresh user; the retention job (LOCATION_RETENTION_INTERVAL_SECONDS=1
in scripts/test) deleting aged history rows and nothing else; and the push a targeted share
sends through the FCM stand-in.

Every test places its users around its own random point, so users of other tests (who also
share publicly) are never in its answers and the answers are compared exactly."""

import math
import os
import random
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import api, assert_error, field_codes, psql, register, wait_until
from standins import FcmStandIn

R = 6371000.0
METERS_PER_DEGREE = math.pi * R / 180.0
FCM = FcmStandIn(os.environ.get("NT_FCM_STANDIN_URL", ""))


def haversine(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(min(1.0, math.sqrt(a)))


def random_centre():
    """A point of its own for one test, away from the poles and the antimeridian."""
    return random.uniform(-60, 60), random.uniform(-170, 170)


def north_of(centre, meters):
    return {"latitude": centre[0] + meters / METERS_PER_DEGREE, "longitude": centre[1]}


def at(centre):
    return {"latitude": centre[0], "longitude": centre[1]}


def update(user, body):
    r = api("POST", "location/update", user.access, json_body=body)
    assert r.status_code == 201, (r.status_code, r.text[:500])
    return r.json()


def share(user, expect=201, **body):
    r = api("POST", "location/shares", user.access, json_body=body)
    assert r.status_code == expect, (r.status_code, r.text[:500])
    return r.json()


def placed(position, public=True, **share_body):
    """A new user at `position` with a public share (or the share `share_body` describes)."""
    u = register()
    u.location = update(u, position)
    if public or share_body:
        u.share = share(u, **share_body)
    return u


def nearby(user, **params):
    r = api("GET", "location/nearby", user.access, params=params)
    assert r.status_code == 200, (r.status_code, r.text[:500])
    return r.json()["users"]


def ids(users):
    return [u["id"] for u in users]


def stats(user):
    r = api("GET", "location/stats", user.access)
    assert r.status_code == 200, (r.status_code, r.text[:500])
    return r.json()


# --------------------------------------------------------------------------------------------
# Nearby

def test_nearby_shows_sharing_users_in_the_radius_nearest_first_with_their_distance():
    centre = random_centre()
    me = register()
    mine = update(me, at(centre))
    at_500 = placed(north_of(centre, 500))
    at_200 = placed(north_of(centre, 200))
    placed(north_of(centre, 5000))                 # outside the radius
    placed(north_of(centre, 100), public=False)    # near but shares with nobody
    got = nearby(me, radius_meters=1000)
    assert ids(got) == [at_200.id, at_500.id]
    for item, user in zip(got, (at_200, at_500)):
        assert item["username"] == user.username and "email" not in item
        assert {"display_name", "avatar_url", "status", "is_online", "last_seen"} <= set(item)
        assert item["location"] == user.location  # the object GET /location/current returns
        expected = haversine(mine["latitude"], mine["longitude"],
                             item["location"]["latitude"], item["location"]["longitude"])
        assert item["distance_meters"] == pytest.approx(expected, abs=1e-3)
    assert got[0]["distance_meters"] == pytest.approx(200, abs=0.1)
    assert got[1]["distance_meters"] == pytest.approx(500, abs=0.1)
    # The default radius is 1000 m; a larger one reaches the user 5 km away; limit cuts.
    assert ids(nearby(me)) == [at_200.id, at_500.id]
    assert len(nearby(me, radius_meters=6000)) == 3
    assert ids(nearby(me, radius_meters=1000, limit=1)) == [at_200.id]


def test_a_targeted_share_shows_the_user_to_its_target_only_and_never_the_caller_itself():
    centre = random_centre()
    me, someone_else = register(), register()
    update(me, at(centre))
    share(me)  # my own public share never lists me
    to_me = placed(north_of(centre, 300), public=False, target_user_id=me.id)
    to_other = placed(north_of(centre, 400), public=False, target_user_id=someone_else.id)
    assert ids(nearby(me)) == [to_me.id]
    update(someone_else, at(centre))
    # My public share (0 m away) and the share to them; not to_me's share to me.
    assert ids(nearby(someone_else)) == [me.id, to_other.id]


def test_a_stopped_or_expired_share_drops_the_user():
    centre = random_centre()
    me = register()
    update(me, at(centre))
    stopped = placed(north_of(centre, 300))
    expiring = placed(north_of(centre, 600), duration_seconds=2)
    assert ids(nearby(me)) == [stopped.id, expiring.id]
    r = api("DELETE", "location/shares/%d" % stopped.share["id"], stopped.access)
    assert r.status_code == 204, r.text
    assert ids(nearby(me)) == [expiring.id]
    wait_until(lambda: nearby(me) == [], 10, 0.2, "the expired share to drop its user")


def test_visibility_follows_every_share_change_whatever_the_order():
    """Nearby keeps each user's public-share end beside the position (public_until): a share
    started before the first position counts, stopping one of two public shares keeps the user,
    and shortening a share with PUT makes the user drop out when it ends."""
    centre = random_centre()
    me = register()
    update(me, at(centre))
    early = register()
    first = share(early)  # public, before any position
    update(early, north_of(centre, 200))
    second = share(early, duration_minutes=60)
    assert ids(nearby(me)) == [early.id]
    r = api("DELETE", "location/shares/%d" % first["id"], early.access)
    assert r.status_code == 204, r.text
    assert ids(nearby(me)) == [early.id]  # the second public share still runs
    r = api("PUT", "location/shares/%d" % second["id"], early.access,
            json_body={"duration_seconds": 1})
    assert r.status_code == 200, r.text
    wait_until(lambda: nearby(me) == [], 10, 0.2, "the shortened share to drop its user")


def test_a_deactivated_account_is_left_out_and_the_page_still_fills():
    centre = random_centre()
    me = register()
    update(me, at(centre))
    gone = placed(north_of(centre, 100))
    second = placed(north_of(centre, 200))
    third = placed(north_of(centre, 300))
    assert ids(nearby(me, limit=2)) == [gone.id, second.id]
    psql("UPDATE users SET is_active = false WHERE id = '%s'" % gone.id)  # an operator's action
    assert ids(nearby(me, limit=2)) == [second.id, third.id]
    assert ids(nearby(me)) == [second.id, third.id]


def test_the_centre_can_be_given_and_is_needed_when_i_have_no_position():
    centre = random_centre()
    me = register()
    there = placed(north_of(centre, 700))
    body = assert_error(api("GET", "location/nearby", me.access), 422, "validation_error")
    assert field_codes(body) == {("latitude", "required")}
    got = nearby(me, latitude=centre[0], longitude=centre[1])
    assert ids(got) == [there.id]
    assert got[0]["distance_meters"] == pytest.approx(700, abs=0.1)
    # Given coordinates win over my stored position.
    update(me, at(random_centre()))
    assert nearby(me) == []
    assert ids(nearby(me, latitude=centre[0], longitude=centre[1])) == [there.id]


def test_nearby_across_the_antimeridian():
    lat = random.uniform(-60, 60)
    me = register()
    update(me, {"latitude": lat, "longitude": 179.999})
    west = placed({"latitude": lat, "longitude": -179.999})
    east = placed({"latitude": lat, "longitude": 179.9995})
    got = nearby(me, radius_meters=1000)
    assert ids(got) == [east.id, west.id]
    assert got[1]["distance_meters"] == pytest.approx(haversine(lat, 179.999, lat, -179.999), abs=1e-3)
    assert got[1]["distance_meters"] < 250
    # The same from the other side, by coordinates.
    got = nearby(me, latitude=lat, longitude=-179.9995)
    assert ids(got) == [west.id, east.id]


def test_nearby_near_a_pole_finds_users_at_any_longitude():
    me = register()
    update(me, {"latitude": -89.999, "longitude": 10})
    across = placed({"latitude": -89.9995, "longitude": -170})  # on the far side of the pole
    beside = placed({"latitude": -89.999, "longitude": 100})
    placed({"latitude": -89.98, "longitude": 10})                # 2 km north: outside
    got = nearby(me, radius_meters=1000)
    assert set(ids(got)) == {across.id, beside.id}
    for item in got:
        loc = item["location"]
        assert item["distance_meters"] == pytest.approx(
            haversine(-89.999, 10, loc["latitude"], loc["longitude"]), abs=1e-3)
        assert item["distance_meters"] < 200
    assert got[0]["distance_meters"] <= got[1]["distance_meters"]


@pytest.mark.parametrize("params,field,code", [
    ({"radius_meters": 0}, "radius_meters", "out_of_range"),
    ({"radius_meters": 50001}, "radius_meters", "out_of_range"),
    ({"radius_meters": "abc"}, "radius_meters", "invalid_type"),
    ({"radius_meters": "1.5"}, "radius_meters", "invalid_type"),
    ({"latitude": 91, "longitude": 0}, "latitude", "out_of_range"),
    ({"latitude": 0, "longitude": -181}, "longitude", "out_of_range"),
    ({"latitude": "NaN", "longitude": 0}, "latitude", "invalid_type"),
    ({"longitude": 10}, "latitude", "required"),
    ({"latitude": 10}, "longitude", "required"),
    ({"limit": -1}, "limit", "invalid_format"),
])
def test_nearby_refuses_bad_input(params, field, code):
    me = register()
    update(me, at(random_centre()))
    body = assert_error(api("GET", "location/nearby", me.access, params=params), 422,
                        "validation_error")
    assert (field, code) in field_codes(body), body


def test_nearby_and_stats_need_authentication():
    assert_error(api("GET", "location/nearby"), 401)
    assert_error(api("GET", "location/stats"), 401)


# --------------------------------------------------------------------------------------------
# Stats

def test_stats_of_a_fresh_user_are_zeros_and_nulls():
    assert stats(register()) == {"total_updates": 0, "distance_traveled_meters": 0,
                                 "first_update_at": None, "last_update_at": None,
                                 "active_shares": 0, "geofences": 0, "geofence_events": 0}


def test_stats_count_updates_distance_shares_and_geofences():
    centre = random_centre()
    me, friend, other = register(), register(), register()
    path = [at(centre), north_of(centre, 300), {"latitude": centre[0], "longitude": centre[1] + 0.01},
            at(centre)]
    stored = [update(me, p) for p in path]
    legs = sum(haversine(a["latitude"], a["longitude"], b["latitude"], b["longitude"])
               for a, b in zip(stored, stored[1:]))
    share(me)
    share(me, target_user_id=friend.id)
    stopped = share(me, target_user_id=other.id)
    assert api("DELETE", "location/shares/%d" % stopped["id"], me.access).status_code == 204
    share(friend, target_user_id=me.id)  # incoming: not mine
    # Geofences are created here by SQL, after the updates, so no fence evaluation runs.
    psql("INSERT INTO geofence_areas (user_id, name, center_latitude, center_longitude, "
         "radius_meters, is_active) VALUES ('%s', 'home', 0, 0, 100, true), "
         "('%s', 'old', 0, 0, 100, false), ('%s', 'theirs', 0, 0, 100, true)"
         % (me.id, me.id, friend.id))
    psql("INSERT INTO geofence_events (user_id, geofence_id, event_type) SELECT user_id, id, e "
         "FROM geofence_areas, (VALUES ('entry'), ('exit')) AS t(e) WHERE user_id = '%s' "
         "AND name = 'home'" % me.id)
    s = stats(me)
    assert s["total_updates"] == 4
    assert s["distance_traveled_meters"] == pytest.approx(legs, abs=0.5)
    assert s["first_update_at"] == stored[0]["created_at"]
    assert s["last_update_at"] == stored[-1]["created_at"]
    assert (s["active_shares"], s["geofences"], s["geofence_events"]) == (2, 1, 2)


def test_concurrent_updates_of_one_user_add_up_their_legs_in_the_order_they_were_stored():
    """Two devices of one user reporting at once: each update measures its leg from the position
    the update before it stored (read after the user's lock), so the lifetime distance is the
    sum of the legs along the history in insertion order, however the updates raced."""
    centre = random_centre()
    me = register()
    points = [north_of(centre, 100 * i) for i in range(12)]
    random.shuffle(points)
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda p: update(me, p), points))
    rows = psql("SELECT latitude, longitude FROM user_locations WHERE user_id = '%s' ORDER BY id"
                % me.id).splitlines()
    stored = [tuple(float(v) for v in row.split("|")) for row in rows]
    assert len(stored) == len(points)
    legs = sum(haversine(a[0], a[1], b[0], b[1]) for a, b in zip(stored, stored[1:]))
    s = stats(me)
    assert s["total_updates"] == len(points)
    assert s["distance_traveled_meters"] == pytest.approx(legs, abs=0.5)


# --------------------------------------------------------------------------------------------
# Retention

def test_retention_deletes_aged_history_rows_and_keeps_the_rest():
    centre = random_centre()
    me = register()
    stored = [update(me, north_of(centre, m)) for m in (0, 100, 250, 400)]
    before = stats(me)
    psql("UPDATE user_locations SET created_at = now() - interval '31 days' WHERE id IN (%d, %d)"
         % (stored[0]["id"], stored[1]["id"]))
    psql("UPDATE user_locations SET created_at = now() - interval '29 days' WHERE id = %d"
         % stored[2]["id"])

    def history_ids():
        r = api("GET", "location/history", me.access)
        assert r.status_code == 200, r.text
        return [x["id"] for x in r.json()["locations"]]
    wait_until(lambda: history_ids() == [stored[3]["id"], stored[2]["id"]], 15, 0.2,
               "the rows aged 31 days to be deleted")
    assert psql("SELECT count(*) FROM user_locations WHERE user_id = '%s'" % me.id) == "2"
    current = api("GET", "location/current", me.access)
    assert current.status_code == 200 and current.json()["id"] == stored[3]["id"], current.text
    assert stats(me) == before


# --------------------------------------------------------------------------------------------
# Push

def test_a_targeted_share_pushes_to_the_targets_device_in_its_language():
    if not FCM.url:
        pytest.fail("NT_FCM_STANDIN_URL is not set: scripts/test starts the FCM stand-in")
    sharer = register(display_name="Aiko")
    target = register()
    r = api("PUT", "profile", target.access, json_body={"language": "jp"})
    assert r.status_code == 200, r.text
    token = "device-%s" % uuid.uuid4().hex
    r = api("POST", "push-notifications/device-tokens", target.access,
            json_body={"token": token, "device_type": "android"})
    assert r.status_code == 201, r.text
    s = share(sharer, target_user_id=target.id, duration_minutes=30)
    [send] = wait_until(lambda: FCM.sends_to(token), 20, 0.1, "the location-share push")
    assert send["status"] == 200
    message = send["body"]["message"]
    assert message["notification"] == {"title": "Aikoさんが位置情報を共有しました",
                                       "body": "タップしてAikoさんの現在地を表示"}
    assert message["data"]["type"] == "location_share"
    assert message["data"]["share_id"] == str(s["id"])
    assert message["data"]["sharer_id"] == sharer.id
