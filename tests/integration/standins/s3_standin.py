#!/usr/bin/env python3
"""An S3-compatible stand-in for the tests: path-style buckets ("/{bucket}/{key}", or
virtual-hosted when the Host header starts with "{bucket}."), PUT, GET, HEAD and DELETE of
objects kept in memory, and its own AWS Signature V4 verifier for
header-signed and presigned requests, written from the AWS documentation with hmac/hashlib
only (it shares no code with the C++ signer it checks).

Every request but the control paths must be signed with the configured keys: the credential
scope (access key, date, region, service "s3"), the canonical request, x-amz-date within 15
minutes of the stand-in's clock, x-amz-content-sha256 against the body, the session token, and
for presigned URLs X-Amz-Expires <= 604800 and not expired. Failures get S3's XML errors
(403 SignatureDoesNotMatch, AccessDenied, InvalidAccessKeyId, InvalidToken,
RequestTimeTooSkewed; 400 for malformed requests) and are counted.

Control paths (unsigned, not counted):
  GET /_standin/stats   {"requests": n, "verified": n, "rejected": n, "rejections": [...]}
                        (requests == verified + rejected; the last 50 rejections with reasons)
  PUT /_standin/clock   body: seconds to add to the stand-in's clock (expiry and skew tests)

  s3_standin.py --port P --access-key AK --secret-key SK [--region R] [--bucket B ...]
                [--session-token T] [--host 127.0.0.1]
"""
import argparse
import calendar
import hashlib
import hmac
import re
import threading
import time
from email.utils import formatdate
from urllib.parse import quote, unquote, unquote_to_bytes
from xml.sax.saxutils import escape

import standin_http

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW_SECONDS = 15 * 60
MAX_EXPIRES_SECONDS = 604800
MAX_BODY_BYTES = 64 * 1024 * 1024
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
# Query parameters of a signed GET that override the stored headers, as S3 does.
RESPONSE_OVERRIDES = {"response-content-type": "Content-Type",
                      "response-content-disposition": "Content-Disposition"}
AUTH_HEADER_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([^,\s]+)$")
HEX64_RE = re.compile(r"^[0-9a-f]{64}$")


class S3Error(Exception):
    def __init__(self, status, code, message, **details):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


class State:
    """Objects, counters and the clock, shared by the handler threads under one lock."""

    def __init__(self, args):
        self.access_key, self.secret_key = args.access_key, args.secret_key
        self.region, self.session_token = args.region, args.session_token
        self.lock = threading.Lock()
        self.buckets = {b: {} for b in args.bucket}
        self.clock_offset = 0.0
        self.requests = self.verified = self.rejected = 0
        self.rejections = []

    def now(self):
        with self.lock:
            return time.time() + self.clock_offset


# --- Signature V4, from the AWS documentation ---------------------------------------------------

def uri_encode(data, keep_slash):
    """RFC 3986 encoding of bytes or str: only A-Z a-z 0-9 - . _ ~ stay (and '/' if asked)."""
    return quote(data, safe="/~" if keep_slash else "~")


def canonical_query(pairs):
    encoded = sorted((uri_encode(n, False), uri_encode(v, False)) for n, v in pairs)
    return "&".join("%s=%s" % nv for nv in encoded)


def canonical_header_value(values):
    return ",".join(" ".join(v.split()) for v in values)


def signing_key(secret, date, region, service):
    key = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def parse_amz_date(text):
    try:
        return calendar.timegm(time.strptime(text, "%Y%m%dT%H%M%SZ"))
    except (TypeError, ValueError):
        raise S3Error(403, "AccessDenied", "a valid X-Amz-Date is required")


class SignedRequest:
    """What the verifier needs from one HTTP request."""

    def __init__(self, method, raw_path, query, headers, body):
        self.method, self.raw_path, self.query = method, raw_path, query
        self.headers, self.body = headers, body  # headers: lower-case name -> [values]

    def header(self, name):
        values = self.headers.get(name)
        return values[0] if values else None


def verify(state, req):
    """Raises S3Error unless `req` carries a valid header or query signature."""
    query_names = {n for n, _ in req.query}
    auth = req.header("authorization")
    if auth is not None and "X-Amz-Signature" in query_names:
        raise S3Error(400, "InvalidArgument", "only one auth mechanism allowed")
    if auth is not None:
        return verify_header_signature(state, req, auth)
    if "X-Amz-Signature" in query_names or "X-Amz-Credential" in query_names:
        return verify_presigned(state, req)
    raise S3Error(403, "AccessDenied", "anonymous access is not allowed")


def verify_header_signature(state, req, auth):
    m = AUTH_HEADER_RE.match(auth)
    if not m:
        raise S3Error(400, "AuthorizationHeaderMalformed", "malformed Authorization header")
    credential, signed_headers, signature = m.groups()
    amz_date = req.header("x-amz-date")
    when = parse_amz_date(amz_date)
    check_scope(state, credential, amz_date, "AuthorizationHeaderMalformed")
    if abs(state.now() - when) > MAX_SKEW_SECONDS:
        raise S3Error(403, "RequestTimeTooSkewed",
                      "the difference between the request time and the current time is too large")
    payload_hash = req.header("x-amz-content-sha256")
    if payload_hash is None:
        raise S3Error(400, "InvalidRequest", "missing required header x-amz-content-sha256")
    check_signed_headers(req, signed_headers)
    check_session_token(state, req.header("x-amz-security-token"))
    check_signature(state, req, req.query, signed_headers, payload_hash, amz_date, credential,
                    signature)
    if payload_hash != UNSIGNED_PAYLOAD:
        if not HEX64_RE.match(payload_hash):
            raise S3Error(400, "InvalidArgument", "x-amz-content-sha256 must be a sha256 hex")
        if payload_hash != hashlib.sha256(req.body).hexdigest():
            raise S3Error(400, "XAmzContentSHA256Mismatch",
                          "the provided x-amz-content-sha256 does not match the body")


def verify_presigned(state, req):
    params = {}
    for name, value in req.query:
        if name.startswith("X-Amz-"):
            if name in params:
                raise S3Error(400, "AuthorizationQueryParametersError", "repeated " + name)
            params[name] = value
    for name in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                 "X-Amz-SignedHeaders", "X-Amz-Signature"):
        if name not in params:
            raise S3Error(400, "AuthorizationQueryParametersError", "missing " + name)
    if params["X-Amz-Algorithm"] != ALGORITHM:
        raise S3Error(400, "AuthorizationQueryParametersError", "unsupported X-Amz-Algorithm")
    expires = params["X-Amz-Expires"]
    if not expires.isdigit() or not 1 <= int(expires) <= MAX_EXPIRES_SECONDS:
        raise S3Error(400, "AuthorizationQueryParametersError",
                      "X-Amz-Expires must be between 1 and 604800 seconds")
    amz_date = params["X-Amz-Date"]
    when = parse_amz_date(amz_date)
    check_scope(state, params["X-Amz-Credential"], amz_date, "AuthorizationQueryParametersError")
    now = state.now()
    if now > when + int(expires):
        raise S3Error(403, "AccessDenied", "request has expired")
    if when > now + MAX_SKEW_SECONDS:
        raise S3Error(403, "AccessDenied", "request is not valid yet")
    check_signed_headers(req, params["X-Amz-SignedHeaders"])
    check_session_token(state, params.get("X-Amz-Security-Token"))
    signed_query = [(n, v) for n, v in req.query if n != "X-Amz-Signature"]
    payload_hash = req.header("x-amz-content-sha256") or UNSIGNED_PAYLOAD
    check_signature(state, req, signed_query, params["X-Amz-SignedHeaders"], payload_hash,
                    amz_date, params["X-Amz-Credential"], params["X-Amz-Signature"])


def check_scope(state, credential, amz_date, malformed_code):
    parts = credential.split("/")
    if len(parts) != 5:
        raise S3Error(400, malformed_code, "malformed credential " + credential)
    access_key, date, region, service, terminator = parts
    if access_key != state.access_key:
        raise S3Error(403, "InvalidAccessKeyId", "unknown access key " + access_key)
    if date != amz_date[:8]:
        raise S3Error(403, "SignatureDoesNotMatch", "credential date is not the X-Amz-Date's")
    if region != state.region:
        raise S3Error(400, malformed_code,
                      "the region '%s' is wrong; expecting '%s'" % (region, state.region))
    if service != "s3" or terminator != "aws4_request":
        raise S3Error(400, malformed_code, "the credential scope must end in s3/aws4_request")


def check_signed_headers(req, signed_headers):
    names = signed_headers.split(";")
    if "host" not in names or names != sorted(set(names)) or any(n != n.lower() for n in names):
        raise S3Error(403, "AccessDenied", "SignedHeaders must be sorted, lower-case, with host")
    unsigned = [n for n in req.headers if n.startswith("x-amz-") and n not in names]
    if unsigned:
        raise S3Error(403, "AccessDenied", "headers present but not signed: " + ",".join(unsigned))
    missing = [n for n in names if n not in req.headers]
    if missing:
        raise S3Error(403, "AccessDenied", "signed headers missing: " + ",".join(missing))


def check_session_token(state, token):
    if (token or None) != state.session_token:
        raise S3Error(403, "InvalidToken", "the provided token is malformed or otherwise invalid")


def check_signature(state, req, query, signed_headers, payload_hash, amz_date, credential,
                    signature):
    names = signed_headers.split(";")
    canonical = "\n".join([
        req.method,
        uri_encode(unquote_to_bytes(req.raw_path), True),
        canonical_query(query),
        "".join("%s:%s\n" % (n, canonical_header_value(req.headers[n])) for n in names),
        signed_headers,
        payload_hash,
    ])
    scope = credential.split("/", 1)[1]
    string_to_sign = "\n".join(
        [ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    _, date, region, service, _ = credential.split("/")
    key = signing_key(state.secret_key, date, region, service)
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise S3Error(403, "SignatureDoesNotMatch",
                      "the request signature we calculated does not match the signature you "
                      "provided", CanonicalRequest=canonical, StringToSign=string_to_sign)


# --- HTTP ----------------------------------------------------------------------------------------

def parse_query(raw):
    pairs = []
    for part in raw.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((unquote(name), unquote(value)))
    return pairs


class Handler(standin_http.Handler):
    def version_string(self):
        return "NeruTalkS3StandIn"

    def do_GET(self):
        self.handle_request()

    def do_PUT(self):
        self.handle_request()

    def do_HEAD(self):
        self.handle_request()

    def do_DELETE(self):
        self.handle_request()

    def do_POST(self):
        self.handle_request()

    @property
    def state(self):
        return self.server.state

    def handle_request(self):
        raw_path, _, raw_query = self.path.partition("?")
        try:
            body = self.read_body()
        except S3Error as e:
            self.close_connection = True
            return self.send_error_xml(e)
        if raw_path.startswith("/_standin/"):
            return self.control(raw_path, body)
        headers = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        req = SignedRequest(self.command, raw_path, parse_query(raw_query), headers, body)
        with self.state.lock:
            self.state.requests += 1
        try:
            verify(self.state, req)
        except S3Error as e:
            with self.state.lock:
                self.state.rejected += 1
                self.state.rejections = (self.state.rejections + [{
                    "method": self.command, "path": raw_path, "code": e.code,
                    "message": e.message}])[-50:]
            return self.send_error_xml(e)
        with self.state.lock:
            self.state.verified += 1
        try:
            self.object_operation(req)
        except S3Error as e:
            self.send_error_xml(e)

    def read_body(self):
        if self.headers.get("Transfer-Encoding"):
            raise S3Error(501, "NotImplemented", "Transfer-Encoding is not supported")
        length = self.headers.get("Content-Length")
        if length is None:
            if self.command == "PUT":
                raise S3Error(411, "MissingContentLength", "Content-Length is required")
            return b""
        if not length.isdigit():
            raise S3Error(400, "InvalidArgument", "bad Content-Length")
        if int(length) > MAX_BODY_BYTES:
            raise S3Error(400, "EntityTooLarge", "the stand-in takes at most 64 MiB")
        return self.rfile.read(int(length))

    def control(self, raw_path, body):
        st = self.state
        if raw_path == "/_standin/stats" and self.command == "GET":
            with st.lock:
                stats = {"requests": st.requests, "verified": st.verified,
                         "rejected": st.rejected, "rejections": list(st.rejections)}
            return self.send(200, stats)
        if raw_path == "/_standin/clock" and self.command == "PUT":
            try:
                offset = float(body.decode())
            except ValueError:
                return self.send(400, b"offset in seconds expected\n", {})
            with st.lock:
                st.clock_offset = offset
            return self.send(204, b"", {})
        return self.send(404, b"no such control path\n", {})

    def bucket_and_key(self, req):
        host = (req.header("host") or "").rsplit(":", 1)[0]
        label = host.split(".", 1)[0]
        if "." in host and label in self.state.buckets:
            return label, unquote(req.raw_path[1:])
        bucket, _, key = unquote(req.raw_path[1:]).partition("/")
        return bucket, key

    def object_operation(self, req):
        bucket, key = self.bucket_and_key(req)
        if not bucket or not key:
            raise S3Error(501, "NotImplemented", "the stand-in serves objects only")
        modified = formatdate(self.state.now(), usegmt=True)
        with self.state.lock:
            objects = self.state.buckets.get(bucket)
            if objects is None:
                raise S3Error(404, "NoSuchBucket", "the bucket does not exist", BucketName=bucket)
            obj = objects.get(key)
            if self.command == "PUT":
                obj = {"body": req.body,
                       "type": req.header("content-type") or "binary/octet-stream",
                       "disposition": req.header("content-disposition"),
                       "etag": '"%s"' % hashlib.md5(req.body).hexdigest(),
                       "modified": modified}
                objects[key] = obj
            elif self.command == "DELETE":
                objects.pop(key, None)
        if self.command == "PUT":
            return self.send(200, b"", {"ETag": obj["etag"]})
        if self.command == "DELETE":
            return self.send(204, b"", {})
        if self.command not in ("GET", "HEAD"):
            raise S3Error(405, "MethodNotAllowed", "the method is not allowed on objects")
        if obj is None:
            raise S3Error(404, "NoSuchKey", "the specified key does not exist", Key=key)
        headers = {"Content-Type": obj["type"], "Content-Disposition": obj["disposition"],
                   "ETag": obj["etag"], "Last-Modified": obj["modified"]}
        for name, value in req.query:
            if name in RESPONSE_OVERRIDES:
                headers[RESPONSE_OVERRIDES[name]] = value
        self.send(200, obj["body"], headers)

    def send_error_xml(self, e):
        details = "".join("<%s>%s</%s>" % (k, escape(v), k) for k, v in e.details.items())
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code>'
                "<Message>%s</Message>%s<RequestId>standin</RequestId></Error>"
                % (e.code, escape(e.message), details)).encode()
        self.send(e.status, body, {"Content-Type": "application/xml"})


class Server(standin_http.Server):
    def handle_error(self, request, client_address):  # a client hanging up is not news
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--access-key", required=True)
    ap.add_argument("--secret-key", required=True)
    ap.add_argument("--session-token", default=None)
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--bucket", action="append", default=[], help="create this bucket")
    args = ap.parse_args()

    server = Server((args.host, args.port), Handler)
    server.state = State(args)
    standin_http.serve(server)


if __name__ == "__main__":
    main()
