"""Chats over REST (DESIGN.md §4.2; RELIABILITY §2 C1, C6, D2, D8): private and group
creation, detail, settings, participants, the chat list with its last message and unread
counts, and the 404/403 rules of who may see or change what."""
import uuid

from conftest import (RFC3339_MS, all_messages, api, assert_error, create_chat, create_group,
                      create_private, field_codes, register, send_message)

MISSING_CHAT = 9_000_000_000_000


def chat_ids(user, **params):
    r = api("GET", "chats", token=user.access, params=params)
    assert r.status_code == 200, r.text
    return [c["id"] for c in r.json()["chats"]]


def chat_in_list(user, chat_id):
    r = api("GET", "chats", token=user.access, params={"limit": 100})
    assert r.status_code == 200, r.text
    found = [c for c in r.json()["chats"] if c["id"] == chat_id]
    assert len(found) == 1, (chat_id, r.json())
    return found[0]


def roles(chat):
    return {p["user_id"]: p["role"] for p in chat["participants"]}


# --- creation ------------------------------------------------------------------------------------

def test_private_chat_is_created_once_then_returned():
    a, b = register(display_name="Alice A"), register()
    r = api("POST", "chats", token=a.access,
            json_body={"chat_type": "private", "participant_ids": [b.id]})
    assert r.status_code == 201, r.text
    chat = r.json()
    assert isinstance(chat["id"], int) and chat["chat_type"] == "private"
    assert chat["created_by"] == a.id and chat["participant_count"] == 2
    assert RFC3339_MS.match(chat["created_at"]) and RFC3339_MS.match(chat["updated_at"])
    assert roles(chat) == {a.id: "member", b.id: "member"}
    me = [p for p in chat["participants"] if p["user_id"] == a.id][0]
    assert me["username"] == a.username and me["display_name"] == "Alice A"
    assert RFC3339_MS.match(me["joined_at"])
    # Again, from either side (and with the creator listed too): the same chat, 200.
    for who, ids in ((a, [b.id]), (b, [a.id]), (a, [b.id, a.id]), (b, [a.id.upper()])):
        r = api("POST", "chats", token=who.access,
                json_body={"chat_type": "private", "participant_ids": ids})
        assert r.status_code == 200, (ids, r.status_code, r.text)
        assert r.json()["id"] == chat["id"]
    assert chat_ids(a) == [chat["id"]] and chat_ids(b) == [chat["id"]]


def test_private_chat_input_errors():
    a, b, c = register(), register(), register()
    cases = [
        ({"chat_type": "private", "participant_ids": []}, ("participant_ids", "exactly_one_other")),
        ({"chat_type": "private"}, ("participant_ids", "exactly_one_other")),
        ({"chat_type": "private", "participant_ids": [a.id]}, ("participant_ids", "exactly_one_other")),
        ({"chat_type": "private", "participant_ids": [b.id, c.id]},
         ("participant_ids", "exactly_one_other")),
        ({"chat_type": "private", "participant_ids": ["not-a-uuid"]}, ("participant_ids", "invalid_format")),
        ({"chat_type": "private", "participant_ids": [42]}, ("participant_ids", "invalid_format")),
        ({"chat_type": "private", "participant_ids": b.id}, ("participant_ids", "invalid_type")),
        ({"chat_type": "private", "participant_ids": [str(uuid.uuid4())]},
         ("participant_ids", "invalid_reference")),
        ({"chat_type": "channel", "participant_ids": [b.id]}, ("chat_type", "invalid_choice")),
        ({"chat_type": 1, "participant_ids": [b.id]}, ("chat_type", "invalid_type")),
        ({"participant_ids": [b.id]}, ("chat_type", "required")),
    ]
    for body, err in cases:
        r = api("POST", "chats", token=a.access, json_body=body)
        got = assert_error(r, 422, "validation_error")
        assert err in field_codes(got), (body, got)
    # Not JSON, or not declared as JSON.
    r = api("POST", "chats", token=a.access, data=b'{"chat_type": "private"',
            headers={"Content-Type": "application/json"})
    assert_error(r, 400)
    r = api("POST", "chats", token=a.access, data=b'{"chat_type":"private","participant_ids":[]}',
            headers={"Content-Type": "text/plain"})
    assert_error(r, 415, "unsupported_media_type")
    assert_error(api("POST", "chats", json_body={"chat_type": "group", "name": "x",
                                                 "participant_ids": []}), 401)
    assert chat_ids(a) == [] and chat_ids(b) == []


def test_group_creation_makes_the_creator_admin():
    a, b, c = register(), register(), register()
    chat = create_group(a, [b, c, b], name="Trip planning")
    assert chat["chat_type"] == "group" and chat["name"] == "Trip planning"
    assert chat["participant_count"] == 3
    assert roles(chat) == {a.id: "admin", b.id: "member", c.id: "member"}
    # A group of one is allowed; name and description are checked.
    solo = create_group(a, [], name="Notes to self")
    assert solo["participant_count"] == 1
    with_desc = create_chat(a, [b], name="Described", description="all about it", expect=201)
    assert with_desc["description"] == "all about it"
    for body, err in (
            ({"chat_type": "group", "participant_ids": [b.id]}, ("name", "required")),
            ({"chat_type": "group", "participant_ids": [b.id], "name": ""}, ("name", "too_short")),
            ({"chat_type": "group", "participant_ids": [b.id], "name": "n" * 256}, ("name", "too_long")),
            ({"chat_type": "group", "participant_ids": [b.id], "name": ["x"]}, ("name", "invalid_type")),
            ({"chat_type": "group", "participant_ids": [b.id], "name": "ok",
              "description": 5}, ("description", "invalid_type"))):
        got = assert_error(api("POST", "chats", token=a.access, json_body=body), 422, "validation_error")
        assert err in field_codes(got), (body, got)
    # A second group with the same people is a new chat.
    again = create_group(a, [b, c], name="Trip planning")
    assert again["id"] != chat["id"]


def test_mass_assignment_on_create_is_ignored():
    a, b = register(), register()
    r = api("POST", "chats", token=a.access,
            json_body={"chat_type": "group", "name": "g", "participant_ids": [b.id],
                       "created_by": b.id, "id": 1, "participants": [{"user_id": b.id, "role": "admin"}]})
    assert r.status_code == 201, r.text
    assert r.json()["created_by"] == a.id
    assert roles(r.json()) == {a.id: "admin", b.id: "member"}


# --- who may see a chat (C1) ---------------------------------------------------------------------------

def test_non_member_gets_the_same_404_as_for_a_missing_chat():
    a, b, stranger = register(), register(), register()
    chat = create_group(a, [b])
    msg = send_message(a, chat["id"], "secret")
    cid = chat["id"]
    requests_to_try = [
        ("GET", "chats/%d", None),
        ("PUT", "chats/%d", {"name": "taken over"}),
        ("POST", "chats/%d/participants", {"user_id": stranger.id}),
        ("DELETE", "chats/%d/participants/" + a.id, None),
        ("DELETE", "chats/%d/participants/" + stranger.id, None),
        ("GET", "chats/%d/messages", None),
        ("POST", "chats/%d/messages", {"content": "let me in"}),
    ]
    for method, path, body in requests_to_try:
        mine = assert_error(api(method, path % cid, token=stranger.access, json_body=body), 404,
                            "not_found")
        missing = assert_error(api(method, path % MISSING_CHAT, token=stranger.access,
                                   json_body=body), 404, "not_found")
        assert (mine["detail"], mine["code"]) == (missing["detail"], missing["code"]), path
        assert set(mine) == set(missing)
    # Ids that are not ids are just missing chats.
    for bad in ("abc", "0", "-1", "1.5", "99999999999999999999"):
        assert_error(api("GET", "chats/" + bad, token=a.access), 404, "not_found")
    # Nothing changed for the members.
    detail = api("GET", "chats/%d" % cid, token=a.access).json()
    assert detail["name"] == chat["name"] and roles(detail) == roles(chat)
    assert [m["id"] for m in all_messages(b, cid)] == [msg["id"]]


# --- settings ----------------------------------------------------------------------------------------

def test_only_a_group_admin_changes_name_and_description():
    a, b = register(), register()
    chat = create_group(a, [b], name="Before")
    r = api("PUT", "chats/%d" % chat["id"], token=a.access,
            json_body={"name": "After", "description": "new words", "chat_type": "private"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "After" and r.json()["description"] == "new words"
    assert r.json()["chat_type"] == "group"
    assert api("GET", "chats/%d" % chat["id"], token=b.access).json()["name"] == "After"
    # Only the description: the name stays.
    r = api("PUT", "chats/%d" % chat["id"], token=a.access, json_body={"description": "other"})
    assert r.json()["name"] == "After" and r.json()["description"] == "other"
    # A member may not; a private chat has no settings to change.
    assert_error(api("PUT", "chats/%d" % chat["id"], token=b.access, json_body={"name": "Mine"}),
                 403, "forbidden")
    private = create_private(a, b)
    assert_error(api("PUT", "chats/%d" % private["id"], token=a.access, json_body={"name": "x"}),
                 403, "forbidden")
    # Bad input.
    for body, err in (({"name": ""}, ("name", "too_short")), ({"name": 7}, ("name", "invalid_type")),
                      ({"name": "n" * 256}, ("name", "too_long")),
                      ({"description": "d" * 2001}, ("description", "too_long"))):
        got = assert_error(api("PUT", "chats/%d" % chat["id"], token=a.access, json_body=body),
                           422, "validation_error")
        assert err in field_codes(got), (body, got)
    r = api("PUT", "chats/%d" % chat["id"], token=a.access, data=b"name=x",
            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(r, 415, "unsupported_media_type")
    assert api("GET", "chats/%d" % chat["id"], token=b.access).json()["name"] == "After"


# --- participants ------------------------------------------------------------------------------------

def test_admin_adds_participants_members_may_not():
    a, b, c, d, e = (register() for _ in range(5))
    chat = create_group(a, [b])
    cid = chat["id"]
    r = api("POST", "chats/%d/participants" % cid, token=a.access, json_body={"user_id": c.id})
    assert r.status_code == 200, r.text
    assert roles(r.json()) == {a.id: "admin", b.id: "member", c.id: "member"}
    r = api("POST", "chats/%d/participants" % cid, token=a.access,
            json_body={"user_ids": [d.id, e.id, c.id]})
    assert r.status_code == 200 and r.json()["participant_count"] == 5
    assert cid in chat_ids(d) and cid in chat_ids(e)
    f = register()
    assert_error(api("POST", "chats/%d/participants" % cid, token=b.access,
                     json_body={"user_id": f.id}), 403, "forbidden")
    assert cid not in chat_ids(f)
    for body, err in (({}, ("user_ids", "required")), ({"user_ids": []}, ("user_ids", "required")),
                      ({"user_ids": "x"}, ("user_ids", "invalid_type")),
                      ({"user_ids": ["nope"]}, ("user_ids", "invalid_format")),
                      ({"user_id": "nope"}, ("user_id", "too_short")),
                      ({"user_id": 5}, ("user_id", "invalid_type")),
                      ({"user_ids": [str(uuid.uuid4())]}, ("user_ids", "invalid_reference")),
                      ({"user_ids": [str(uuid.uuid4()) for _ in range(101)]}, ("user_ids", "too_long"))):
        got = assert_error(api("POST", "chats/%d/participants" % cid, token=a.access,
                               json_body=body), 422, "validation_error")
        assert err in field_codes(got), (body, got)
    r = api("POST", "chats/%d/participants" % cid, token=a.access,
            data=('{"user_id": "%s"}' % f.id).encode(), headers={"Content-Type": "text/plain"})
    assert_error(r, 415, "unsupported_media_type")
    r = api("POST", "chats/%d/participants" % cid, token=a.access, data=b'{"user_id": ',
            headers={"Content-Type": "application/json"})
    assert_error(r, 400)
    assert cid not in chat_ids(f)
    # A private chat stays between two.
    private = create_private(a, b)
    assert_error(api("POST", "chats/%d/participants" % private["id"], token=a.access,
                     json_body={"user_id": c.id}), 403, "forbidden")
    assert api("GET", "chats/%d" % private["id"], token=a.access).json()["participant_count"] == 2


def test_removal_and_leaving():
    a, b, c, d = (register() for _ in range(4))
    chat = create_group(a, [b, c, d])
    cid = chat["id"]
    send_message(a, cid, "before the removal")
    # A member may not remove another member.
    assert_error(api("DELETE", "chats/%d/participants/%s" % (cid, c.id), token=b.access), 403,
                 "forbidden")
    # The admin removes b: 204 with no body; b no longer sees the chat or its history (C6).
    r = api("DELETE", "chats/%d/participants/%s" % (cid, b.id), token=a.access)
    assert r.status_code == 204 and r.content == b"", (r.status_code, r.text)
    assert_error(api("GET", "chats/%d" % cid, token=b.access), 404, "not_found")
    assert_error(api("GET", "chats/%d/messages" % cid, token=b.access), 404, "not_found")
    assert_error(api("POST", "chats/%d/messages" % cid, token=b.access,
                     json_body={"content": "still here?"}), 404, "not_found")
    assert cid not in chat_ids(b)
    # Removing someone who is not (or no longer) in the chat: 404.
    assert_error(api("DELETE", "chats/%d/participants/%s" % (cid, b.id), token=a.access), 404)
    assert_error(api("DELETE", "chats/%d/participants/%s" % (cid, register().id), token=a.access), 404)
    assert_error(api("DELETE", "chats/%d/participants/not-a-uuid" % cid, token=a.access), 404)
    # A member leaves by themselves.
    assert api("DELETE", "chats/%d/participants/%s" % (cid, d.id), token=d.access).status_code == 204
    assert cid not in chat_ids(d)
    # The admin leaves: the longest-standing remaining member becomes admin.
    assert api("DELETE", "chats/%d/participants/%s" % (cid, a.id), token=a.access).status_code == 204
    detail = api("GET", "chats/%d" % cid, token=c.access).json()
    assert roles(detail) == {c.id: "admin"} and detail["participant_count"] == 1
    # In a private chat nobody removes the other; each may leave, and the chat comes back
    # (the same one, with both members) when either side opens it again.
    private = create_private(a, b)
    send_message(b, private["id"], "are you there?")
    assert_error(api("DELETE", "chats/%d/participants/%s" % (private["id"], a.id), token=b.access),
                 403, "forbidden")
    assert api("DELETE", "chats/%d/participants/%s" % (private["id"], a.id),
               token=a.access).status_code == 204
    assert private["id"] not in chat_ids(a) and private["id"] in chat_ids(b)
    assert_error(api("GET", "chats/%d/messages" % private["id"], token=a.access), 404, "not_found")
    assert create_chat(b, [a], chat_type="private", expect=200)["id"] == private["id"]
    assert private["id"] in chat_ids(a)
    assert [m["content"] for m in all_messages(a, private["id"])] == ["are you there?"]
    # Re-adding a removed member works and lists them again.
    r = api("POST", "chats/%d/participants" % cid, token=c.access, json_body={"user_id": b.id})
    assert r.status_code == 200 and roles(r.json()) == {c.id: "admin", b.id: "member"}
    assert cid in chat_ids(b)


# --- the chat list -----------------------------------------------------------------------------------

def test_chat_list_is_most_recent_first_with_last_message_and_unread():
    a, b, c = register(), register(), register()
    first = create_private(a, b)
    second = create_group(a, [b, c], name="second")
    third = create_group(b, [a], name="third")
    # No messages yet: newest chat first, no last message, nothing unread.
    assert chat_ids(a) == [third["id"], second["id"], first["id"]]
    assert chat_in_list(a, first["id"])["last_message"] is None
    assert chat_in_list(a, first["id"])["unread_count"] == 0
    m1 = send_message(b, first["id"], "one")
    m2 = send_message(b, first["id"], "two")
    assert chat_ids(a) == [first["id"], third["id"], second["id"]]
    entry = chat_in_list(a, first["id"])
    assert entry["last_message"]["id"] == m2["id"] and entry["last_message"]["content"] == "two"
    assert entry["unread_count"] == 2 and entry["participant_count"] == 2
    assert entry["other_user"]["id"] == b.id and entry["other_user"]["username"] == b.username
    assert chat_in_list(b, first["id"])["unread_count"] == 0  # own messages are read
    send_message(c, second["id"], "now the group")
    assert chat_ids(a) == [second["id"], first["id"], third["id"]]
    assert chat_ids(c) == [second["id"]]
    # Reading moves the counts.
    unread = api("GET", "messages/unread/count", token=a.access).json()
    assert unread == {"total": 3, "chats": {str(first["id"]): 2, str(second["id"]): 1}}
    assert api("PUT", "messages/%d/read" % m1["id"], token=a.access).status_code == 200
    assert chat_in_list(a, first["id"])["unread_count"] == 1
    assert api("PUT", "messages/%d/read" % m2["id"], token=a.access).status_code == 200
    assert chat_in_list(a, first["id"])["unread_count"] == 0
    assert api("GET", "messages/unread/count", token=a.access).json() == {
        "total": 1, "chats": {str(second["id"]): 1}}
    # Paging and its input checks.
    assert chat_ids(a, limit=1) == [second["id"]]
    assert chat_ids(a, limit=2, offset=1) == [first["id"], third["id"]]
    assert chat_ids(a, offset=3) == []
    for params in ({"limit": "-1"}, {"limit": "abc"}, {"offset": "-5"}, {"limit": "1.5"}):
        assert_error(api("GET", "chats", token=a.access, params=params), 422, "validation_error")
    assert len(chat_ids(a, limit=100000)) == 3
