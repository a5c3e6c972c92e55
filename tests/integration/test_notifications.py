"""In-app notifications (DESIGN.md §4.2 mentions, §4.7, §5): "@username" of a member and
being added to a group create a notification that the notifications API lists and counts, and
that arrives over the WebSocket; reading one or all of them; nothing for non-members."""
from conftest import (RFC3339_MS, api, assert_envelope, assert_error, create_group,
                      create_private, field_codes, register, send_message, wait_user_routed,
                      ws_event, ws_open)


def notifications(user, **params):
    r = api("GET", "notifications", token=user.access, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def unread(user):
    r = api("GET", "notifications/count", token=user.access)
    assert r.status_code == 200, r.text
    return r.json()["unread_count"]


def test_mention_of_a_member_is_listed_counted_and_pushed(sockets):
    a, b = register(), register(display_name="Bee")
    chat = create_private(a, b)
    assert unread(b) == 0
    ws, _ = ws_open(b.access, node=2)
    sockets.append(ws)
    wait_user_routed(b.id)
    m = send_message(a, chat["id"], "hey @%s, look at this" % b.username.upper())
    # Over the WebSocket: the notification, its chat and the message.
    frame = ws_event(ws, "mention_notification", timeout=3)
    assert_envelope(frame, "mention_notification")
    d = frame["data"]
    assert d["notification_type"] == "mention" and d["chat_id"] == chat["id"]
    assert d["message"]["id"] == m["id"] and d["message"]["content"] == m["content"]
    assert d["data"] == {"chat_id": chat["id"], "message_id": m["id"], "sender_id": a.id}
    assert d["is_read"] is False and isinstance(d["id"], int)
    # Listed and counted.
    got = notifications(b)
    assert got["unread_count"] == 1 and got["has_more"] is False
    n = got["notifications"][0]
    assert n["id"] == d["id"] and n["notification_type"] == "mention"
    assert n["data"] == {"chat_id": chat["id"], "message_id": m["id"], "sender_id": a.id}
    assert n["is_read"] is False and RFC3339_MS.match(n["created_at"])
    assert isinstance(n["title"], str) and n["title"] and m["content"].startswith(n["body"][:20])
    assert unread(b) == 1
    # The sender is not notified of their own message.
    assert unread(a) == 0


def test_mentions_that_create_nothing():
    a, b, outsider = register(), register(), register()
    chat = create_group(a, [b])
    before_b = unread(b)  # the group invite
    send_message(a, chat["id"], "ping @%s and @%s" % (outsider.username, a.username))
    send_message(a, chat["id"], "mail me at someone@%s.example or @no" % b.username)
    send_message(b, chat["id"], "@%s" % "nobody_" + b.username[:20])
    assert unread(outsider) == 0 and notifications(outsider)["notifications"] == []
    assert unread(a) == 0
    assert unread(b) == before_b
    # Several mentions of one user in one message make one notification.
    send_message(a, chat["id"], "@%s @%s @%s!" % (b.username, b.username, b.username))
    assert unread(b) == before_b + 1


def test_group_invite_notification(sockets):
    a, b, c = register(), register(), register()
    ws, _ = ws_open(c.access, node=1)
    sockets.append(ws)
    wait_user_routed(c.id)
    chat = create_group(a, [b], name="Book club")
    r = api("POST", "chats/%d/participants" % chat["id"], token=a.access, json_body={"user_id": c.id})
    assert r.status_code == 200
    frame = ws_event(ws, "notification", timeout=3)
    d = frame["data"]
    assert d["notification_type"] == "group_invite" and d["data"] == {"chat_id": chat["id"]}
    assert "Book club" in d["title"] and d["is_read"] is False
    listed = notifications(c)["notifications"]
    assert [(n["id"], n["notification_type"]) for n in listed] == [(d["id"], "group_invite")]
    assert notifications(b)["notifications"][0]["data"] == {"chat_id": chat["id"]}
    assert unread(a) == 0  # the creator invited nobody into their own group
    # In the recipient's language.
    j = register()
    assert api("PUT", "profile", token=j.access, json_body={"language": "jp"}).status_code == 200
    api("POST", "chats/%d/participants" % chat["id"], token=a.access, json_body={"user_id": j.id})
    title = notifications(j)["notifications"][0]["title"]
    assert "Book club" in title and title != d["title"]


def test_read_one_and_read_all():
    a, b, other = register(), register(), register()
    chat = create_private(a, b)
    for i in range(3):
        send_message(a, chat["id"], "@%s number %d" % (b.username, i))
    theirs = create_private(a, other)
    send_message(a, theirs["id"], "@%s hi" % other.username)
    listed = notifications(b)["notifications"]
    assert len(listed) == 3 and unread(b) == 3
    # Newest first.
    ids = [n["id"] for n in listed]
    assert ids == sorted(ids, reverse=True)
    r = api("POST", "notifications/%d/read" % ids[1], token=b.access)
    assert r.status_code == 200, r.text
    assert r.json() == {"id": ids[1], "is_read": True, "unread_count": 2}
    assert [n["is_read"] for n in notifications(b)["notifications"]] == [False, True, False]
    # Reading again is harmless; someone else's or a missing notification is 404.
    assert api("POST", "notifications/%d/read" % ids[1], token=b.access).json()["unread_count"] == 2
    other_id = notifications(other)["notifications"][0]["id"]
    assert_error(api("POST", "notifications/%d/read" % other_id, token=b.access), 404, "not_found")
    assert unread(other) == 1
    for bad in ("9000000000000", "abc", "0"):
        assert_error(api("POST", "notifications/%s/read" % bad, token=b.access), 404, "not_found")
    r = api("POST", "notifications/read-all", token=b.access)
    assert r.status_code == 200 and r.json()["unread_count"] == 0
    assert unread(b) == 0
    assert all(n["is_read"] for n in notifications(b)["notifications"])
    assert unread(other) == 1  # only mine
    # New ones after read-all count again.
    send_message(a, chat["id"], "@%s again" % b.username)
    assert unread(b) == 1


def test_notification_paging_and_input_errors():
    a, b = register(), register()
    chat = create_private(a, b)
    for i in range(5):
        send_message(a, chat["id"], "@%s %d" % (b.username, i))
    first = notifications(b, limit=2)
    assert len(first["notifications"]) == 2 and first["has_more"] is True
    assert first["unread_count"] == 5
    second = notifications(b, limit=2, before_id=first["notifications"][-1]["id"])
    third = notifications(b, limit=2, before_id=second["notifications"][-1]["id"])
    assert third["has_more"] is False and len(third["notifications"]) == 1
    all_ids = [n["id"] for p in (first, second, third) for n in p["notifications"]]
    assert all_ids == [n["id"] for n in notifications(b)["notifications"]]
    assert len(set(all_ids)) == 5
    for params, err in (({"limit": "-1"}, ("limit", "invalid_format")),
                        ({"limit": "x"}, ("limit", "invalid_format")),
                        ({"before_id": "x"}, ("before_id", "invalid_format")),
                        ({"before_id": "0"}, ("before_id", "out_of_range"))):
        got = assert_error(api("GET", "notifications", token=b.access, params=params), 422,
                           "validation_error")
        assert err in field_codes(got), (params, got)
    assert_error(api("GET", "notifications"), 401)
    assert_error(api("GET", "notifications/count"), 401)
    assert_error(api("POST", "notifications/read-all"), 401)
