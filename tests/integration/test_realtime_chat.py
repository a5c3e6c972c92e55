"""Chat events over WebSocket with two daemons (DESIGN.md §5, §7; RELIABILITY §2 C6, C7,
C13, F1, F4, F5, F8, F12, F13, F16): REST writes reach members connected to either daemon and
nobody else; typing is scoped to joined connections and expires; receipts and presence reach
the people who share a chat; sync returns exactly what was missed; WS sends are acked and
idempotent; abuse of the new client events gets error frames or the documented close codes.

Connections are pinned with ws_open(node=1|2). Where a test must know that a daemon has
loaded a user's chats before it publishes, it waits with wait_chat_routed (the daemon's Redis
subscription); "nothing arrived" is always checked against a later event that does arrive."""
import contextlib
import json
import os
import socket
import subprocess
import time
import uuid

import pytest
import websocket

from conftest import (RFC3339_MS, STACK_DIR, about_chat, all_messages, api, assert_envelope,
                      create_group, create_private, env_setting, history, login_ok,
                      redis_command, redis_commands, register, send_message, wait_chat_routed,
                      wait_until, wait_user_routed, ws_ack, ws_close_quietly, ws_event, ws_next,
                      ws_open, ws_open_ticket_raw, ws_request, ws_send_json, ws_ticket,
                      ws_wait_close, send_fragments_past_limit)

MISSING_CHAT = 9_000_000_000_000


def connect(sockets, user, node):
    ws, _ = ws_open(user.access, node=node)
    sockets.append(ws)
    return ws


def types_about(frames, chat_id):
    return [f["type"] for f in frames if isinstance(f, dict) and about_chat(f, chat_id)]


def same_message(event_data, rest_message):
    keys = set(rest_message) - {"status"}
    return {k: event_data[k] for k in keys} == {k: rest_message[k] for k in keys}


# --- delivery across daemons -----------------------------------------------------------------------

def test_rest_message_reaches_a_member_on_the_other_daemon(sockets):
    a, b = register(), register()
    chat = create_private(a, b)
    wsa = connect(sockets, a, 1)
    wsb = connect(sockets, b, 2)
    wait_chat_routed(chat["id"], 2)
    t0 = time.monotonic()
    m = send_message(a, chat["id"], "across daemons", client_msg_id="x-" + uuid.uuid4().hex)
    frame = ws_event(wsb, "new_message", lambda d: d["id"] == m["id"], timeout=2)
    latency = time.monotonic() - t0
    assert latency < 2, latency
    assert_envelope(frame, "new_message")
    assert same_message(frame["data"], m), (frame["data"], m)
    assert frame["data"]["status"] == "sent"
    # The sender's own connection hears it too (their other devices stay in step).
    own = ws_event(wsa, "new_message", lambda d: d["id"] == m["id"], timeout=2)
    assert same_message(own["data"], m)


def test_a_connected_non_member_receives_nothing_of_the_chat(sockets):
    a, b, stranger, friend = register(), register(), register(), register()
    chat = create_group(a, [b])
    theirs = create_private(stranger, friend)
    wsb = connect(sockets, b, 1)
    connect(sockets, a, 2)  # the stranger's daemon also listens to the chat
    wss = connect(sockets, stranger, 2)
    wait_chat_routed(chat["id"], 2)
    wait_chat_routed(theirs["id"], 1)
    m = send_message(a, chat["id"], "members only")
    assert api("PUT", "messages/%d" % m["id"], token=a.access,
               json_body={"content": "edited"}).status_code == 200
    assert api("PUT", "messages/%d/read" % m["id"], token=b.access).status_code == 200
    assert api("PUT", "chats/%d" % chat["id"], token=a.access,
               json_body={"name": "renamed"}).status_code == 200
    assert api("DELETE", "messages/%d" % m["id"], token=a.access).status_code == 200
    ws_event(wsb, "message_deleted", lambda d: d["id"] == m["id"], timeout=3)
    # Published after all of the above: once it is here, anything about the chat would be too.
    marker = send_message(friend, theirs["id"], "marker")
    seen = []
    ws_event(wss, "new_message", lambda d: d["id"] == marker["id"], timeout=3, seen=seen)
    assert types_about(seen, chat["id"]) == [], seen
    assert not any(f.get("type") in ("new_message", "message_updated", "message_deleted",
                                     "message_read", "chat_updated") for f in seen), seen


# --- sending over the WebSocket (F16, L2) -------------------------------------------------------------

def test_send_message_over_ws_is_acked_delivered_and_idempotent(sockets):
    a, b = register(), register()
    chat = create_private(a, b)
    cid = chat["id"]
    wsa = connect(sockets, a, 1)
    wsb = connect(sockets, b, 2)
    wait_chat_routed(cid, 2)
    cmid = "ws-" + uuid.uuid4().hex
    ack = ws_ack(wsa, "send_message", {"chat_id": cid, "content": "via ws", "client_msg_id": cmid})
    m = ack["message"]
    assert set(ack) == {"id", "message"}
    assert m["chat_id"] == cid and m["seq"] == 1 and m["sender_id"] == a.id
    assert m["content"] == "via ws" and m["client_msg_id"] == cmid and m["status"] == "sent"
    got = ws_event(wsb, "new_message", lambda d: d["id"] == m["id"], timeout=2)
    assert same_message(got["data"], m)
    # The same client_msg_id over REST: the first message, 200, nothing new (F16).
    r = api("POST", "chats/%d/messages" % cid, token=a.access,
            json_body={"content": "via rest", "client_msg_id": cmid})
    assert r.status_code == 200, r.text
    assert (r.json()["id"], r.json()["seq"], r.json()["content"]) == (m["id"], 1, "via ws")
    # And over the WebSocket again: the same message in the ack.
    again = ws_ack(wsa, "send_message", {"chat_id": cid, "content": "again", "client_msg_id": cmid})
    assert (again["message"]["id"], again["message"]["seq"]) == (m["id"], 1)
    # b saw exactly one new_message for seq 1: the retries published nothing.
    marker = send_message(a, cid, "marker")
    seen = []
    ws_event(wsb, "new_message", lambda d: d["id"] == marker["id"], timeout=3, seen=seen)
    assert [f for f in seen if f.get("type") == "new_message"] == [], seen
    # Replies work over WS like over REST.
    reply = ws_ack(wsb, "send_message", {"chat_id": cid, "content": "re", "reply_to_id": m["id"],
                                         "client_msg_id": "r-" + uuid.uuid4().hex})["message"]
    assert reply["seq"] == 3 and reply["reply_to"]["id"] == m["id"]
    ws_event(wsa, "new_message", lambda d: d["id"] == reply["id"], timeout=3)
    assert [x["seq"] for x in all_messages(b, cid)] == [1, 2, 3]


def test_rest_first_then_ws_with_the_same_client_msg_id(sockets):
    a, b = register(), register()
    chat = create_private(a, b)
    wsa = connect(sockets, a, 2)
    cmid = "rw-" + uuid.uuid4().hex
    first = send_message(a, chat["id"], "rest first", client_msg_id=cmid)
    ack = ws_ack(wsa, "send_message", {"chat_id": chat["id"], "content": "ws second",
                                       "client_msg_id": cmid})
    assert (ack["message"]["id"], ack["message"]["seq"]) == (first["id"], first["seq"])
    assert [x["content"] for x in all_messages(b, chat["id"])] == ["rest first"]


def test_send_message_over_ws_input_errors(sockets):
    a, b = register(), register()
    chat = create_private(a, b)
    ws = connect(sockets, a, 1)
    cases = [
        ({"chat_id": chat["id"]}, "content"),
        ({"chat_id": chat["id"], "content": "x" * 10001}, "content"),
        ({"chat_id": chat["id"], "content": 5}, "content"),
        ({"chat_id": chat["id"], "content": "x", "message_type": "poll"}, "message_type"),
        ({"chat_id": chat["id"], "content": "x", "client_msg_id": "c" * 65}, "client_msg_id"),
        ({"chat_id": chat["id"], "content": "x", "metadata": "nope"}, "metadata"),
        ({"content": "x"}, "chat_id"),
        ({"chat_id": "1", "content": "x"}, "chat_id"),
    ]
    for data, field in cases:
        frame = ws_request(ws, "send_message", data)
        assert frame["type"] == "error", (data, frame)
        assert frame["data"]["code"] == "validation_error" and frame["data"]["status"] == 422
        assert field in {e["field"] for e in frame["data"]["errors"]}, (data, frame)
        assert all(e["message"] for e in frame["data"]["errors"])
    # 10,000 CJK characters (30,000 bytes) fit in a frame and in a message.
    ok = ws_ack(ws, "send_message", {"chat_id": chat["id"], "content": "語" * 10000})
    assert ok["message"]["seq"] == 1
    assert [m["seq"] for m in all_messages(b, chat["id"])] == [1]


# --- access control over the WebSocket (C7, C13, C6) ------------------------------------------------------

def test_c7_events_for_a_chat_the_user_is_not_in(sockets):
    a, b, stranger = register(), register(), register()
    chat = create_group(a, [b])
    cid = chat["id"]
    m = send_message(a, cid, "members only")
    wsb = connect(sockets, b, 2)
    assert ws_ack(wsb, "join_chat", {"chat_id": cid})["chat_id"] == cid
    wss = connect(sockets, stranger, 1)
    wait_chat_routed(cid, 1)
    wrong = []  # answers other than the 404 error, reported together at the end
    for chat_id in (cid, MISSING_CHAT):
        for type_, data in (("join_chat", {"chat_id": chat_id}),
                            ("leave_chat", {"chat_id": chat_id}),
                            ("typing_indicator", {"chat_id": chat_id, "is_typing": True}),
                            ("typing_indicator", {"chat_id": chat_id, "is_typing": False}),
                            ("message_read", {"chat_id": chat_id, "message_id": m["id"]}),
                            ("send_message", {"chat_id": chat_id, "content": "intrusion",
                                              "client_msg_id": "s-" + uuid.uuid4().hex})):
            frame = ws_request(wss, type_, data)
            if frame["type"] != "error" or frame["data"]["code"] != "not_found":
                wrong.append((type_, data, frame["type"], frame["data"]))
                continue
            assert frame["data"]["status"] == 404, frame
            assert isinstance(frame["data"]["detail"], str) and frame["data"]["detail"]
    # A sync of that chat returns nothing of it.
    ws_send_json(wss, {"type": "sync", "id": "s1", "data": {"chats": {str(cid): 0}}})
    seen = []
    done = ws_event(wss, "sync_complete", timeout=3, seen=seen)
    assert done["data"] == {"id": "s1", "chats": {str(cid): {"error": "not_found"}}}
    assert [f for f in seen if f.get("type") == "new_message"] == []
    # No fan-out: b heard nothing from the stranger; history and pointers are unchanged.
    marker = send_message(a, cid, "marker")
    seen = []
    ws_event(wsb, "new_message", lambda d: d["id"] == marker["id"], timeout=3, seen=seen)
    assert [f["type"] for f in seen if f.get("type") in (
        "typing_indicator", "message_read", "new_message")] == [], seen
    assert [x["content"] for x in all_messages(a, cid)] == ["members only", "marker"]
    detail = api("GET", "chats/%d" % cid, token=a.access).json()
    assert {p["user_id"] for p in detail["participants"]} == {a.id, b.id}
    # Every chat event of a non-member is refused like a missing chat (DESIGN.md §5:
    # join_chat / leave_chat are for members only; RELIABILITY C7 covers typing).
    assert wrong == [], wrong


def test_c13_message_read_with_a_message_of_another_chat(sockets):
    a, b, c = register(), register(), register()
    mine = create_private(a, b)
    other = create_private(b, c)  # a is not in it
    both = create_group(b, [a])   # a is in it
    foreign = send_message(c, other["id"], "not for a")
    shared = send_message(b, both["id"], "for a")
    ws = connect(sockets, a, 1)
    for data in ({"chat_id": mine["id"], "message_id": foreign["id"]},
                 {"chat_id": mine["id"], "message_id": shared["id"]},
                 {"chat_id": mine["id"], "message_id": MISSING_CHAT}):
        frame = ws_request(ws, "message_read", data)
        assert frame["type"] == "error" and frame["data"]["code"] == "not_found", (data, frame)
    # Nothing moved: a still has the shared message unread, b's chat with c is untouched.
    assert api("GET", "messages/unread/count", token=a.access).json() == {
        "total": 1, "chats": {str(both["id"]): 1}}
    assert api("GET", "messages/unread/count", token=b.access).json()["chats"] == {
        str(other["id"]): 1}
    # The right pair works.
    ok = ws_ack(ws, "message_read", {"chat_id": both["id"], "message_id": shared["id"]})
    assert ok["read"] == {"chat_id": both["id"], "message_id": shared["id"], "last_read_seq": 1}


def test_c6_removed_member_stops_receiving_the_chat(sockets):
    a, b, c = register(), register(), register()
    group = create_group(a, [b, c])
    side = create_private(a, b)
    wsb = connect(sockets, b, 2)
    wsc = connect(sockets, c, 1)
    assert ws_ack(wsb, "join_chat", {"chat_id": group["id"]})
    wait_chat_routed(group["id"], 2)
    wait_chat_routed(side["id"], 1)
    r = api("DELETE", "chats/%d/participants/%s" % (group["id"], b.id), token=a.access)
    assert r.status_code == 204
    for ws in (wsb, wsc):
        ev = ws_event(ws, "participant_removed", timeout=3)
        assert ev["data"] == {"chat_id": group["id"], "user_id": b.id, "removed_by": a.id,
                              "left": False, "promoted_admin": None}
    after = send_message(a, group["id"], "b is gone")
    ws_event(wsc, "new_message", lambda d: d["id"] == after["id"], timeout=3)
    api("PUT", "messages/%d" % after["id"], token=a.access, json_body={"content": "b is gone!"})
    ws_event(wsc, "message_updated", lambda d: d["id"] == after["id"], timeout=3)
    marker = send_message(a, side["id"], "marker")
    seen = []
    ws_event(wsb, "new_message", lambda d: d["id"] == marker["id"], timeout=3, seen=seen)
    assert types_about(seen, group["id"]) == [], seen
    # Nor can b act on it any more.
    assert ws_request(wsb, "join_chat", {"chat_id": group["id"]})["data"]["code"] == "not_found"
    frame = ws_request(wsb, "send_message", {"chat_id": group["id"], "content": "let me back"})
    assert frame["data"]["code"] == "not_found"
    assert api("GET", "chats/%d/messages" % group["id"], token=b.access).status_code == 404
    assert [m["content"] for m in all_messages(c, group["id"])] == ["b is gone!"]


def test_new_chats_and_added_members_start_receiving(sockets):
    a, b, c = register(), register(), register()
    wsb = connect(sockets, b, 2)
    wsc = connect(sockets, c, 1)
    wait_user_routed(b.id)
    wait_user_routed(c.id)
    chat = create_group(a, [b], name="fresh")
    created = ws_event(wsb, "chat_created", timeout=3)
    assert created["data"]["id"] == chat["id"] and created["data"]["name"] == "fresh"
    assert {p["user_id"] for p in created["data"]["participants"]} == {a.id, b.id}
    wait_chat_routed(chat["id"], 1)
    m1 = send_message(a, chat["id"], "welcome b")
    ws_event(wsb, "new_message", lambda d: d["id"] == m1["id"], timeout=3)
    r = api("POST", "chats/%d/participants" % chat["id"], token=a.access, json_body={"user_id": c.id})
    assert r.status_code == 200
    for ws in (wsb, wsc):
        ev = ws_event(ws, "participant_added", timeout=3)
        assert ev["data"]["chat_id"] == chat["id"] and ev["data"]["user_ids"] == [c.id]
        assert ev["data"]["added_by"] == a.id
        assert {p["user_id"] for p in ev["data"]["chat"]["participants"]} == {a.id, b.id, c.id}
    wait_chat_routed(chat["id"], 2)
    m2 = send_message(a, chat["id"], "welcome c")
    ev = ws_event(wsc, "new_message", lambda d: d["id"] == m2["id"], timeout=3)
    assert ev["data"]["content"] == "welcome c"
    # c may join it now, and sync its history.
    assert ws_ack(wsc, "join_chat", {"chat_id": chat["id"]})["chat_id"] == chat["id"]


def test_edits_deletes_and_settings_reach_the_members(sockets):
    a, b = register(), register()
    chat = create_group(a, [b], name="before")
    wsb = connect(sockets, b, 2)
    wait_chat_routed(chat["id"], 1)
    m = send_message(a, chat["id"], "draft")
    r = api("PUT", "messages/%d" % m["id"], token=a.access, json_body={"content": "final"})
    ev = ws_event(wsb, "message_updated", lambda d: d["id"] == m["id"], timeout=3)
    assert ev["data"]["content"] == "final" and ev["data"]["is_edited"] is True
    assert same_message(ev["data"], r.json())
    assert api("DELETE", "messages/%d" % m["id"], token=a.access).status_code == 200
    ev = ws_event(wsb, "message_deleted", lambda d: d["id"] == m["id"], timeout=3)
    d = ev["data"]
    assert (d["id"], d["chat_id"], d["seq"], d["deleted_by"]) == (m["id"], chat["id"], 1, a.id)
    # Whatever else it carries is the tombstone, never the old content.
    assert d.get("is_deleted", True) is True and d.get("content") is None
    assert "final" not in json.dumps(d) and "draft" not in json.dumps(d)
    assert api("PUT", "chats/%d" % chat["id"], token=a.access,
               json_body={"name": "after"}).status_code == 200
    ev = ws_event(wsb, "chat_updated", timeout=3)
    assert ev["data"]["id"] == chat["id"] and ev["data"]["name"] == "after"


# --- typing ---------------------------------------------------------------------------------------------

def test_typing_is_scoped_renewed_and_expires(sockets):
    a, b, c = register(), register(), register()
    chat = create_group(a, [b, c])
    cid = chat["id"]
    wsa = connect(sockets, a, 1)
    wsb = connect(sockets, b, 2)  # joins the chat: hears typing
    wsc = connect(sockets, c, 2)  # member, not joined: does not
    wait_chat_routed(cid, 2)
    assert ws_ack(wsb, "join_chat", {"chat_id": cid})["chat_id"] == cid
    seen_a = []  # everything a's connection receives until the first marker
    assert ws_ack(wsa, "join_chat", {"chat_id": cid}, seen=seen_a)["chat_id"] == cid
    ack = ws_ack(wsa, "typing_indicator", {"chat_id": cid, "is_typing": True}, seen=seen_a)
    assert set(ack) == {"id"}
    ev = ws_event(wsb, "typing_indicator", timeout=3)
    assert_envelope(ev, "typing_indicator")
    assert ev["data"] == {"chat_id": cid, "user_id": a.id, "is_typing": True}
    # Renewed within the window: no second "typing"; then an explicit stop.
    ws_send_json(wsa, {"type": "typing_indicator", "data": {"chat_id": cid, "is_typing": True}})
    ws_ack(wsa, "typing_indicator", {"chat_id": cid, "is_typing": False}, seen=seen_a)
    seen = []
    ev = ws_event(wsb, "typing_indicator", timeout=3, seen=seen)
    assert ev["data"] == {"chat_id": cid, "user_id": a.id, "is_typing": False}
    assert [f for f in seen if f.get("type") == "typing_indicator"] == []
    # Neither the typist nor the member who did not join heard any of it.
    marker = send_message(b, cid, "marker 1")
    for ws, seen in ((wsa, seen_a), (wsc, [])):
        ws_event(ws, "new_message", lambda d: d["id"] == marker["id"], timeout=3, seen=seen)
        assert [f for f in seen if f.get("type") == "typing_indicator"] == [], seen
    # After leave_chat, b hears no typing; a connection that closes while typing stops it.
    assert ws_ack(wsb, "leave_chat", {"chat_id": cid})["chat_id"] == cid
    ws_ack(wsa, "typing_indicator", {"chat_id": cid, "is_typing": True})
    ws_ack(wsa, "typing_indicator", {"chat_id": cid, "is_typing": False})
    marker = send_message(c, cid, "marker 2")
    seen = []
    ws_event(wsb, "new_message", lambda d: d["id"] == marker["id"], timeout=3, seen=seen)
    assert [f for f in seen if f.get("type") == "typing_indicator"] == [], seen
    assert ws_ack(wsb, "join_chat", {"chat_id": cid})["chat_id"] == cid
    wsc2 = connect(sockets, c, 1)
    wait_chat_routed(cid, 2)
    ws_ack(wsc2, "typing_indicator", {"chat_id": cid, "is_typing": True})
    ev = ws_event(wsb, "typing_indicator", timeout=3)
    assert ev["data"] == {"chat_id": cid, "user_id": c.id, "is_typing": True}
    ws_close_quietly(wsc2)
    ev = ws_event(wsb, "typing_indicator", timeout=3)
    assert ev["data"] == {"chat_id": cid, "user_id": c.id, "is_typing": False}
    # Without renewal, "typing" ends by itself after 10 s.
    ws_ack(wsa, "typing_indicator", {"chat_id": cid, "is_typing": True})
    ev = ws_event(wsb, "typing_indicator", timeout=3)
    assert ev["data"]["is_typing"] is True
    t0 = time.monotonic()
    ev = ws_event(wsb, "typing_indicator", timeout=14)
    elapsed = time.monotonic() - t0
    assert ev["data"] == {"chat_id": cid, "user_id": a.id, "is_typing": False}
    assert 9.0 <= elapsed <= 12.5, elapsed


# --- receipts -------------------------------------------------------------------------------------------

def test_delivered_and_read_receipts_reach_the_sender(sockets):
    a, b = register(), register()
    chat = create_private(a, b)
    cid = chat["id"]
    wsa = connect(sockets, a, 1)
    wsb = connect(sockets, b, 2)
    wait_chat_routed(cid, 2)
    m = send_message(a, cid, "did you get it?")
    ws_event(wsb, "new_message", lambda d: d["id"] == m["id"], timeout=3)
    ev = ws_event(wsa, "message_delivered", timeout=3)
    assert_envelope(ev, "message_delivered")
    assert ev["data"] == {"chat_id": cid,
                          "deliveries": [{"user_id": b.id, "last_delivered_seq": 1}]}
    assert history(a, cid)["messages"][0]["status"] == "delivered"
    ack = ws_ack(wsb, "message_read", {"chat_id": cid, "message_id": m["id"]})
    assert ack["read"] == {"chat_id": cid, "message_id": m["id"], "last_read_seq": 1}
    ev = ws_event(wsa, "message_read", timeout=3)
    assert ev["data"] == {"chat_id": cid, "user_id": b.id, "message_id": m["id"],
                          "last_read_seq": 1}
    assert history(a, cid)["messages"][0]["status"] == "read"
    # Reading it again moves nothing and announces nothing.
    again = ws_ack(wsb, "message_read", {"chat_id": cid, "message_id": m["id"]})
    assert again["read"]["last_read_seq"] == 1
    # A read over REST is announced the same way.
    m2 = send_message(a, cid, "and this?")
    assert api("PUT", "messages/%d/read" % m2["id"], token=b.access).status_code == 200
    seen = []
    ev = ws_event(wsa, "message_read", lambda d: d["message_id"] == m2["id"], timeout=3, seen=seen)
    assert ev["data"]["last_read_seq"] == 2
    assert [f for f in seen if f.get("type") == "message_read"] == [], seen


# --- presence -------------------------------------------------------------------------------------------

def test_presence_goes_to_people_sharing_a_chat(sockets):
    a, b, d, stranger, friend = (register() for _ in range(5))
    chat = create_group(b, [a, d])
    theirs = create_private(stranger, friend)
    wsb = connect(sockets, b, 1)
    wsd = connect(sockets, d, 2)
    wss = connect(sockets, stranger, 2)
    wait_chat_routed(chat["id"], 2)
    assert ws_ack(wsb, "join_chat", {"chat_id": chat["id"]})
    # a's first connection anywhere: b hears "online".
    wsa1, _ = ws_open(a.access, node=2)
    sockets.append(wsa1)
    ev = ws_event(wsb, "user_status", lambda x: x["user_id"] == a.id, timeout=3)
    assert_envelope(ev, "user_status")
    assert ev["data"]["status"] == "online" and ev["data"]["last_seen"] is None
    # A second connection (same daemon: the cross-daemon case is the next test), then closing
    # the first: no new status for a.
    wsa2, _ = ws_open(a.access, node=2)
    sockets.append(wsa2)
    wsa1.close()
    # Two round trips through the daemon that held the closed connection.
    ws_ack(wsd, "typing_indicator", {"chat_id": chat["id"], "is_typing": True})
    ws_event(wsb, "typing_indicator", lambda x: x["user_id"] == d.id and x["is_typing"], timeout=3)
    ws_ack(wsd, "typing_indicator", {"chat_id": chat["id"], "is_typing": False})
    seen = []
    ws_event(wsb, "typing_indicator", lambda x: x["user_id"] == d.id and not x["is_typing"],
             timeout=3, seen=seen)
    assert [f for f in seen if f.get("type") == "user_status"
            and f["data"].get("user_id") == a.id] == [], seen
    # The last connection closes: offline, with last_seen.
    wsa2.close()
    ev = ws_event(wsb, "user_status", lambda x: x["user_id"] == a.id, timeout=3)
    assert ev["data"]["status"] == "offline" and RFC3339_MS.match(ev["data"]["last_seen"])
    # The stranger, connected all along, heard nothing about a.
    marker = send_message(friend, theirs["id"], "marker")
    seen = []
    ws_event(wss, "new_message", lambda x: x["id"] == marker["id"], timeout=3, seen=seen)
    assert [f for f in seen if f.get("type") == "user_status"
            and f["data"].get("user_id") == a.id] == [], seen


def test_presence_reconnecting_across_daemons_never_shows_offline(sockets):
    """A client that reconnects make-before-break (opens the new connection, gets `connected`,
    then closes the old one) stays online for the people it shares a chat with, whichever
    daemons the two connections land on."""
    a, b = register(), register()
    chat = create_private(a, b)
    wsb = connect(sockets, b, 1)
    wait_chat_routed(chat["id"], 1)
    current, _ = ws_open(a.access, node=1)
    sockets.append(current)
    seen = []
    first = ws_event(wsb, "user_status", lambda x: x["user_id"] == a.id, timeout=3, seen=seen)
    statuses = [first["data"]["status"]]
    for i in range(20):
        fresh, _ = ws_open(a.access, node=2 if i % 2 == 0 else 1)
        sockets.append(fresh)
        current.close()
        current = fresh
    current.close()
    ev = ws_event(wsb, "user_status", lambda x: x["user_id"] == a.id, timeout=3, seen=seen)
    statuses.append(ev["data"]["status"])
    marker = send_message(b, chat["id"], "marker")  # after every status change above
    ws_event(wsb, "new_message", lambda x: x["id"] == marker["id"], timeout=3, seen=seen)
    statuses += [f["data"]["status"] for f in seen
                 if f.get("type") == "user_status" and f["data"]["user_id"] == a.id]
    assert statuses == ["online", "offline"], statuses


@contextlib.contextmanager
def table_locked(table):
    """Holds an ACCESS EXCLUSIVE lock on `table` from a psql session of its own until the block
    ends: whatever reads the table waits until then."""
    holder = subprocess.Popen(
        ["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1",
         "-h", os.path.join(STACK_DIR, "run"), "-p", env_setting("NT_PG_PORT"), "-d", "nerutalk"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        holder.stdin.write("BEGIN; LOCK TABLE %s IN ACCESS EXCLUSIVE MODE; SELECT 'locked';\n" % table)
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.communicate("COMMIT;\n", timeout=30)


def test_presence_offline_when_the_last_connection_closes_before_its_chats_loaded(sockets):
    """A reconnect that lands on a daemon where the user has no other connection, closed before
    that daemon has read the user's chats from Postgres (held up here by a lock on the table):
    the people the user shares a chat with still hear "offline"."""
    a, b = register(), register()
    chat = create_private(a, b)
    wsb = connect(sockets, b, 1)
    old = connect(sockets, a, 2)
    wait_chat_routed(chat["id"], 2)
    seen = []
    ev = ws_event(wsb, "user_status", lambda x: x["user_id"] == a.id, timeout=3, seen=seen)
    statuses = [ev["data"]["status"]]
    ticket = ws_ticket(a.access)
    live = "nerutalk:presence:%s" % a.id

    def live_connections(n):
        return lambda: redis_command("ZCARD", live) == n
    with table_locked("chat_participants"):
        fresh, _ = ws_open(ticket=ticket, node=1)
        sockets.append(fresh)
        old.close()
        wait_until(live_connections(1), 5, what="daemon 2 to count the old connection out")
        fresh.close()
        wait_until(live_connections(0), 5, what="daemon 1 to count the last connection out")
        assert redis_command("GET", "nerutalk:user_status:%s" % a.id) == b"offline"
    ev = ws_event(wsb, "user_status", lambda x: x["user_id"] == a.id, timeout=5, seen=seen)
    statuses.append(ev["data"]["status"])
    assert RFC3339_MS.match(ev["data"]["last_seen"]), ev
    marker = send_message(b, chat["id"], "marker")
    ws_event(wsb, "new_message", lambda x: x["id"] == marker["id"], timeout=3, seen=seen)
    statuses += [f["data"]["status"] for f in seen
                 if f.get("type") == "user_status" and f["data"]["user_id"] == a.id]
    assert statuses == ["online", "offline"], statuses


# --- catching up ------------------------------------------------------------------------------------------

def test_sync_after_a_disconnect_returns_exactly_what_was_missed(sockets):
    a, b, c = register(), register(), register()
    chat = create_private(a, b)
    group = create_group(a, [b])
    not_mine = create_private(a, c)
    send_message(a, not_mine["id"], "private to c")
    wsb = connect(sockets, b, 1)
    wait_chat_routed(chat["id"], 1)
    m1 = send_message(a, chat["id"], "seen live")
    ev = ws_event(wsb, "new_message", lambda d: d["id"] == m1["id"], timeout=3)
    last_seen = ev["data"]["seq"]
    wsb.close()
    missed = [send_message(a, chat["id"], "missed %d" % i) for i in range(3)]
    missed_group = [send_message(a, group["id"], "group missed %d" % i) for i in range(2)]
    wsb = connect(sockets, b, 2)
    ws_send_json(wsb, {"type": "sync", "id": "sync-1", "data": {"chats": {
        str(chat["id"]): last_seen, str(group["id"]): 0, str(not_mine["id"]): 0,
        str(MISSING_CHAT): 0}}})
    seen = []
    done = ws_event(wsb, "sync_complete", timeout=5, seen=seen)
    assert_envelope(done, "sync_complete")
    got = [f["data"] for f in seen if f.get("type") == "new_message"]
    assert [(m["chat_id"], m["seq"]) for m in got if m["chat_id"] == chat["id"]] == \
        [(chat["id"], 2), (chat["id"], 3), (chat["id"], 4)]
    assert [(m["chat_id"], m["seq"]) for m in got if m["chat_id"] == group["id"]] == \
        [(group["id"], 1), (group["id"], 2)]
    assert len(got) == 5
    assert sorted(m["id"] for m in got) == sorted(m["id"] for m in missed + missed_group)
    by_id = {m["id"]: m for m in missed + missed_group}
    for m in got:
        assert same_message(m, by_id[m["id"]])
    assert done["data"] == {"id": "sync-1", "chats": {
        str(chat["id"]): {"last_seq": 4, "has_more": False},
        str(group["id"]): {"last_seq": 2, "has_more": False},
        str(not_mine["id"]): {"error": "not_found"},
        str(MISSING_CHAT): {"error": "not_found"}}}
    # Up to date: nothing, and last_seq stays.
    ws_send_json(wsb, {"type": "sync", "id": "sync-2", "data": {"chats": {str(chat["id"]): 4}}})
    seen = []
    done = ws_event(wsb, "sync_complete", timeout=5, seen=seen)
    assert [f for f in seen if f.get("type") == "new_message"] == []
    assert done["data"]["chats"] == {str(chat["id"]): {"last_seq": 4, "has_more": False}}
    # Beyond the end is not an error either.
    ws_send_json(wsb, {"type": "sync", "data": {"chats": {str(chat["id"]): 99}}})
    done = ws_event(wsb, "sync_complete", timeout=5)
    assert done["data"] == {"chats": {str(chat["id"]): {"last_seq": 99, "has_more": False}}}


def test_messages_caught_up_by_sync_count_as_delivered(sockets):
    a, b = register(), register()
    chat = create_private(a, b)
    cid = chat["id"]
    wsa = connect(sockets, a, 1)
    wait_chat_routed(cid, 1)
    m = send_message(a, cid, "while b was away")
    wsb = connect(sockets, b, 2)
    ws_send_json(wsb, {"type": "sync", "id": "s", "data": {"chats": {str(cid): 0}}})
    seen = []
    ws_event(wsb, "sync_complete", timeout=5, seen=seen)
    assert [f["data"]["id"] for f in seen if f.get("type") == "new_message"] == [m["id"]]
    # The message reached b's device: the sender learns it, as for a live delivery.
    ev = ws_event(wsa, "message_delivered",
                  lambda d: any(x["user_id"] == b.id for x in d["deliveries"]), timeout=3)
    assert ev["data"] == {"chat_id": cid,
                          "deliveries": [{"user_id": b.id, "last_delivered_seq": 1}]}
    assert history(a, cid)["messages"][0]["status"] == "delivered"


def test_sync_input_errors(sockets):
    a = register()
    ws = connect(sockets, a, 1)
    for data in ({}, {"chats": None}, {"chats": []}, {"chats": "1"}, {"chats": {"abc": 1}},
                 {"chats": {"0": 1}}, {"chats": {"-4": 1}}, {"chats": {"1": -1}},
                 {"chats": {"1": "2"}}, {"chats": {"1": 1.5}}, {"chats": {"1": None}},
                 {"chats": {str(i): 0 for i in range(1, 202)}}):
        frame = ws_request(ws, "sync", data)
        assert frame["type"] == "error", (data, frame)
        assert frame["data"]["code"] == "validation_error" and frame["data"]["status"] == 422
        assert frame["data"]["errors"][0]["field"] == "chats"
    ws_send_json(ws, {"type": "ping", "id": "alive"})
    assert ws_event(ws, "pong", timeout=3)["data"] == {"id": "alive"}


# --- abuse of the new events (F4, F5, F12, F13) -------------------------------------------------------------

def test_f13_garbage_in_every_chat_event_is_an_error_frame(sockets):
    a, b = register(), register()
    chat = create_private(a, b)
    cid = chat["id"]
    bad_chat_ids = ["1", -1, 0, 1.5, None, {}, [1], True]
    types = {
        "join_chat": lambda v: {"chat_id": v},
        "leave_chat": lambda v: {"chat_id": v},
        "typing_indicator": lambda v: {"chat_id": v, "is_typing": True},
        "message_read": lambda v: {"chat_id": v, "message_id": 1},
        "send_message": lambda v: {"chat_id": v, "content": "x"},
    }
    # A fresh connection per event type keeps each under the per-connection frame limit.
    for type_, make in types.items():
        ws = connect(sockets, a, 1)
        payloads = [make(v) for v in bad_chat_ids] + [None, [], "x", 5, {}]
        for data in payloads:
            frame = ws_request(ws, type_, data)
            assert frame["type"] == "error", (type_, data, frame)
            assert frame["data"]["code"] == "validation_error", (type_, data, frame)
            assert frame["data"]["status"] == 422 and frame["data"]["errors"], frame
        extra = []
        if type_ == "typing_indicator":
            extra = [{"chat_id": cid, "is_typing": "yes"}, {"chat_id": cid, "is_typing": 1}]
        if type_ == "message_read":
            extra = [{"chat_id": cid}, {"chat_id": cid, "message_id": "1"},
                     {"chat_id": cid, "message_id": -5}]
        for data in extra:
            frame = ws_request(ws, type_, data)
            assert frame["type"] == "error" and frame["data"]["code"] == "validation_error", (data, frame)
        # An integer too big for 64 bits, and deep nesting: an error, never a crash.
        ws.send('{"type":"%s","id":"big","data":{"chat_id":123456789012345678901234567890}}' % type_)
        got = ws_next(ws, 5)
        assert got[0] == "text" and got[1]["type"] == "error", got
        assert got[1]["data"]["code"] in ("invalid_json", "validation_error"), got
        ws.send('{"type":"%s","id":"deep","data":%s}' % (type_, "[" * 40 + "]" * 40))
        got = ws_next(ws, 5)
        assert got[0] == "text" and got[1]["type"] == "error", got
        ws_send_json(ws, {"type": "ping", "id": "still"})
        assert ws_event(ws, "pong", timeout=3)["data"] == {"id": "still"}
    # Nothing was stored, and the daemon serves everyone.
    assert all_messages(b, cid) == []
    ws = connect(sockets, b, 1)
    assert ws_ack(ws, "join_chat", {"chat_id": cid})["chat_id"] == cid


def send_in_one_frame(ws, chat_id):
    """F4: a 70 KB send_message in one frame; returns the bytes sent."""
    text = json.dumps({"type": "send_message", "id": "big",
                       "data": {"chat_id": chat_id, "content": "x" * 70000}})
    ws.send(text)
    return len(text)


def send_in_fragments(ws, chat_id):
    """F5: a send_message in 8 KiB fragments, stopped just past 64 KiB; returns the bytes sent."""
    head = ('{"type":"send_message","data":{"chat_id":%d,"content":"' % chat_id).encode()
    return send_fragments_past_limit(ws, head, b"y" * 8192)


@pytest.mark.parametrize("node,send", [(1, send_in_one_frame), (2, send_in_fragments)],
                         ids=["f4_one_frame", "f5_fragments"])
def test_a_send_message_past_64kib_closes_1009_and_stores_nothing(sockets, node, send):
    a, b = register(), register()
    chat = create_private(a, b)
    ws = connect(sockets, a, node)
    assert send(ws, chat["id"]) > 65536
    got = ws_wait_close(ws, 5)
    assert got[0] == "close" and got[1] == 1009, got
    assert all_messages(b, chat["id"]) == []


def test_f12_send_message_flood_closes_4008_and_stores_at_most_the_limit(sockets):
    a, b = register(), register()
    chat = create_private(a, b)
    ws = connect(sockets, a, 1)
    sent = []
    # One frame past the limit, then silence: frames sent after the server has closed would
    # make the peer's TCP stack answer with a reset that can swallow the close frame.
    try:
        for i in range(101):
            cmid = "flood-%d" % i
            ws_send_json(ws, {"type": "send_message", "id": i,
                              "data": {"chat_id": chat["id"], "content": "flood %d" % i,
                                       "client_msg_id": cmid}})
            sent.append(cmid)
    except (websocket.WebSocketConnectionClosedException, BrokenPipeError, ConnectionResetError):
        pass
    acked = set()
    while True:
        got = ws_next(ws, 10)
        if got[0] == "text":
            if got[1]["type"] == "ack":
                acked.add(got[1]["data"]["message"]["id"])
            continue
        break
    assert got[0] == "close" and got[1] == 4008, got
    assert len(acked) <= 100
    # An ack means stored (DESIGN.md §7).
    assert acked <= {m["id"] for m in all_messages(b, chat["id"])}
    # The frames accepted before the limit may still be on the daemon's workers: wait until
    # the history stops growing, then nothing past the limit may be in it.
    counts = []

    def settled():
        counts.append(len(all_messages(b, chat["id"])))
        return len(counts) >= 3 and counts[-1] == counts[-3]
    wait_until(settled, 15, 0.2, "the history to stop growing")
    stored = all_messages(b, chat["id"])
    assert len(stored) <= 100
    assert [m["seq"] for m in stored] == list(range(1, len(stored) + 1))
    assert {m["client_msg_id"] for m in stored} <= set(sent[:100])


def test_f1_a_revoked_session_stops_hearing_the_chat_other_sessions_do_not(sockets):
    a, b = register(), register()
    chat = create_private(a, b)
    other_access, _ = login_ok(b)
    ws_revoked = connect(sockets, b, 1)
    ws_other, _ = ws_open(other_access, node=2)
    sockets.append(ws_other)
    wait_chat_routed(chat["id"], 2)
    assert api("POST", "logout", token=b.access).status_code == 200
    got = ws_wait_close(ws_revoked, 5.5)
    assert got[0] == "close" and got[1] == 4010, got
    m = send_message(a, chat["id"], "for b's other device")
    ws_event(ws_other, "new_message", lambda d: d["id"] == m["id"], timeout=3)
    # The revoked session cannot come back with its token.
    r = api("POST", "ws-ticket", token=b.access)
    assert r.status_code == 401


# --- a slow reader (F8) -------------------------------------------------------------------------------------

def test_f8_slow_reader_is_closed_4009_without_disturbing_others(sockets):
    slow, reader, writer = register(), register(), register()
    chat = create_private(writer, reader)
    ws_slow, _ = ws_open_ticket_raw(slow.access, node=1,
                                    sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 4096),))
    sockets.append(ws_slow)
    ws_reader = connect(sockets, reader, 1)  # same daemon as the slow one
    wait_user_routed(slow.id)
    wait_chat_routed(chat["id"], 1)
    # ~18 MB of events for the slow user, who reads none of it: more than every socket buffer
    # on the way plus the daemon's 1 MiB queue.
    noise = json.dumps({"type": "noise", "data": {"x": "n" * 60000}}, separators=(",", ":"))
    channel = "nerutalk:user:%s" % slow.id
    for _ in range(10):
        replies = redis_commands([("PUBLISH", channel, noise)] * 30, timeout=30)
        assert all(r in (0, 1) for r in replies), replies
    # Everyone else is served as usual meanwhile.
    t0 = time.monotonic()
    m = send_message(writer, chat["id"], "still fast")
    ws_event(ws_reader, "new_message", lambda d: d["id"] == m["id"], timeout=2)
    assert time.monotonic() - t0 < 2
    ws_send_json(ws_reader, {"type": "ping", "id": "ok"})
    assert ws_event(ws_reader, "pong", timeout=2)["data"] == {"id": "ok"}
    # The slow reader, once it reads, finds part of the noise and then the end of the line.
    received = 0
    while True:
        got = ws_next(ws_slow, 10)
        if got[0] == "text":
            received += 1
            continue
        break
    assert got[0] in ("close", "eof"), got
    if got[0] == "close":
        assert got[1] == 4009, got
    assert received < 300, received
