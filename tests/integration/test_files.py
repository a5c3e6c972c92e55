"""Files, thumbnails, avatars and stickers (DESIGN.md §4.4, §4.1 upload-avatar) and the upload
abuse cases of RELIABILITY.md §2 E, over HTTP through nginx. The round-trip cases run against
both storage backends: the main stack (local storage, nginx X-Accel-Redirect) and the second
stack of scripts/test (S3 storage against the S3 stand-in, presigned redirects)."""

import json
import os
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from conftest import (API, RFC3339_MS, STACK_DIR, api, assert_error, create_group,
                      create_private, env_setting, field_codes, psql, raw_request, register,
                      send_message, wait_until)
import media

S3_BASE = os.environ.get("NT_S3_BASE_URL", "")
THUMB = int(env_setting("THUMBNAIL_SIZE", "300"))
MAX_FILE_SIZE = int(env_setting("MAX_FILE_SIZE", "10485760"))
QUOTA = int(env_setting("USER_STORAGE_QUOTA_BYTES", "1073741824"))


@pytest.fixture(params=["local", "s3"])
def base(request):
    """The stack under test: None for the main (local storage) stack, else the S3 stack."""
    if request.param == "local":
        return None
    if not S3_BASE:
        pytest.fail("NT_S3_BASE_URL is not set: scripts/test starts the S3-backed stack")
    return S3_BASE


def upload(user, data, name="photo.png", ctype="image/png", chat_id=None, base=None,
           fields=None):
    parts = [("file", name, data, ctype)]
    if chat_id is not None:
        parts.append(("chat_id", None, str(chat_id).encode(), None))
    body, content_type = media.multipart(parts + (fields or []))
    return api("POST", "files/upload", token=user.access, data=body,
               headers={"Content-Type": content_type}, base=base, timeout=30)


def upload_ok(user, data, **kw):
    r = upload(user, data, **kw)
    assert r.status_code == 201, (r.status_code, r.text[:500])
    return r.json()


def fetch(user, path, base=None):
    """Downloads through the API: local storage answers with the bytes (nginx streamed them
    after X-Accel-Redirect); S3 with a 302 to a presigned URL, which is followed here.
    Returns a requests.Response of the bytes."""
    r = api("GET", path, token=user.access, base=base)
    if r.status_code != 302:
        return r
    loc = r.headers["Location"]
    q = parse_qs(urlsplit(loc).query)
    assert q["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"], loc
    assert 0 < int(q["X-Amz-Expires"][0]) <= 900, loc
    return requests.get(loc, timeout=10)


def storage_path(key):
    return os.path.join(STACK_DIR, "storage", key)


def used_bytes(user):
    return int(psql("SELECT storage_used_bytes FROM users WHERE id = '%s'" % user.id))


def still_serving(user):
    """The API and its workers are alive: a health check and a small real upload."""
    assert api("GET", "/health").status_code == 200
    upload_ok(user, media.image("png", 8, 8), name="alive.png")


# --------------------------------------------------------------------------------------------
# Round trips on both backends

@pytest.mark.parametrize("fmt,name,mime", [("jpeg", "cat.jpg", "image/jpeg"),
                                           ("png", "cat.png", "image/png"),
                                           ("gif", "cat.gif", "image/gif"),
                                           ("webp", "cat.webp", "image/webp")])
def test_image_round_trip_and_thumbnail(base, fmt, name, mime):
    u = register(base=base)
    data = media.image(fmt, 1200, 800)
    f = upload_ok(u, data, name=name, ctype=mime, base=base)
    assert f["file_name"] == name and f["mime_type"] == mime and f["media_type"] == "image"
    assert f["file_size"] == len(data) and (f["width"], f["height"]) == (1200, 800)
    assert f["url"] == "/api/v1/files/%d" % f["id"]
    assert f["thumbnail_url"] == "/api/v1/files/%d/thumbnail" % f["id"]
    assert f["chat_id"] is None and RFC3339_MS.match(f["created_at"])

    got = fetch(u, f["url"], base)
    assert got.status_code == 200 and got.content == data
    assert got.headers["Content-Type"].startswith(mime)
    assert got.headers["Content-Disposition"].startswith("inline")

    thumb = fetch(u, f["thumbnail_url"], base)
    assert thumb.status_code == 200 and thumb.headers["Content-Type"].startswith("image/jpeg")
    assert media.jpeg_size(thumb.content) == (THUMB, THUMB * 800 // 1200)


def test_camera_orientation_is_applied():
    """A portrait phone photo is stored landscape with EXIF orientation 6: the file reports the
    upright size and the thumbnail is upright too."""
    u = register()
    f = upload_ok(u, media.with_orientation(media.image("jpeg", 600, 300), 6), name="portrait.jpg",
                  ctype="image/jpeg")
    assert (f["width"], f["height"]) == (300, 600)
    assert media.jpeg_size(fetch(u, f["thumbnail_url"]).content) == (150, 300)


def test_document_is_an_attachment_without_thumbnail(base):
    u = register(base=base)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes(range(256)) * 40
    f = upload_ok(u, pdf, name="report Q3 \u65e5\u672c.pdf", ctype="application/pdf", base=base)
    assert f["mime_type"] == "application/pdf" and f["media_type"] == "file"
    assert f["thumbnail_url"] is None and f["width"] is None and f["height"] is None
    got = fetch(u, f["url"], base)
    assert got.status_code == 200 and got.content == pdf
    assert got.headers["Content-Type"].startswith("application/pdf")
    disp = got.headers["Content-Disposition"]
    assert disp.startswith("attachment;") and "filename*=UTF-8''report%20Q3%20%E6%97%A5%E6%9C%AC.pdf" in disp
    assert_error(api("GET", "files/%d/thumbnail" % f["id"], token=u.access, base=base), 404, "not_found")


def test_binary_round_trip_is_byte_exact(base):
    """Every byte value, CR/LF runs and the multipart boundary itself inside the content survive
    (E10 "boundary inside content"): only CRLF "--" boundary delimits a part (RFC 2046)."""
    u = register(base=base)
    payload = b"PK\x03\x04" + bytes(range(256)) * 2048 + b"\r\n\r\nx--ntBoundary7d93\r\n" + \
        b"\r\n-ntBoundary7d93--" + b"\0" * 1000
    f = upload_ok(u, payload, name="archive.zip", ctype="application/zip", base=base)
    got = fetch(u, f["url"], base)
    assert got.status_code == 200 and got.content == payload


def test_delete_removes_file_and_blobs(base):
    u = register(base=base)
    f = upload_ok(u, media.image("png", 640, 480), base=base)
    if base:  # S3: a redirect to a presigned URL, which serves the object until it is deleted
        r = api("GET", f["url"], token=u.access, base=base)
        assert r.status_code == 302, (r.status_code, r.text[:200])
        presigned = r.headers["Location"]
        assert requests.get(presigned, timeout=10).status_code == 200
    else:  # local: the blob and its thumbnail are in the stack's storage folder
        blobs = [storage_path("temp/%d.png" % f["id"]),
                 storage_path("temp/thumbnails/%d_thumb.jpg" % f["id"])]
        assert all(os.path.exists(p) for p in blobs), blobs
    assert api("DELETE", "files/%d" % f["id"], token=u.access, base=base).status_code == 204
    assert_error(api("GET", f["url"], token=u.access, base=base), 404, "not_found")
    assert_error(api("GET", f["thumbnail_url"], token=u.access, base=base), 404, "not_found")
    assert_error(api("DELETE", "files/%d" % f["id"], token=u.access, base=base), 404, "not_found")
    if base:  # S3: the object itself is gone, not only the row
        gone = requests.get(presigned, timeout=10)
        assert gone.status_code == 404 and b"<Code>NoSuchKey</Code>" in gone.content, gone.text
    else:
        assert not any(os.path.exists(p) for p in blobs), blobs


def upload_avatar(user, jpeg, base=None):
    body, ctype = media.multipart([("file", "me.jpg", jpeg, "image/jpeg")])
    r = api("POST", "upload-avatar", token=user.access, data=body, headers={"Content-Type": ctype},
            base=base, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def test_avatar_upload_replaces_profile_avatar(base):
    u = register(base=base)
    res = upload_avatar(u, media.with_gps_exif(media.image("jpeg", 2000, 1000)), base=base)
    assert res["avatar_url"].startswith("/api/v1/users/%s/avatar?v=" % u.id)
    assert res["thumbnail_url"].startswith("/api/v1/users/%s/avatar/thumbnail?v=" % u.id)
    assert api("GET", "profile", token=u.access, base=base).json()["avatar_url"] == res["avatar_url"]

    other = register(base=base)
    big = fetch(other, res["avatar_url"], base)
    assert big.status_code == 200 and big.headers["Content-Type"].startswith("image/jpeg")
    assert media.jpeg_size(big.content) == (1024, 512) and not media.jpeg_has_exif(big.content)
    small = fetch(other, res["thumbnail_url"], base)
    assert media.jpeg_size(small.content) == (THUMB, THUMB // 2)
    assert not media.jpeg_has_exif(small.content)
    assert_error(api("GET", "users/%s/avatar" % other.id, token=u.access, base=base), 404, "not_found")


def test_avatar_of_a_camera_portrait_is_upright():
    """Landscape pixels with EXIF orientation 6: the avatar is portrait, and so is its thumbnail
    (made from the already upright avatar, so not turned a second time)."""
    u = register()
    res = upload_avatar(u, media.with_orientation(media.image("jpeg", 2400, 1200), 6))
    assert media.jpeg_size(fetch(u, res["avatar_url"]).content) == (512, 1024)
    assert media.jpeg_size(fetch(u, res["thumbnail_url"]).content) == (THUMB // 2, THUMB)


def test_stickers_are_listed_and_served(base):
    u = register(base=base)
    r = api("GET", "media/stickers", token=u.access, base=base)
    assert r.status_code == 200
    packs = r.json()["packs"]
    assert packs and packs[0]["name"] and len(packs[0]["stickers"]) >= 12
    s = packs[0]["stickers"][0]
    assert s["url"] == "/api/v1/media/stickers/%d/image" % s["id"] and s["mime_type"] == "image/png"
    img = fetch(u, s["url"], base)
    assert img.status_code == 200 and img.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert img.headers["Content-Type"].startswith("image/png")
    assert_error(api("GET", "media/stickers/999999/image", token=u.access, base=base), 404)


# --------------------------------------------------------------------------------------------
# Access

def test_access_uploader_member_stranger():
    a, b, stranger = register(), register(), register()
    chat = create_private(a, b)
    f = upload_ok(a, media.image("png", 64, 64), chat_id=chat["id"])
    assert f["chat_id"] == chat["id"]
    assert os.path.exists(storage_path("chat-files/%d/%d.png" % (chat["id"], f["id"])))
    assert os.path.exists(storage_path("chat-files/%d/thumbnails/%d_thumb.jpg" % (chat["id"], f["id"])))
    for who in (a, b):
        assert fetch(who, f["url"]).status_code == 200
        assert fetch(who, f["thumbnail_url"]).status_code == 200
    for path in (f["url"], f["thumbnail_url"]):
        assert_error(api("GET", path, token=stranger.access), 404, "not_found")
    assert_error(api("GET", f["url"]), 401)
    # A member who is not the uploader may read but not delete; a stranger learns nothing.
    assert_error(api("DELETE", "files/%d" % f["id"], token=b.access), 403, "forbidden")
    assert_error(api("DELETE", "files/%d" % f["id"], token=stranger.access), 404, "not_found")
    assert_error(api("GET", "files/999999999", token=a.access), 404, "not_found")
    assert_error(api("GET", "files/abc", token=a.access), 404, "not_found")


def test_upload_into_a_chat_needs_membership():
    a, b, stranger = register(), register(), register()
    chat = create_private(a, b)
    assert_error(upload(stranger, media.image("png", 8, 8), chat_id=chat["id"]), 404, "not_found")
    body = assert_error(upload(a, media.image("png", 8, 8), chat_id="x"), 422)
    assert ("chat_id", "invalid_format") in field_codes(body)
    # chat_id may also come as a query parameter.
    body, ctype = media.multipart([("file", "q.png", media.image("png", 8, 8), "image/png")])
    r = api("POST", "files/upload?chat_id=%d" % chat["id"], token=a.access, data=body,
            headers={"Content-Type": ctype})
    assert r.status_code == 201 and r.json()["chat_id"] == chat["id"]


def test_message_with_file_shows_file_and_grants_access():
    a, b = register(), register()
    chat = create_group(a, [b])
    f = upload_ok(a, media.image("jpeg", 800, 600), name="holiday.jpg", ctype="image/jpeg")
    m = send_message(a, chat["id"], "look", message_type="image", file_id=f["id"])
    mf = m["file"]
    assert mf["id"] == f["id"] and mf["media_type"] == "image" and mf["file_name"] == "holiday.jpg"
    assert (mf["width"], mf["height"]) == (800, 600) and mf["thumbnail_url"] == f["thumbnail_url"]
    # b can read the temp upload because a message in b's chat carries it.
    assert fetch(b, f["url"]).content == media_bytes_of(a, f)
    hist = api("GET", "chats/%d/messages" % chat["id"], token=b.access).json()["messages"]
    assert hist[-1]["file"]["id"] == f["id"]
    # Deleting the file removes it from the message.
    assert api("DELETE", "files/%d" % f["id"], token=a.access).status_code == 204
    hist = api("GET", "chats/%d/messages" % chat["id"], token=b.access).json()["messages"]
    assert hist[-1]["id"] == m["id"] and hist[-1]["file"] is None


def media_bytes_of(user, f):
    return fetch(user, f["url"]).content


def test_e12_someone_elses_upload_cannot_be_sent():
    a, b = register(), register()
    chat = create_private(a, b)
    f = upload_ok(a, media.image("png", 16, 16))
    r = api("POST", "chats/%d/messages" % chat["id"], token=b.access,
            json_body={"content": "mine now", "message_type": "image", "file_id": f["id"]})
    assert_error(r, 403, "forbidden")
    assert_error(api("GET", f["url"], token=b.access), 404, "not_found")


def test_sticker_message_names_a_real_sticker():
    a, b = register(), register()
    chat = create_private(a, b)
    sid = api("GET", "media/stickers", token=a.access).json()["packs"][0]["stickers"][0]["id"]
    m = send_message(a, chat["id"], None, message_type="sticker", sticker_id=sid)
    assert m["sticker_id"] == sid
    r = api("POST", "chats/%d/messages" % chat["id"], token=a.access,
            json_body={"message_type": "sticker", "sticker_id": 987654})
    assert ("sticker_id", "invalid_reference") in field_codes(assert_error(r, 422))


# --------------------------------------------------------------------------------------------
# Hostile input (RELIABILITY.md §2 E)

@pytest.mark.parametrize("kind", sorted(media.ACTIVE_CONTENT))
def test_e1_active_content_renamed_as_image_is_415(kind):
    u = register()
    for name, ctype in (("shell.jpg", "image/jpeg"), ("pic.png", "image/png"), ("doc.pdf", "application/pdf")):
        assert_error(upload(u, media.ACTIVE_CONTENT[kind], name=name, ctype=ctype), 415,
                     "file_type_not_allowed")
    assert_error(upload(u, media.ACTIVE_CONTENT[kind], name="page.html", ctype="text/html"), 415,
                 "file_type_not_allowed")
    still_serving(u)


def test_e2_polyglot_is_served_as_an_image_never_as_html():
    u = register()
    data = media.image("jpeg", 64, 64) + b"<html><script>alert(1)</script></html>"
    f = upload_ok(u, data, name="poly.jpg", ctype="image/jpeg")
    got = fetch(u, f["url"])
    assert got.content == data and got.headers["Content-Type"] == "image/jpeg"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got.headers["Content-Security-Policy"]
    assert not media.jpeg_has_exif(fetch(u, f["thumbnail_url"]).content)


@pytest.mark.parametrize("fmt", ["png", "jpeg", "gif", "webp"])
def test_e3_huge_declared_dimensions_rejected_before_decode(fmt):
    u = register()
    data = {"png": media.png_header_only, "jpeg": media.jpeg_header_only,
            "gif": media.gif_header_only, "webp": media.webp_vp8x_header}[fmt](30000, 30000)
    assert len(data) < 1024
    t0 = time.monotonic()
    body = assert_error(upload(u, data, name="big." + ("jpg" if fmt == "jpeg" else fmt)), 422)
    assert ("file", "image_too_large") in field_codes(body)
    assert time.monotonic() - t0 < 2
    # Within the side cap but over 40 MP.
    if fmt != "gif":
        data = {"png": media.png_header_only, "jpeg": media.jpeg_header_only,
                "webp": media.webp_vp8x_header}[fmt](8000, 8000)
        assert ("file", "image_too_large") in field_codes(assert_error(upload(u, data, name="b.png"), 422))
    still_serving(u)


def test_e4_decompression_bomb_rejected_by_pixel_cap():
    u = register()
    bomb = media.png_bomb(20000)
    assert len(bomb) < 100_000
    body = assert_error(upload(u, bomb, name="zeros.png"), 422)
    assert ("file", "image_too_large") in field_codes(body)
    still_serving(u)


def test_e5_oversized_uploads_are_413():
    u = register()
    # Over MAX_FILE_SIZE but under nginx's upload limit: the API says 413.
    r = upload(u, b"%PDF-1.4\n" + b"\0" * (MAX_FILE_SIZE + 1 - 9), name="big.pdf", ctype="application/pdf")
    assert_error(r, 413, "payload_too_large")
    # Over nginx's limit: nginx answers 413 from the headers alone, before any worker sees it.
    status, headers, data = raw_request(
        "POST", API + "/files/upload", body=None, headers={
            "Authorization": "Bearer " + u.access, "Content-Length": str(MAX_FILE_SIZE + 2 * 1024 * 1024),
            "Content-Type": "multipart/form-data; boundary=B"})
    assert status == 413 and json.loads(data)["code"] == "payload_too_large", (status, data[:200])
    body_dir = os.path.join(STACK_DIR, "run", "nginx-body")
    wait_until(lambda: not os.path.isdir(body_dir) or not os.listdir(body_dir), 5,
               what="nginx temp body files removed")
    still_serving(u)


def test_e5_quota_is_enforced_and_given_back():
    u = register()
    chunk = QUOTA // 3 + 1
    first = upload_ok(u, b"%PDF-1.4\n" + b"\1" * (chunk - 9), name="1.pdf", ctype="application/pdf")
    upload_ok(u, b"%PDF-1.4\n" + b"\2" * (chunk - 9), name="2.pdf", ctype="application/pdf")
    assert used_bytes(u) == 2 * chunk
    third = b"%PDF-1.4\n" + b"\3" * (chunk - 9)
    assert_error(upload(u, third, name="3.pdf", ctype="application/pdf"), 413, "storage_quota_exceeded")
    assert used_bytes(u) == 2 * chunk
    assert api("DELETE", "files/%d" % first["id"], token=u.access).status_code == 204
    assert used_bytes(u) == chunk
    upload_ok(u, third, name="3.pdf", ctype="application/pdf")


@pytest.mark.parametrize("fmt,ext", [("jpeg", "jpg"), ("png", "png"), ("gif", "gif"), ("webp", "webp")])
def test_e6_truncated_images_are_400_and_worker_survives(fmt, ext):
    u = register()
    data = media.image(fmt, 900, 700)
    for cut in (30, len(data) // 2):
        r = upload(u, data[:cut], name="broken." + ext)
        assert_error(r, 400, "invalid_image")
    garbage = data[:64] + bytes((i * 37) & 0xFF for i in range(4000))
    assert_error(upload(u, garbage, name="noise." + ext), 400, "invalid_image")
    still_serving(u)


def test_e8_gif_with_ten_thousand_frames_is_cheap():
    """Only the first frame is decoded: the upload finishes well inside the time budget."""
    u = register()
    gif = media.gif_many_frames(10000)
    t0 = time.monotonic()
    f = upload_ok(u, gif, name="frames.gif", ctype="image/gif")
    assert time.monotonic() - t0 < 5
    assert (f["width"], f["height"]) == (64, 64) and f["thumbnail_url"]
    thumb = fetch(u, f["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.content.startswith(b"\xff\xd8")
    assert media.jpeg_size(thumb.content) == (1, 1)  # the first frame is 1x1
    still_serving(u)


@pytest.mark.parametrize("kind", sorted(media.REFUSED_IMAGES))
def test_e7_other_image_formats_never_reach_the_decoder(kind):
    u = register()
    for name in ("image.png", "image.jpg", "image.gif"):
        assert_error(upload(u, media.REFUSED_IMAGES[kind], name=name), 415, "file_type_not_allowed")
    assert_error(upload(u, media.REFUSED_IMAGES[kind], name="image." + kind.split("_")[0]), 415,
                 "file_type_not_allowed")


def test_e9_file_names_are_metadata_only():
    u = register()
    png = media.image("png", 16, 16)
    cases = {
        "../../etc/passwd.png": "passwd.png",
        "/var/www/html/win.png": "win.png",
        "CON.png": "CON.png",
        "photo\u202egnp.png": "photognp.png",
        "tab\tname.png": "tabname.png",
        "a.php\x00.png": "a.php.png",
    }
    for sent, shown in cases.items():
        f = upload_ok(u, png, name=sent)
        assert f["file_name"] == shown, (sent, f["file_name"])
        assert os.path.exists(storage_path("temp/%d.png" % f["id"]))
        disp = fetch(u, f["url"]).headers["Content-Disposition"]
        assert disp.startswith('inline; filename="') and disp.count('"') == 2, disp
    long = upload_ok(u, png, name="x" * 4096 + ".png")
    assert len(long["file_name"].encode()) <= 255 and long["file_name"].endswith(".png")
    assert_error(upload(u, png, name="a.png\x00.php"), 415, "file_type_not_allowed")
    assert_error(upload(u, png, name="noextension"), 415, "file_type_not_allowed")
    assert not os.path.exists("/etc/passwd.png")


def test_e10_multipart_abuse_is_400_quickly():
    u = register()
    png = media.image("png", 8, 8)

    def post(body, ctype):
        return api("POST", "files/upload", token=u.access, data=body, headers={"Content-Type": ctype})

    t0 = time.monotonic()
    body, _ = media.multipart([("file", "a.png", png, "image/png")])
    assert_error(post(body, "multipart/form-data"), 400, "bad_request")  # no boundary
    assert_error(post(body, "application/octet-stream"), 415, "unsupported_media_type")
    many = media.multipart([("f%d" % i, None, b"x", None) for i in range(10000)] +
                           [("file", "a.png", png, "image/png")])
    assert_error(post(*many), 400, "bad_request")
    fat = b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nX-Pad: " + \
        b"a" * (1024 * 1024) + b"\r\n\r\n" + png + b"\r\n--B--\r\n"
    assert_error(post(fat, "multipart/form-data; boundary=B"), 400, "bad_request")
    unterminated = b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n" + png
    assert_error(post(unterminated, "multipart/form-data; boundary=B"), 400, "bad_request")
    nested_inner, inner_type = media.multipart([("file", "a.png", png, "image/png")], boundary="Inner")
    nested = media.multipart([("file", "nested.png", nested_inner, inner_type)])
    assert_error(post(*nested), 415, "file_type_not_allowed")
    no_file = media.multipart([("other", "a.png", png, "image/png")])
    assert ("file", "required") in field_codes(assert_error(post(*no_file), 422))
    assert time.monotonic() - t0 < 10
    still_serving(u)


# --------------------------------------------------------------------------------------------
# Storage garbage collection (background job of the realtime daemons)

def test_gc_removes_blobs_of_interrupted_uploads():
    """A crash between writing a blob and committing its row leaves an intent; the GC job
    removes the blob and gives the reserved quota back."""
    u = register()
    key = "temp/%d.png" % (900000000 + int(time.time() * 1000) % 99999999)
    os.makedirs(os.path.dirname(storage_path(key)), exist_ok=True)
    with open(storage_path(key), "wb") as fh:
        fh.write(b"orphan")
    psql("UPDATE users SET storage_used_bytes = 6 WHERE id = '%s'" % u.id)
    psql("INSERT INTO storage_intents (user_id, keys, refund_bytes, due_at) "
         "VALUES ('%s', ARRAY['%s'], 6, now())" % (u.id, key))
    wait_until(lambda: not os.path.exists(storage_path(key)), 15, what="orphaned blob removed")
    wait_until(lambda: used_bytes(u) == 0, 5, what="quota given back")
    assert psql("SELECT count(*) FROM storage_intents WHERE '%s' = ANY(keys)" % key) == "0"


def test_gc_expires_unused_temp_uploads():
    u, other = register(), register()
    chat = create_private(u, other)
    unused = upload_ok(u, media.image("png", 32, 32))
    used = upload_ok(u, media.image("png", 32, 32))
    send_message(u, chat["id"], "pic", message_type="image", file_id=used["id"])
    before = used_bytes(u)
    psql("UPDATE files SET created_at = now() - interval '3 days' WHERE id IN (%d, %d)"
         % (unused["id"], used["id"]))
    wait_until(lambda: api("GET", unused["url"], token=u.access).status_code == 404, 15,
               what="unused temp upload expired")
    wait_until(lambda: not os.path.exists(storage_path("temp/%d.png" % unused["id"])), 10,
               what="its blob removed")
    assert used_bytes(u) == before - unused["file_size"]
    assert fetch(other, used["url"]).status_code == 200
