"""Messages over REST (DESIGN.md §4.2, §7; RELIABILITY §2 C1-C3, C13, D2, D6, D8, §3 L1, L2,
L4): sending and its input rules, idempotent retries, cursor paging, read pointers, edits and
tombstones, unread counts, search in every script the app supports, and concurrent senders."""
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from conftest import (RFC3339_MS, all_messages, api, assert_error, auth, create_group,
                      create_private, field_codes, history, register, send_message, url)

MESSAGE_KEYS = {"id", "chat_id", "seq", "sender_id", "sender", "content", "message_type", "file",
                "sticker_id", "reply_to_id", "reply_to", "metadata", "is_edited", "is_deleted",
                "status", "client_msg_id", "created_at", "updated_at"}


def post(user, chat_id, body, **kw):
    return api("POST", "chats/%d/messages" % chat_id, token=user.access, json_body=body, **kw)


def seqs(page):
    return [m["seq"] for m in page["messages"]]


# --- sending -------------------------------------------------------------------------------------

def test_send_returns_the_full_message():
    a, b = register(display_name="Ann"), register()
    chat = create_private(a, b)
    r = post(a, chat["id"], {"content": "Hello <b>there</b> ' OR 1=1 --", "client_msg_id": "c-1"})
    assert r.status_code == 201, r.text
    m = r.json()
    assert set(m) == MESSAGE_KEYS, set(m) ^ MESSAGE_KEYS
    assert isinstance(m["id"], int) and m["chat_id"] == chat["id"] and m["seq"] == 1
    assert m["sender_id"] == a.id
    assert m["sender"] == {"id": a.id, "username": a.username, "display_name": "Ann",
                           "avatar_url": None}
    assert m["content"] == "Hello <b>there</b> ' OR 1=1 --"  # stored verbatim (D9, D10)
    assert m["message_type"] == "text" and m["file"] is None and m["sticker_id"] is None
    assert m["reply_to_id"] is None and m["reply_to"] is None and m["metadata"] is None
    assert m["is_edited"] is False and m["is_deleted"] is False
    assert m["status"] == "sent" and m["client_msg_id"] == "c-1"
    assert RFC3339_MS.match(m["created_at"]) and RFC3339_MS.match(m["updated_at"])
    # The other member fetches the very same message.
    got = history(b, chat["id"])
    assert got["has_more"] is False and len(got["messages"]) == 1
    seen = got["messages"][0]
    assert {k: seen[k] for k in MESSAGE_KEYS - {"status"}} == {k: m[k] for k in MESSAGE_KEYS - {"status"}}
    # Seqs count up per chat.
    assert send_message(b, chat["id"], "second")["seq"] == 2
    other = create_group(a, [b])
    assert send_message(a, other["id"], "first here")["seq"] == 1


def test_other_message_types_replies_and_metadata():
    a, b = register(), register()
    chat = create_group(a, [b])
    cid = chat["id"]
    first = send_message(a, cid, "question?")
    reply = send_message(b, cid, "answer", reply_to_id=first["id"])
    assert reply["reply_to_id"] == first["id"]
    assert reply["reply_to"] == {"id": first["id"], "sender_id": a.id, "content": "question?"}
    loc = send_message(a, cid, None, message_type="location",
                       metadata={"latitude": 35.6812, "longitude": 139.7671, "name": "東京駅"})
    assert loc["message_type"] == "location" and loc["content"] is None
    assert loc["metadata"] == {"latitude": 35.6812, "longitude": 139.7671, "name": "東京駅"}
    gif = send_message(a, cid, "", message_type="gif", metadata={"url": "https://x.example/a.gif"})
    assert gif["message_type"] == "gif"
    sticker = send_message(b, cid, None, message_type="sticker", sticker_id=3)
    assert sticker["sticker_id"] == 3 and sticker["message_type"] == "sticker"
    # Unicode survives the round trip.
    text = "emoji 😀, 한국어, 中文,日本語, العربية, ñ"
    assert send_message(a, cid, text)["content"] == text
    assert [m["seq"] for m in all_messages(b, cid)] == [1, 2, 3, 4, 5, 6]
    assert all_messages(b, cid)[-1]["content"] == text


def test_send_input_errors_store_nothing():
    a, b = register(), register()
    chat = create_group(a, [b])
    other = create_group(b, [a])
    elsewhere = send_message(b, other["id"], "in another chat")
    cid = chat["id"]
    cases = [
        ({}, ("content", "required")),
        ({"content": ""}, ("content", "too_short")),
        ({"content": " \n\t "}, ("content", "too_short")),
        ({"content": "x" * 10001}, ("content", "too_long")),
        ({"content": 5}, ("content", "invalid_type")),
        ({"content": ["a"]}, ("content", "invalid_type")),
        ({"content": "x", "message_type": "poll"}, ("message_type", "invalid_choice")),
        ({"content": "x", "message_type": 1}, ("message_type", "invalid_type")),
        ({"content": "x", "reply_to_id": "1"}, ("reply_to_id", "invalid_type")),
        ({"content": "x", "reply_to_id": 0}, ("reply_to_id", "out_of_range")),
        ({"content": "x", "reply_to_id": 1.5}, ("reply_to_id", "invalid_type")),
        ({"content": "x", "reply_to_id": elsewhere["id"]}, ("reply_to_id", "invalid_reference")),
        ({"content": "x", "metadata": "text"}, ("metadata", "invalid_type")),
        ({"content": "x", "metadata": [1, 2]}, ("metadata", "invalid_type")),
        ({"content": "x", "metadata": {"k": "v" * 9000}}, ("metadata", "too_long")),
        ({"message_type": "image"}, ("file_id", "required")),
        ({"message_type": "sticker"}, ("sticker_id", "required")),
        ({"message_type": "location"}, ("metadata", "required")),
        ({"content": "x", "sticker_id": -3}, ("sticker_id", "out_of_range")),
        ({"content": "x", "client_msg_id": "c" * 65}, ("client_msg_id", "too_long")),
        ({"content": "x", "client_msg_id": ""}, ("client_msg_id", "too_short")),
        ({"content": "x", "client_msg_id": 12}, ("client_msg_id", "invalid_type")),
    ]
    for body, err in cases:
        got = assert_error(post(a, cid, body), 422, "validation_error")
        assert err in field_codes(got), (body, got)
    # Exactly 10,000 characters (not bytes) is fine.
    assert send_message(a, cid, "語" * 10000)["seq"] == 1
    r = api("POST", "chats/%d/messages" % cid, token=a.access, data=b'{"content": "x"',
            headers={"Content-Type": "application/json"})
    assert_error(r, 400)
    r = api("POST", "chats/%d/messages" % cid, token=a.access, data=b'{"content": "x"}',
            headers={"Content-Type": "text/plain"})
    assert_error(r, 415, "unsupported_media_type")
    r = api("POST", "chats/%d/messages" % cid, token=a.access, data=b'{"content": "x"}')
    assert_error(r, 415, "unsupported_media_type")
    assert_error(api("POST", "chats/%d/messages" % cid, json_body={"content": "x"}), 401)
    # Only the one valid message was stored.
    assert [m["seq"] for m in all_messages(b, cid)] == [1]


def test_c2_non_member_send_stores_nothing_and_c13_body_chat_id_is_ignored():
    a, b, stranger = register(), register(), register()
    chat = create_group(a, [b])
    theirs = create_group(stranger, [register()])
    assert_error(post(stranger, chat["id"], {"content": "intrusion", "client_msg_id": "s1"}), 404,
                 "not_found")
    assert all_messages(a, chat["id"]) == []
    assert api("GET", "messages/unread/count", token=b.access).json()["total"] == 0
    # The path names the chat; a chat_id in the body changes nothing (C13).
    r = post(stranger, theirs["id"], {"content": "mine", "chat_id": chat["id"]})
    assert r.status_code == 201 and r.json()["chat_id"] == theirs["id"], r.text
    assert all_messages(a, chat["id"]) == []
    # Nor can the member's message be read, edited, deleted or marked read by the stranger.
    mine = send_message(a, chat["id"], "members only")
    for method, path, body in (("PUT", "messages/%d/read", None),
                               ("PUT", "messages/%d", {"content": "defaced"}),
                               ("DELETE", "messages/%d", None)):
        got = assert_error(api(method, path % mine["id"], token=stranger.access, json_body=body), 404,
                           "not_found")
        missing = assert_error(api(method, path % 9_000_000_000_000, token=stranger.access,
                                   json_body=body), 404, "not_found")
        assert got["detail"] == missing["detail"]
    assert_error(api("GET", "messages/search", token=stranger.access,
                     params={"q": "members", "chat_id": chat["id"]}), 404, "not_found")
    after = all_messages(a, chat["id"])
    assert [(x["content"], x["is_deleted"], x["is_edited"]) for x in after] == [("members only", False, False)]


# --- idempotency (L2) -------------------------------------------------------------------------------------

def test_repeated_client_msg_id_returns_the_first_message():
    a, b = register(), register()
    chat = create_group(a, [b])
    cid = chat["id"]
    first = post(a, cid, {"content": "once", "client_msg_id": "retry-1"})
    assert first.status_code == 201
    again = post(a, cid, {"content": "once (retried)", "client_msg_id": "retry-1"})
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"] and again.json()["seq"] == first.json()["seq"]
    assert again.json()["content"] == "once"
    # Another sender may use the same client_msg_id; it is theirs.
    theirs = post(b, cid, {"content": "mine", "client_msg_id": "retry-1"})
    assert theirs.status_code == 201 and theirs.json()["seq"] == 2
    # The same id in another chat of the same sender is a conflict, not a silent reuse.
    other = create_group(a, [b])
    assert_error(post(a, other["id"], {"content": "elsewhere", "client_msg_id": "retry-1"}), 409)
    assert all_messages(a, other["id"]) == []
    assert [m["seq"] for m in all_messages(a, cid)] == [1, 2]


def test_concurrent_retries_of_one_client_msg_id_store_once():
    a, b = register(), register()
    chat = create_group(a, [b])
    cmid = "burst-" + uuid.uuid4().hex
    start = threading.Barrier(12)

    def once(_):
        start.wait()
        r = requests.post(url("chats/%d/messages" % chat["id"]), headers=auth(a.access),
                          json={"content": "burst", "client_msg_id": cmid}, timeout=10)
        return r.status_code, r.json()

    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(once, range(12)))
    statuses = sorted(s for s, _ in results)
    assert statuses == [200] * 11 + [201], results
    assert len({(body["id"], body["seq"]) for _, body in results}) == 1
    assert [m["client_msg_id"] for m in all_messages(b, chat["id"])] == [cmid]


# --- concurrency and order (L1, L4) ---------------------------------------------------------------------

def test_twenty_concurrent_senders_get_gap_free_seqs():
    admin = register()
    senders = [register() for _ in range(20)]
    chat = create_group(admin, senders)
    per_sender = 3
    start = threading.Barrier(len(senders))

    def run(user):
        start.wait()
        out = []
        for i in range(per_sender):
            r = requests.post(url("chats/%d/messages" % chat["id"]), headers=auth(user.access),
                              json={"content": "from %s #%d" % (user.username, i),
                                    "client_msg_id": "%s-%d" % (user.username, i)}, timeout=10)
            assert r.status_code == 201, r.text
            out.append(r.json())
        return out

    with ThreadPoolExecutor(len(senders)) as pool:
        sent = [m for batch in pool.map(run, senders) for m in batch]
    n = len(senders) * per_sender
    assert sorted(m["seq"] for m in sent) == list(range(1, n + 1))
    assert len({m["id"] for m in sent}) == n
    stored = all_messages(admin, chat["id"])
    assert [m["seq"] for m in stored] == list(range(1, n + 1))
    assert {m["id"] for m in stored} == {m["id"] for m in sent}
    # Each sender's own messages are in the order they were sent.
    for u in senders:
        mine = [m for m in stored if m["sender_id"] == u.id]
        assert [m["content"] for m in mine] == ["from %s #%d" % (u.username, i) for i in range(per_sender)]


# --- history cursors ------------------------------------------------------------------------------------

def test_history_pages_are_exact_and_contiguous():
    a, b = register(), register()
    chat = create_private(a, b)
    cid = chat["id"]
    sent = [send_message(a if i % 2 else b, cid, "m%d" % i) for i in range(1, 26)]
    ids = {m["seq"]: m["id"] for m in sent}
    latest = history(a, cid, limit=10)
    assert seqs(latest) == list(range(16, 26)) and latest["has_more"] is True
    older = history(a, cid, limit=10, before_id=ids[16])
    assert seqs(older) == list(range(6, 16)) and older["has_more"] is True
    oldest = history(a, cid, limit=10, before_id=ids[6])
    assert seqs(oldest) == [1, 2, 3, 4, 5] and oldest["has_more"] is False
    assert history(a, cid, limit=10, before_id=ids[1]) == {"messages": [], "has_more": False}
    fwd = history(b, cid, limit=10, after_id=ids[5])
    assert seqs(fwd) == list(range(6, 16)) and fwd["has_more"] is True
    fwd2 = history(b, cid, limit=10, after_id=ids[15])
    assert seqs(fwd2) == list(range(16, 26)) and fwd2["has_more"] is False
    assert history(b, cid, after_id=ids[25]) == {"messages": [], "has_more": False}
    exact = history(b, cid, limit=5, after_id=ids[20])
    assert seqs(exact) == [21, 22, 23, 24, 25] and exact["has_more"] is False
    everything = history(b, cid)
    assert seqs(everything) == list(range(1, 26)) and everything["has_more"] is False
    assert [m["content"] for m in everything["messages"]] == ["m%d" % i for i in range(1, 26)]
    # Bad cursors and limits.
    other = create_group(a, [b])
    foreign = send_message(a, other["id"], "elsewhere")
    for params, err in (({"before_id": "x"}, ("before_id", "invalid_format")),
                        ({"after_id": "-1"}, ("after_id", "out_of_range")),
                        ({"after_id": "0"}, ("after_id", "out_of_range")),
                        ({"after_id": foreign["id"]}, ("after_id", "invalid_reference")),
                        ({"before_id": 9_000_000_000_000}, ("before_id", "invalid_reference")),
                        ({"limit": "-1"}, ("limit", "invalid_format")),
                        ({"limit": "ten"}, ("limit", "invalid_format"))):
        got = assert_error(api("GET", "chats/%d/messages" % cid, token=a.access, params=params),
                           422, "validation_error")
        assert err in field_codes(got), (params, got)
    got = assert_error(api("GET", "chats/%d/messages" % cid, token=a.access,
                           params={"before_id": ids[10], "after_id": ids[5]}), 422, "validation_error")
    assert "after_id" in {e["field"] for e in got["errors"]}, got
    # Above the maximum, the limit is capped (100), not refused.
    assert len(history(a, cid, limit=100000)["messages"]) == 25


# --- read pointers and status ------------------------------------------------------------------------------

def test_read_pointer_moves_forward_only_and_status_follows():
    a, b = register(), register()
    chat = create_private(a, b)
    cid = chat["id"]
    m1, m2, m3 = (send_message(a, cid, t) for t in ("one", "two", "three"))
    r = api("PUT", "messages/%d/read" % m2["id"], token=b.access)
    assert r.status_code == 200, r.text
    assert r.json() == {"chat_id": cid, "message_id": m2["id"], "last_read_seq": 2}
    # Reading an older message never moves the pointer back.
    r = api("PUT", "messages/%d/read" % m1["id"], token=b.access)
    assert r.status_code == 200 and r.json()["last_read_seq"] == 2
    assert api("GET", "messages/unread/count", token=b.access).json() == {
        "total": 1, "chats": {str(cid): 1}}
    # The sender sees read / sent per message.
    mine = {m["seq"]: m["status"] for m in history(a, cid)["messages"]}
    assert mine[1] == "read" and mine[2] == "read" and mine[3] in ("sent", "delivered")
    assert api("PUT", "messages/%d/read" % m3["id"], token=b.access).json()["last_read_seq"] == 3
    assert {m["status"] for m in history(a, cid)["messages"]} == {"read"}
    assert api("GET", "messages/unread/count", token=b.access).json() == {"total": 0, "chats": {}}
    # Own messages count as read; unknown ids are 404.
    assert api("PUT", "messages/%d/read" % m3["id"], token=a.access).json()["last_read_seq"] == 3
    assert_error(api("PUT", "messages/9000000000000/read", token=b.access), 404, "not_found")
    assert_error(api("PUT", "messages/abc/read", token=b.access), 404, "not_found")


def test_group_status_is_read_only_when_everyone_read():
    a, b, c = register(), register(), register()
    chat = create_group(a, [b, c])
    m = send_message(a, chat["id"], "all of you")
    assert api("PUT", "messages/%d/read" % m["id"], token=b.access).status_code == 200
    assert history(a, chat["id"])["messages"][0]["status"] != "read"
    assert api("PUT", "messages/%d/read" % m["id"], token=c.access).status_code == 200
    assert history(a, chat["id"])["messages"][0]["status"] == "read"


# --- edit and delete (C3) ---------------------------------------------------------------------------------

def test_edit_by_the_sender_only():
    a, b = register(), register()
    chat = create_group(a, [b])
    m = send_message(b, chat["id"], "tpyo")
    r = api("PUT", "messages/%d" % m["id"], token=b.access, json_body={"content": "typo fixed"})
    assert r.status_code == 200, r.text
    e = r.json()
    assert e["id"] == m["id"] and e["seq"] == m["seq"] and e["content"] == "typo fixed"
    assert e["is_edited"] is True and e["created_at"] == m["created_at"]
    assert e["updated_at"] >= m["updated_at"]
    # Another member (even the admin) may not edit it.
    for who in (a,):
        assert_error(api("PUT", "messages/%d" % m["id"], token=who.access,
                         json_body={"content": "hijacked"}), 403, "forbidden")
    for body, err in (({"content": ""}, ("content", "too_short")), ({}, ("content", "required")),
                      ({"content": " \n "}, ("content", "too_short")),
                      ({"content": 3}, ("content", "invalid_type")),
                      ({"content": "x" * 10001}, ("content", "too_long"))):
        got = assert_error(api("PUT", "messages/%d" % m["id"], token=b.access, json_body=body), 422,
                           "validation_error")
        assert err in field_codes(got), (body, got)
    r = api("PUT", "messages/%d" % m["id"], token=b.access, data=b'{"content":"x"}',
            headers={"Content-Type": "text/plain"})
    assert_error(r, 415, "unsupported_media_type")
    got = history(a, chat["id"])["messages"][0]
    assert got["content"] == "typo fixed" and got["is_edited"] is True
    assert_error(api("PUT", "messages/9000000000000", token=b.access, json_body={"content": "x"}), 404)


def test_delete_leaves_a_tombstone():
    admin, b, c = register(), register(), register()
    chat = create_group(admin, [b, c])
    cid = chat["id"]
    mb = send_message(b, cid, "b's words", metadata={"k": 1})
    mc = send_message(c, cid, "c's words")
    reply = send_message(c, cid, "replying", reply_to_id=mb["id"])
    # A member may not delete another member's message (C3) ...
    assert_error(api("DELETE", "messages/%d" % mb["id"], token=c.access), 403, "forbidden")
    # ... the sender may ...
    r = api("DELETE", "messages/%d" % mb["id"], token=b.access)
    assert r.status_code == 200, r.text
    t = r.json()
    assert t["id"] == mb["id"] and t["seq"] == mb["seq"] and t["is_deleted"] is True
    assert t["content"] is None and t["metadata"] is None
    # ... and so may a group admin.
    r = api("DELETE", "messages/%d" % mc["id"], token=admin.access)
    assert r.status_code == 200 and r.json()["is_deleted"] is True
    # Deleting again changes nothing; a deleted message cannot be edited.
    r = api("DELETE", "messages/%d" % mb["id"], token=b.access)
    assert r.status_code == 200 and r.json()["is_deleted"] is True
    assert_error(api("PUT", "messages/%d" % mb["id"], token=b.access, json_body={"content": "back"}),
                 403, "forbidden")
    stored = all_messages(c, cid)
    assert [m["seq"] for m in stored] == [1, 2, 3]  # tombstones keep their place
    assert [(m["is_deleted"], m["content"]) for m in stored] == [
        (True, None), (True, None), (False, "replying")]
    assert stored[2]["reply_to"] == {"id": mb["id"], "sender_id": b.id, "content": None}
    assert reply["reply_to"]["content"] == "b's words"
    found = api("GET", "messages/search", token=c.access, params={"q": "words"}).json()["messages"]
    assert found == []


def test_delete_in_a_private_chat_is_the_senders_only():
    a, b = register(), register()
    chat = create_private(a, b)
    m = send_message(a, chat["id"], "mine")
    assert_error(api("DELETE", "messages/%d" % m["id"], token=b.access), 403, "forbidden")
    assert api("DELETE", "messages/%d" % m["id"], token=a.access).json()["is_deleted"] is True


# --- search ------------------------------------------------------------------------------------------------

def search(user, q, **params):
    params["q"] = q
    r = api("GET", "messages/search", token=user.access, params=params)
    assert r.status_code == 200, (q, r.status_code, r.text)
    return [m["content"] for m in r.json()["messages"]]


def test_search_words_and_cjk_in_my_chats_only():
    a, b = register(), register()
    tag = "zq" + uuid.uuid4().hex[:8]  # a word no other test's message contains
    chat = create_private(a, b)
    group = create_group(b, [a])
    texts = ["Hello %s world" % tag, "今日は東京に行きます %s" % tag, "오늘 서울에 갑니다 %s" % tag,
             "我明天去北京开会 %s" % tag]
    for t in texts:
        send_message(a, chat["id"], t)
    send_message(b, group["id"], "%s in the group, 東京 again" % tag)
    # Someone else's chat with the very same texts.
    x, y = register(), register()
    theirs = create_private(x, y)
    for t in texts:
        send_message(x, theirs["id"], t)
    assert sorted(search(a, tag)) == sorted(texts + ["%s in the group, 東京 again" % tag])
    assert search(a, "hello " + tag) == [texts[0]]
    assert search(a, "HELLO " + tag.upper()) == [texts[0]]
    assert search(a, "hel " + tag) == [texts[0]]  # word prefix
    assert search(a, "東京 " + tag) and set(search(a, "東京 " + tag)) == {
        texts[1], "%s in the group, 東京 again" % tag}
    assert search(a, "東京 " + tag, chat_id=chat["id"]) == [texts[1]]
    assert search(a, "서울 " + tag) == [texts[2]]
    assert search(a, "北京 " + tag) == [texts[3]]
    assert search(a, "大阪 " + tag) == []
    assert search(b, tag, chat_id=group["id"]) == ["%s in the group, 東京 again" % tag]
    # Newest first, limit honoured.
    r = api("GET", "messages/search", token=a.access, params={"q": tag, "limit": 2}).json()
    assert [m["content"] for m in r["messages"]] == ["%s in the group, 東京 again" % tag, texts[3]]
    assert set(r["messages"][0]) >= {"id", "chat_id", "seq", "sender", "content", "status"}
    # The other pair finds only their own copies.
    assert sorted(search(x, tag)) == sorted(texts)
    assert all(m["chat_id"] == theirs["id"] for m in
               api("GET", "messages/search", token=y.access, params={"q": tag}).json()["messages"])


def test_search_japanese_without_spaces():
    a, b = register(), register()
    chat = create_private(a, b)
    send_message(a, chat["id"], "今日は東京に行きます")
    send_message(a, chat["id"], "明日は京都です")
    assert search(a, "東京", chat_id=chat["id"]) == ["今日は東京に行きます"]
    assert search(b, "京都", chat_id=chat["id"]) == ["明日は京都です"]
    assert search(b, "行きます", chat_id=chat["id"]) == ["今日は東京に行きます"]
    assert search(b, "大阪", chat_id=chat["id"]) == []


def test_search_input_errors():
    a = register()
    chat = create_group(a, [])
    for params, err in (({}, ("q", "required")), ({"q": ""}, ("q", "required")),
                        ({"q": "   "}, ("q", "required")), ({"q": "x" * 201}, ("q", "too_long")),
                        ({"q": "x", "chat_id": "abc"}, ("chat_id", "invalid_format")),
                        ({"q": "x", "chat_id": "0"}, ("chat_id", "out_of_range")),
                        ({"q": "x", "limit": "-3"}, ("limit", "invalid_format"))):
        got = assert_error(api("GET", "messages/search", token=a.access, params=params), 422,
                           "validation_error")
        assert err in field_codes(got), (params, got)
    # Punctuation only, SQL or tsquery syntax: data, no match, no error.
    for q in ("!!!", "a & b | !c", "' OR 1=1 --", "foo:*", "(", "\\"):
        assert search(a, q, chat_id=chat["id"]) == []
    assert_error(api("GET", "messages/search", token=a.access,
                     params={"q": "x", "chat_id": 9_000_000_000_000}), 404, "not_found")
