"""Nothing lost when Redis goes away (DESIGN.md §7; RELIABILITY §3 L1-L6, §5 FI-1): messages
sent over REST and over the WebSocket while Redis is down are durable (201 / ack), retries stay
idempotent, connected clients are told resync_required once the bus is back, a sync then
returns every message of the outage exactly once, and live delivery resumes. Runs last (it
takes Redis away; see conftest)."""
import time
import uuid

from conftest import (all_messages, api, create_private, register, send_message,
                      wait_chat_routed, ws_ack, ws_event, ws_open, ws_send_json)

OUTAGE_SECONDS = 3


def test_messages_sent_during_a_redis_outage_are_kept_and_synced(redis_outage, sockets):
    a, b = register(), register()
    chat = create_private(a, b)
    cid = chat["id"]
    wsa, _ = ws_open(a.access, node=1)
    wsb1, _ = ws_open(b.access, node=1)
    wsb2, _ = ws_open(b.access, node=2)
    sockets.extend([wsa, wsb1, wsb2])
    wait_chat_routed(cid, 2)
    first = send_message(a, cid, "before the outage")
    for ws in (wsb1, wsb2):
        ws_event(ws, "new_message", lambda d: d["id"] == first["id"], timeout=3)

    redis_outage.stop()
    t0 = time.monotonic()
    during = []
    # The users keep chatting through an outage of a few seconds: longer than a blink, so the
    # daemons' reconnect attempts meet a Redis that is really gone (the pauses are the
    # scenario's duration, not a wait for some state).
    for i in range(4):
        during.append(send_message(a if i % 2 == 0 else b, cid, "during %d" % i,
                                   client_msg_id="out-%d-%s" % (i, uuid.uuid4().hex)))
        time.sleep(OUTAGE_SECONDS / 4)
    # A retry of one of them is still recognised (Postgres holds client_msg_id).
    r = api("POST", "chats/%d/messages" % cid, token=a.access,
            json_body={"content": "retry", "client_msg_id": during[0]["client_msg_id"]})
    assert r.status_code == 200 and r.json()["id"] == during[0]["id"], r.text
    # The WebSocket door works too: the daemon stores it and acks.
    ack = ws_ack(wsa, "send_message", {"chat_id": cid, "content": "during, over ws",
                                       "client_msg_id": "ws-" + uuid.uuid4().hex}, timeout=10)
    during.append(ack["message"])
    assert time.monotonic() - t0 < OUTAGE_SECONDS + 10, "sends during the outage must not hang"
    assert [m["seq"] for m in during] == [2, 3, 4, 5, 6]
    redis_outage.start()

    # Every connection is told to catch up, and nothing of the outage came live before that.
    for ws in (wsb1, wsb2):
        seen = []
        ev = ws_event(ws, "resync_required", timeout=15, seen=seen)
        assert ev["data"] == {"reason": "bus_reconnected"}
        assert [f["data"]["seq"] for f in seen if f.get("type") == "new_message"] == [], seen
        ws_send_json(ws, {"type": "sync", "id": "catch-up", "data": {"chats": {str(cid): 1}}})
        seen = []
        done = ws_event(ws, "sync_complete", timeout=5, seen=seen)
        got = [f["data"] for f in seen if f.get("type") == "new_message"]
        assert [m["seq"] for m in got] == [2, 3, 4, 5, 6], got
        assert [m["id"] for m in got] == [m["id"] for m in during]
        assert [m["content"] for m in got] == [m["content"] for m in during]
        assert done["data"] == {"id": "catch-up",
                                "chats": {str(cid): {"last_seq": 6, "has_more": False}}}
    # Stored once each, in order, for both members.
    for user in (a, b):
        stored = all_messages(user, cid)
        assert [m["seq"] for m in stored] == [1, 2, 3, 4, 5, 6]
        assert len({m["id"] for m in stored}) == 6
    # Live delivery is back on both daemons.
    after = send_message(a, cid, "after the outage")
    for ws in (wsb1, wsb2):
        seen = []
        ws_event(ws, "new_message", lambda d: d["id"] == after["id"], timeout=5, seen=seen)
        assert [f for f in seen if f.get("type") == "new_message"] == [], seen
