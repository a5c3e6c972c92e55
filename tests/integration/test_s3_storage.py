"""The S3 storage backend (common/storage_s3.cpp) against the S3 stand-in, which verifies every
Signature V4 it receives with its own code (standins/s3_standin.py). The backend is driven
through tests/storage/s3_storage_check (built with the tests; NT_BUILD_DIR names the build,
scripts/test passes its ASan build), so no REST stack is needed. Every stand-in here is
started by this module on a free port.
"""
import hashlib
import json
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import parse_qsl, urlsplit

import pytest

from conftest import NT_ROOT
from standins import built_program, free_port, start_s3_standin

ACCESS_KEY = "AKIDNERUTALKTEST"
SECRET_KEY = "nerutalk/test+secret/KEY0123456789abcdef"
REGION = "eu-central-1"
BUCKET = "nerutalk-test"


BINARY = built_program(os.path.join("tests", "storage", "s3_storage_check"))


@pytest.fixture(scope="module")
def s3():
    with start_s3_standin(ACCESS_KEY, SECRET_KEY, REGION, [BUCKET]) as standin:
        yield standin


@pytest.fixture
def own_s3():
    """A stand-in for a test that moves its clock."""
    with start_s3_standin(ACCESS_KEY, SECRET_KEY, REGION, [BUCKET]) as standin:
        yield standin


def storage(standin_url, op, *args, data=b"", timeout=30, **settings):
    """Runs s3_storage_check OP ARGS... with the backend pointed at `standin_url`; settings
    override the AWS_* / S3_* / HTTP_CLIENT_* environment (None removes one)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_"))}
    env.update(STORAGE_BACKEND="s3", S3_ENDPOINT=standin_url, AWS_S3_BUCKET=BUCKET,
               AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY,
               AWS_REGION=REGION, HTTP_CLIENT_TIMEOUT_MS="3000")
    for k, v in settings.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return subprocess.run([BINARY, op, *args], input=data, env=env, capture_output=True,
                          timeout=timeout)


def ok(result):
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout


def storage_error(result, *fragments):
    """Asserts the backend failed with a StorageError whose message holds every fragment."""
    err = result.stderr.decode(errors="replace")
    assert result.returncode == 3, (result.returncode, err)
    assert err.startswith("StorageError: "), err
    for f in fragments:
        assert f in err, (f, err)
    return err


class Counted:
    """Stand-in counters over a block: `with Counted(s3) as c: ...; c.delta()`."""

    def __init__(self, standin):
        self.standin = standin

    def __enter__(self):
        self.before = self.standin.stats()
        return self

    def __exit__(self, *exc):
        pass

    def delta(self):
        after = self.standin.stats()
        d = {k: after[k] - self.before[k] for k in ("requests", "verified", "rejected")}
        d["codes"] = [r["code"] for r in after["rejections"][len(self.before["rejections"]):]]
        return d


def fetch(url_, headers=None):
    """(status, headers, body) of a plain GET, errors included."""
    req = urllib.request.Request(url_, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def xml_code(body):
    text = body.decode()
    return text[text.index("<Code>") + 6:text.index("</Code>")]


def presigned(standin, key, *options, **settings):
    out = ok(storage(standin.url, "download", key, *options, **settings)).decode().strip()
    kind, location = out.split(" ", 1)
    assert kind == "redirect", out
    return location


# --- Round trips --------------------------------------------------------------------------------

def test_binary_object_round_trips_byte_for_byte(s3):
    data = b"\0\x01\xff\r\n\0" + bytes(range(256)) * 4096 + os.urandom(4099) + b"\0"
    assert len(data) > 1024 * 1024
    key = "chat-files/7/1001.bin"
    with Counted(s3) as c:
        ok(storage(s3.url, "put", key, "application/octet-stream", data=data))
        assert ok(storage(s3.url, "exists", key)) == b"yes\n"
        assert ok(storage(s3.url, "get", key)) == data
    assert c.delta() == {"requests": 3, "verified": 3, "rejected": 0, "codes": []}


def test_empty_object_and_replacement(s3):
    key = "temp/2002.txt"
    ok(storage(s3.url, "put", key, "text/plain", data=b""))
    assert ok(storage(s3.url, "get", key)) == b""
    ok(storage(s3.url, "put", key, "text/plain", data=b"second version"))
    assert ok(storage(s3.url, "get", key)) == b"second version"


def test_missing_key_head_delete_and_get(s3):
    key = "chat-files/7/404.jpg"
    with Counted(s3) as c:
        assert ok(storage(s3.url, "exists", key)) == b"no\n"
        ok(storage(s3.url, "remove", key))  # S3 answers 204; a missing object is no error
        storage_error(storage(s3.url, "get", key), "GET " + key, "HTTP 404 NoSuchKey")
    assert c.delta() == {"requests": 3, "verified": 3, "rejected": 0, "codes": []}


def test_removed_object_is_gone(s3):
    key = "avatars/0b7f7c1e-2f7a-4d1e-9a55-6c1d2b3e4f50/original.jpg"
    ok(storage(s3.url, "put", key, "image/jpeg", data=b"\xff\xd8\xff\xe0jpeg"))
    assert ok(storage(s3.url, "exists", key)) == b"yes\n"
    ok(storage(s3.url, "remove", key))
    assert ok(storage(s3.url, "exists", key)) == b"no\n"


def test_invalid_key_never_reaches_s3(s3):
    with Counted(s3) as c:
        for key in ("../etc/passwd", "Chat/1.jpg", "a//b"):
            storage_error(storage(s3.url, "put", key, "text/plain", data=b"x"),
                          "invalid storage key")
            storage_error(storage(s3.url, "download", key), "invalid storage key")
    assert c.delta()["requests"] == 0


def test_session_token_is_sent_and_signed():
    with start_s3_standin(ACCESS_KEY, SECRET_KEY, REGION, [BUCKET], session_token="tok/en+1") as s3:
        with Counted(s3) as c:
            ok(storage(s3.url, "put", "temp/1.txt", "text/plain", data=b"t",
                       AWS_SESSION_TOKEN="tok/en+1"))
            assert ok(storage(s3.url, "get", "temp/1.txt", AWS_SESSION_TOKEN="tok/en+1")) == b"t"
            url_ = presigned(s3, "temp/1.txt", AWS_SESSION_TOKEN="tok/en+1")
            assert fetch(url_)[0] == 200
            storage_error(storage(s3.url, "get", "temp/1.txt"), "HTTP 403 InvalidToken")
            storage_error(storage(s3.url, "get", "temp/1.txt", AWS_SESSION_TOKEN="other"),
                          "HTTP 403 InvalidToken")
        assert c.delta() == {"requests": 5, "verified": 3, "rejected": 2,
                             "codes": ["InvalidToken", "InvalidToken"]}


# --- Presigned downloads ------------------------------------------------------------------------

def test_presigned_url_serves_bytes_with_requested_type_and_disposition(s3):
    key = "chat-files/9/55.pdf"
    data = b"%PDF-1.4\n\0binary\xff"
    ok(storage(s3.url, "put", key, "application/pdf", data=data))
    disposition = "attachment; filename=\"report 1.pdf\"; filename*=UTF-8''r%C3%A9port%201.pdf"
    location = presigned(s3, key, "application/x-nerutalk", disposition, S3_PRESIGN_SECONDS="300")
    parts = urlsplit(location)
    assert "%s://%s" % (parts.scheme, parts.netloc) == s3.url
    assert parts.path == "/%s/%s" % (BUCKET, key)
    query = dict(parse_qsl(parts.query))
    assert query["X-Amz-Expires"] == "300"
    assert query["X-Amz-Credential"].startswith(ACCESS_KEY + "/")
    assert query["X-Amz-Credential"].endswith("/%s/s3/aws4_request" % REGION)
    with Counted(s3) as c:
        status, headers, body = fetch(location)
    assert (status, body) == (200, data)
    assert headers["Content-Type"] == "application/x-nerutalk"
    assert headers["Content-Disposition"] == disposition
    assert c.delta() == {"requests": 1, "verified": 1, "rejected": 0, "codes": []}


def test_presigned_url_defaults_to_stored_type_and_at_most_15_minutes(s3):
    key = "stickers/packs/1/2.webp"
    ok(storage(s3.url, "put", key, "image/webp", data=b"RIFF....WEBP"))
    location = presigned(s3, key, S3_PRESIGN_SECONDS=None)
    query = dict(parse_qsl(urlsplit(location).query))
    assert query["X-Amz-Expires"] == "900"
    assert "response-content-type" not in query
    status, headers, body = fetch(location)
    assert (status, body, headers["Content-Type"]) == (200, b"RIFF....WEBP", "image/webp")
    assert headers["Content-Disposition"] is None
    # A longer lifetime is refused at start-up, before anything is signed.
    result = storage(s3.url, "download", key, S3_PRESIGN_SECONDS="901")
    assert result.returncode == 2 and b"S3_PRESIGN_SECONDS" in result.stderr


def test_tampered_presigned_urls_are_rejected(s3):
    ok(storage(s3.url, "put", "chat-files/9/1.jpg", "image/jpeg", data=b"one"))
    ok(storage(s3.url, "put", "chat-files/9/2.jpg", "image/jpeg", data=b"two"))
    location = presigned(s3, "chat-files/9/1.jpg", "image/jpeg", "inline")
    signature = dict(parse_qsl(urlsplit(location).query))["X-Amz-Signature"]
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    tampered = [
        location.replace("/chat-files/9/1.jpg?", "/chat-files/9/2.jpg?"),
        location.replace(signature, flipped),
        location.replace("response-content-type=image%2Fjpeg", "response-content-type=text%2Fhtml"),
        location.replace("response-content-disposition=inline",
                         "response-content-disposition=attachment"),
        location.replace("X-Amz-Expires=900", "X-Amz-Expires=3600"),
    ]
    with Counted(s3) as c:
        for t in tampered:
            assert t != location
            status, _, body = fetch(t)
            assert (status, xml_code(body)) == (403, "SignatureDoesNotMatch"), t
        status, headers, body = fetch(location)
        assert (status, body, headers["Content-Type"]) == (200, b"one", "image/jpeg")
    assert c.delta() == {"requests": 6, "verified": 1, "rejected": 5,
                         "codes": ["SignatureDoesNotMatch"] * 5}


def test_expired_presigned_url_is_rejected(own_s3):
    ok(storage(own_s3.url, "put", "temp/9.png", "image/png", data=b"png"))
    location = presigned(own_s3, "temp/9.png", S3_PRESIGN_SECONDS="60")
    assert fetch(location)[0] == 200
    own_s3.set_clock_offset(62)
    status, _, body = fetch(location)
    assert (status, xml_code(body)) == (403, "AccessDenied")
    assert b"expired" in body


# --- The stand-in checks signatures for real ----------------------------------------------------

def test_wrong_secret_key_is_refused_by_the_standin(s3):
    key = "temp/3003.txt"
    with Counted(s3) as c:
        storage_error(storage(s3.url, "put", key, "text/plain", data=b"x",
                              AWS_SECRET_ACCESS_KEY=SECRET_KEY[:-1] + "X"),
                      "PUT " + key, "HTTP 403 SignatureDoesNotMatch")
    assert c.delta() == {"requests": 1, "verified": 0, "rejected": 1,
                         "codes": ["SignatureDoesNotMatch"]}
    assert ok(storage(s3.url, "exists", key)) == b"no\n"


def test_wrong_access_key_or_region_is_refused(s3):
    with Counted(s3) as c:
        storage_error(storage(s3.url, "exists", "temp/1", AWS_ACCESS_KEY_ID="AKIDOTHER"),
                      "HEAD temp/1: HTTP 403")  # HEAD answers carry no body, so no code
        storage_error(storage(s3.url, "get", "temp/1", AWS_REGION="us-west-2"),
                      "HTTP 400 AuthorizationHeaderMalformed")
    assert c.delta()["codes"] == ["InvalidAccessKeyId", "AuthorizationHeaderMalformed"]


def test_unsigned_request_is_refused(s3):
    ok(storage(s3.url, "put", "temp/4004.txt", "text/plain", data=b"secret"))
    with Counted(s3) as c:
        status, _, body = fetch("%s/%s/temp/4004.txt" % (s3.url, BUCKET))
    assert (status, xml_code(body)) == (403, "AccessDenied")
    assert c.delta()["codes"] == ["AccessDenied"]


@pytest.mark.parametrize("skew", [16 * 60, -16 * 60])
def test_request_time_outside_15_minutes_is_refused(own_s3, skew):
    own_s3.set_clock_offset(skew)
    storage_error(storage(own_s3.url, "put", "temp/5.txt", "text/plain", data=b"x"),
                  "HTTP 403 RequestTimeTooSkewed")
    own_s3.set_clock_offset(skew * 14 // 16)
    ok(storage(own_s3.url, "put", "temp/5.txt", "text/plain", data=b"x"))


def capture_request(send):
    """Runs send(endpoint) against a listener that records the one request it receives and
    answers 200; returns {"endpoint", "line", "headers": [(name, value)], "body"}."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(10)
    got = {}

    def serve():
        conn, _ = srv.accept()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = [tuple(line.split(": ", 1)) for line in lines[1:]]
            length = int(dict((k.lower(), v) for k, v in headers).get("content-length", "0"))
            while len(body) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                body += chunk
            got.update(line=lines[0], headers=headers, body=body)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    got["endpoint"] = "http://127.0.0.1:%d" % srv.getsockname()[1]
    try:
        send(got["endpoint"])
    finally:
        thread.join(10)
        srv.close()
    return got


def test_body_must_match_its_signed_hash(s3):
    """A PUT signed by the backend, replayed to the stand-in with its own body and with another
    one of the same length: only the first is accepted."""
    got = capture_request(lambda endpoint: ok(storage(endpoint, "put", "temp/6.txt", "text/plain",
                                                      data=b"original body")))
    assert got["line"] == "PUT /%s/temp/6.txt HTTP/1.1" % BUCKET
    headers = dict((k.lower(), v) for k, v in got["headers"])
    assert headers["x-amz-content-sha256"] == hashlib.sha256(b"original body").hexdigest()
    assert headers["content-type"] == "text/plain"

    def replay(body):
        kept = "".join("%s: %s\r\n" % h for h in got["headers"]
                       if h[0].lower() not in ("content-length", "connection"))
        return send_raw(s3, ("%s\r\n%sContent-Length: %d\r\nConnection: close\r\n\r\n"
                             % (got["line"], kept, len(body))).encode() + body)

    with Counted(s3) as c:
        assert replay(b"original body")[0] == 200
        assert replay(b"replaced body")[:2] == (400, "XAmzContentSHA256Mismatch")
    assert c.delta() == {"requests": 2, "verified": 1, "rejected": 1,
                         "codes": ["XAmzContentSHA256Mismatch"]}
    assert ok(storage(s3.url, "get", "temp/6.txt")) == b"original body"


def test_host_header_carries_a_non_default_port():
    got = capture_request(lambda endpoint: ok(storage(endpoint, "remove", "temp/7.txt")))
    assert got["line"] == "DELETE /%s/temp/7.txt HTTP/1.1" % BUCKET
    hosts = [v for k, v in got["headers"] if k.lower() == "host"]
    assert hosts == [got["endpoint"][len("http://"):]]


# --- S3 unreachable -----------------------------------------------------------------------------

def test_closed_port_fails_quickly():
    started = time.monotonic()
    storage_error(storage("http://127.0.0.1:%d" % free_port(), "put", "temp/7.txt", "text/plain",
                          data=b"x"), "PUT temp/7.txt: ")
    assert time.monotonic() - started < 3


def test_silent_server_fails_after_the_client_timeout():
    with socket.socket() as silent:  # accepts connections (backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        endpoint = "http://127.0.0.1:%d" % silent.getsockname()[1]
        started = time.monotonic()
        storage_error(storage(endpoint, "exists", "temp/8.txt", HTTP_CLIENT_TIMEOUT_MS="400"),
                      "HEAD temp/8.txt: timeout")
        elapsed = time.monotonic() - started
    assert 0.4 <= elapsed < 3, elapsed


# --- The stand-in agrees with AWS's own examples ------------------------------------------------

def test_standin_accepts_the_s3_documentation_examples_and_nothing_else():
    """The S3 API Reference's signed examples (shared/vectors/sigv4_cases.json) pass the
    stand-in's verifier, with its clock set to their date; the same requests with one byte of
    the signature changed do not. This checks the verifier against AWS, not against our signer."""
    path = os.path.join(NT_ROOT, "..", "shared", "vectors", "sigv4_cases.json")
    with open(path) as f:
        doc = json.load(f)["s3_doc_examples"]
    with start_s3_standin(doc["access_key_id"], doc["secret_access_key"], doc["region"],
                          [doc["bucket"]]) as s3:
        s3.set_clock_offset(1369353600 + 30 - time.time())  # 2013-05-24T00:00:30Z
        expected = {"s3_get_object_range": 404, "s3_put_object": 200,
                    "s3_get_bucket_lifecycle": 501, "s3_list_objects": 501}
        with Counted(s3) as c:
            for ex in doc["examples"]:
                if ex["name"] == "s3_presigned_get":
                    target = ex["expected_url"].split(".amazonaws.com", 1)[1]
                    wire = ("GET %s HTTP/1.1\r\nHost: examplebucket.s3.amazonaws.com\r\n"
                            "Connection: close\r\n\r\n" % target).encode()
                    sig = ex["expected_signature"]
                    assert send_raw(s3, wire)[0] == 404  # verified; test.txt was never stored
                    bad = wire.replace(sig.encode(), (sig[:-1] + "0").encode())
                    assert send_raw(s3, bad)[:2] == (403, "SignatureDoesNotMatch")
                    continue
                head, _, body = ex["request"].partition("\n\n")
                lines = head.split("\n")
                method, target, _ = lines[0].split(" ")
                target = target if target.startswith("/") else "/" + target
                headers = lines[1:] + ["Authorization: " + ex["authorization"],
                                       "Content-Length: %d" % len(body), "Connection: close"]
                wire = ("%s %s HTTP/1.1\r\n%s\r\n\r\n%s" % (
                    method, target, "\r\n".join(h for h in headers if h), body)).encode()
                assert send_raw(s3, wire)[0] == expected[ex["name"]], ex["name"]
                sig = ex["expected_signature"]
                bad = wire.replace(sig.encode(), (sig[:-1] + "0").encode())
                assert send_raw(s3, bad)[:2] == (403, "SignatureDoesNotMatch"), ex["name"]
        d = c.delta()
        assert (d["requests"], d["verified"], d["rejected"]) == (10, 5, 5)


def send_raw(standin, wire):
    """Sends bytes as they are; returns (status, S3 error code or "", body)."""
    port = urlsplit(standin.url).port
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(wire)
        data = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, xml_code(body) if b"<Code>" in body else "", body
