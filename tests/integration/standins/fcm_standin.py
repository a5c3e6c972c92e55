#!/usr/bin/python3
"""A loopback stand-in for Google's OAuth2 token endpoint and FCM HTTP v1 (stdlib only).

Written from vectors/fcm.md; it shares no code with the C++ client it checks. Its RS256
verification is its own: the RSA public key is read from the PEM's DER by hand and the
signature checked with Python integers (s^e mod n, then the exact EMSA-PKCS1-v1_5 encoding of
the SHA-256 DigestInfo).

POST /token    form grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=JWT.
               The JWT must have header alg RS256 (typ JWT, kid = --key-id when given), verify
               under --public-key, and carry iss = --client-email, aud = --audience, a scope
               holding firebase.messaging or cloud-platform, iat within 5 minutes of now and
               0 < exp - iat <= 3600. Otherwise 400 {"error": "invalid_grant" | "invalid_scope" |
               "unsupported_grant_type", "error_description": ...} as Google answers.
               Success: {"access_token": "ya29.standin-N-...", "expires_in": --token-lifetime,
               "token_type": "Bearer"}.

POST /v1/projects/{project}/messages:send
               Needs "Authorization: Bearer <a token issued here, not revoked or expired>"
               (else 401 UNAUTHENTICATED), the project --project (else 403 PERMISSION_DENIED),
               a JSON body {"message": {...}} with message.token (the only target NeruTalk
               uses), notification {title, body, image} of strings, data a map of strings (a
               non-string value gives FCM's 400 "Invalid value at 'message.data[i].value'"
               with a BadRequest field violation), no reserved data keys, android.priority
               NORMAL or HIGH, apns.headers of strings with apns-priority 5 or 10.
               Success: 200 {"name": "projects/{project}/messages/0:N"}.

Scripted device tokens (by prefix), after the checks above:
  unregistered-*   404 NOT_FOUND with FcmError UNREGISTERED
  invalid-*        400 INVALID_ARGUMENT "not a valid FCM registration token"
  mismatch-*       403 PERMISSION_DENIED with FcmError SENDER_ID_MISMATCH
  flaky-*          the first request 503 UNAVAILABLE with Retry-After: 1, then 200
  ratelimit-*      always 429 QUOTA_EXCEEDED with Retry-After: 1
  broken-*         always 500 INTERNAL (no Retry-After)
  reauth-*         the first request revokes the access token it carries and answers 401
                   UNAUTHENTICATED (as for an access token that expired early), then 200
  apnsauth-*       401 with FcmError THIRD_PARTY_AUTH_ERROR
  slow-*           200 after SLOW_SECONDS (a queue that takes a while to drain)

Control paths (unsigned, loopback only):
  GET  /_standin/requests       every request: {"kind": "token" | "send" | "other", "time",
                                "path", "status", ...}; token requests add "jwt_header",
                                "jwt_claims", "verified", "error"; sends add "bearer",
                                "content_type", "body", "device_token", "response"
  GET  /_standin/stats          {"token_requests", "tokens_issued", "token_rejections":
                                [error_description...], "sends", "send_statuses": {"200": n}}
  POST /_standin/revoke-tokens  every access token issued so far stops working

  fcm_standin.py --port PORT --public-key PEM --client-email EMAIL --project ID
                 [--audience URL] [--key-id KID] [--token-lifetime SECONDS]
"""
import argparse
import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from urllib.parse import parse_qs, urlsplit

import standin_http

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SCOPES_FOR_FCM = ("https://www.googleapis.com/auth/firebase.messaging",
                  "https://www.googleapis.com/auth/cloud-platform")
RSA_ENCRYPTION_OID = bytes.fromhex("2a864886f70d010101")  # 1.2.840.113549.1.1.1
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
CLOCK_SKEW = 300
SLOW_SECONDS = 0.02
MESSAGE_FIELDS = {"name", "token", "notification", "data", "android", "apns", "webpush",
                  "fcm_options"}
SEND_PATH = re.compile(r"^/v1/projects/([^/]+)/messages:send$")

_lock = threading.Lock()
_requests = []
_tokens = {}           # access token -> expiry (epoch seconds); revoked ones are removed
_seen_devices = {}     # device token -> number of send requests seen
_counter = [0]


# --- RSA public key and RS256 verification, from the standards -------------------------------

def der_read(data, pos):
    """(tag, value, next position) of the DER element at `pos`."""
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        n = length & 0x7F
        if n == 0 or n > 4:
            raise ValueError("unsupported DER length")
        length = int.from_bytes(data[pos:pos + n], "big")
        pos += n
    if pos + length > len(data):
        raise ValueError("truncated DER")
    return tag, data[pos:pos + length], pos + length


def rsa_public_key(pem_text):
    """(n, e) of a "BEGIN PUBLIC KEY" PEM (SubjectPublicKeyInfo, RFC 5280 / RFC 8017)."""
    body = "".join(line for line in pem_text.strip().splitlines() if not line.startswith("-----"))
    spki = base64.b64decode(body)
    tag, seq, _ = der_read(spki, 0)
    if tag != 0x30:
        raise ValueError("not a SubjectPublicKeyInfo")
    tag, algorithm, pos = der_read(seq, 0)
    _, oid, _ = der_read(algorithm, 0)
    if tag != 0x30 or oid != RSA_ENCRYPTION_OID:
        raise ValueError("not an RSA public key")
    tag, bits, _ = der_read(seq, pos)
    if tag != 0x03 or bits[0] != 0:
        raise ValueError("bad BIT STRING")
    tag, rsa_key, _ = der_read(bits[1:], 0)
    _, n, pos = der_read(rsa_key, 0)
    _, e, _ = der_read(rsa_key, pos)
    return int.from_bytes(n, "big"), int.from_bytes(e, "big")


def rs256_valid(n, e, signing_input, signature):
    """RSASSA-PKCS1-v1_5 verification with SHA-256 (RFC 8017 §8.2.2)."""
    k = (n.bit_length() + 7) // 8
    if len(signature) != k:
        return False
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    em = pow(s, e, n).to_bytes(k, "big")
    t = SHA256_DIGEST_INFO + hashlib.sha256(signing_input).digest()
    if k < len(t) + 11:
        return False
    expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return hmac.compare_digest(em, expected)


def b64url_decode(text):
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- helpers ---------------------------------------------------------------------------------

def record(entry):
    with _lock:
        entry["time"] = time.time()
        _requests.append(entry)
        del _requests[:-5000]


def rpc_error(code, status, message, details=()):
    return {"error": {"code": code, "message": message, "status": status, "details": list(details)}}


def fcm_error(code):
    return {"@type": FCM_ERROR, "errorCode": code}


def invalid(message, field=None):
    details = [{"@type": BAD_REQUEST, "fieldViolations": [{"field": field, "description": message}]}] \
        if field else []
    return 400, rpc_error(400, "INVALID_ARGUMENT", message, details), ()


def check_message(msg):
    """(status, body, headers) of FCM's 400 for a malformed message, or None when it is fine."""
    if not isinstance(msg, dict):
        return invalid("Invalid value at 'message'", "message")
    unknown = sorted(set(msg) - MESSAGE_FIELDS)
    if unknown:
        return invalid("Invalid JSON payload received. Unknown name \"%s\" at 'message': "
                       "Cannot find field." % unknown[0], "message")
    targets = [t for t in ("token", "topic", "condition") if t in msg]
    if targets != ["token"] or not isinstance(msg["token"], str) or not msg["token"]:
        return invalid("Recipient of the message is not set.", "message.token")
    note = msg.get("notification", {})
    if not isinstance(note, dict) or set(note) - {"title", "body", "image"}:
        return invalid("Invalid value at 'message.notification'", "message.notification")
    for key, value in note.items():
        if not isinstance(value, str):
            return invalid("Invalid value at 'message.notification.%s' (TYPE_STRING), %s"
                           % (key, json.dumps(value)), "message.notification.%s" % key)
    data = msg.get("data", {})
    if not isinstance(data, dict):
        return invalid("Invalid value at 'message.data'", "message.data")
    for i, (key, value) in enumerate(data.items()):
        if not isinstance(value, str):
            return invalid("Invalid value at 'message.data[%d].value' (TYPE_STRING), %s"
                           % (i, json.dumps(value)), "message.data[%d].value" % i)
        if key in ("from", "gcm", "message_type") or key.startswith(("google.", "gcm.")):
            return invalid("Invalid data payload key: %s" % key, "message.data[%d].key" % i)
    android = msg.get("android", {})
    if not isinstance(android, dict) or android.get("priority", "NORMAL") not in ("NORMAL", "HIGH"):
        return invalid("Invalid value at 'message.android.priority'", "message.android.priority")
    apns = msg.get("apns", {})
    headers = apns.get("headers", {}) if isinstance(apns, dict) else None
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        return invalid("Invalid value at 'message.apns.headers'", "message.apns.headers")
    if headers.get("apns-priority", "10") not in ("5", "10"):
        return invalid("Invalid APNs priority", "message.apns.headers")
    return None


class Handler(standin_http.Handler):
    server_version = "fcm-standin"
    json_type = "application/json; charset=UTF-8"

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        path = urlsplit(self.path).path
        with _lock:
            if path == "/_standin/requests":
                return self.send(200, list(_requests))
            if path == "/_standin/stats":
                tokens = [r for r in _requests if r["kind"] == "token"]
                sends = [r for r in _requests if r["kind"] == "send"]
                statuses = {}
                for r in sends:
                    statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
                return self.send(200, {
                    "token_requests": len(tokens),
                    "tokens_issued": sum(1 for r in tokens if r["status"] == 200),
                    "token_rejections": [r["error"] for r in tokens if r["status"] != 200],
                    "sends": len(sends), "send_statuses": statuses})
        record({"kind": "other", "path": path, "status": 404})
        self.send(404, rpc_error(404, "NOT_FOUND", "Not Found"))

    def do_POST(self):
        path = urlsplit(self.path).path
        body = self.read_body()
        if path == "/_standin/revoke-tokens":
            with _lock:
                _tokens.clear()
            return self.send(200, {"revoked": True})
        if path == "/token":
            entry = {"kind": "token", "path": path}
            status, answer = self.token(body, entry)
        elif SEND_PATH.match(path):
            entry = {"kind": "send", "path": path}
            status, answer, headers = self.message(SEND_PATH.match(path).group(1), body, entry)
            entry["response"] = answer
            record(dict(entry, status=status))
            return self.send(status, answer, headers)
        else:
            entry = {"kind": "other", "path": path}
            status, answer = 404, rpc_error(404, "NOT_FOUND", "Not Found")
        record(dict(entry, status=status))
        self.send(status, answer)

    # --- the OAuth2 token endpoint -------------------------------------------------------

    def token(self, body, entry):
        """(status, answer) of the token endpoint; fills `entry` for the record."""
        def refuse(error, description):
            entry["error"] = description
            return 400, {"error": error, "error_description": description}

        entry.update(jwt_header=None, jwt_claims=None, verified=False, error="")
        ctype = self.headers.get("Content-Type", "")
        if not ctype.startswith("application/x-www-form-urlencoded"):
            return refuse("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        form = parse_qs(body.decode("ascii", "replace"), keep_blank_values=True)
        if form.get("grant_type") != [GRANT_TYPE]:
            return refuse("unsupported_grant_type", "Invalid grant_type: %s" % form.get("grant_type"))
        assertion = form.get("assertion", [""])
        parts = assertion[0].split(".") if len(assertion) == 1 else []
        if len(parts) != 3:
            return refuse("invalid_request", "Missing or malformed assertion")
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            signature = b64url_decode(parts[2])
        except ValueError:
            return refuse("invalid_grant", "Invalid JWT: not base64url JSON")
        entry.update(jwt_header=header, jwt_claims=claims)
        srv = self.server
        if not isinstance(header, dict) or header.get("alg") != "RS256" or \
                header.get("typ", "JWT") != "JWT":
            return refuse("invalid_grant", "Invalid JWT header: alg must be RS256")
        if srv.key_id and header.get("kid") != srv.key_id:
            return refuse("invalid_grant", "Invalid JWT header: unknown kid")
        signing_input = (parts[0] + "." + parts[1]).encode("ascii")
        if not rs256_valid(srv.n, srv.e, signing_input, signature):
            return refuse("invalid_grant", "Invalid JWT Signature.")
        entry["verified"] = True
        if not isinstance(claims, dict) or claims.get("iss") != srv.client_email:
            return refuse("invalid_grant", "Invalid email or User ID")
        if claims.get("aud") != srv.audience:
            return refuse("invalid_grant", "Invalid JWT: Failed audience check.")
        scopes = str(claims.get("scope", "")).split(" ")
        if not any(s in scopes for s in SCOPES_FOR_FCM):
            return refuse("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        iat, exp, now = claims.get("iat"), claims.get("exp"), time.time()
        if not isinstance(iat, int) or not isinstance(exp, int) or abs(iat - now) > CLOCK_SKEW \
                or not 0 < exp - iat <= 3600:
            return refuse("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 "
                          "minutes) and in a reasonable timeframe. Check your iat and exp values "
                          "in the JWT claim.")
        with _lock:
            _counter[0] += 1
            token = "ya29.standin-%d-%s" % (_counter[0], secrets.token_urlsafe(16))
            _tokens[token] = now + srv.token_lifetime
        entry["access_token"] = token
        return 200, {"access_token": token, "expires_in": srv.token_lifetime,
                     "token_type": "Bearer"}

    # --- messages:send --------------------------------------------------------------------

    def message(self, project, body, entry):
        """(status, answer, headers) of messages:send; fills `entry` for the record."""
        auth = self.headers.get("Authorization", "")
        bearer = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        entry.update(bearer=bearer, content_type=self.headers.get("Content-Type", ""),
                     body=None, device_token=None)
        try:
            doc = json.loads(body)
            entry["body"] = doc
        except ValueError:
            entry["body"] = body.decode("utf-8", "replace")
            doc = None
        with _lock:
            expiry = _tokens.get(bearer)
        if expiry is None or expiry < time.time():
            return 401, rpc_error(401, "UNAUTHENTICATED", "Request had invalid authentication "
                                  "credentials. Expected OAuth 2 access token."), ()
        if project != self.server.project:
            return 403, rpc_error(403, "PERMISSION_DENIED", "Permission "
                                  "'cloudmessaging.messages.create' denied on resource "
                                  "'//cloudresourcemanager.googleapis.com/projects/%s'" % project), ()
        if not entry["content_type"].startswith("application/json"):
            return 400, rpc_error(400, "INVALID_ARGUMENT", "Content-Type must be JSON"), ()
        if not isinstance(doc, dict) or set(doc) - {"message", "validate_only"} or "message" not in doc:
            return invalid("Invalid JSON payload received.", "message")
        problem = check_message(doc["message"])
        if problem:
            return problem
        device = doc["message"]["token"]
        entry["device_token"] = device
        with _lock:
            seen = _seen_devices.get(device, 0)
            _seen_devices[device] = seen + 1
            _counter[0] += 1
            message_id = "0:%d%%standin" % _counter[0]
            if device.startswith("reauth-") and seen == 0:
                _tokens.pop(bearer, None)
        if device.startswith("unregistered-"):
            return 404, rpc_error(404, "NOT_FOUND", "Requested entity was not found.",
                                  [fcm_error("UNREGISTERED")]), ()
        if device.startswith("invalid-"):
            return 400, rpc_error(400, "INVALID_ARGUMENT", "The registration token is not a "
                                  "valid FCM registration token", [fcm_error("INVALID_ARGUMENT")]), ()
        if device.startswith("mismatch-"):
            return 403, rpc_error(403, "PERMISSION_DENIED", "SenderId mismatch",
                                  [fcm_error("SENDER_ID_MISMATCH")]), ()
        if device.startswith("flaky-") and seen == 0:
            return 503, rpc_error(503, "UNAVAILABLE", "The service is currently unavailable.",
                                  [fcm_error("UNAVAILABLE")]), (("Retry-After", "1"),)
        if device.startswith("ratelimit-"):
            return 429, rpc_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric "
                                  "'Send requests'", [fcm_error("QUOTA_EXCEEDED")]), \
                (("Retry-After", "1"),)
        if device.startswith("broken-"):
            return 500, rpc_error(500, "INTERNAL", "Internal error encountered.",
                                  [fcm_error("INTERNAL")]), ()
        if device.startswith("reauth-") and seen == 0:
            return 401, rpc_error(401, "UNAUTHENTICATED", "Request had invalid authentication "
                                  "credentials. Expected OAuth 2 access token."), ()
        if device.startswith("slow-"):
            time.sleep(SLOW_SECONDS)
        if device.startswith("apnsauth-"):
            return 401, rpc_error(401, "UNAUTHENTICATED", "Auth error from APNS or Web Push "
                                  "Service", [fcm_error("THIRD_PARTY_AUTH_ERROR")]), ()
        return 200, {"name": "projects/%s/messages/%s" % (project, message_id)}, ()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--public-key", required=True, help="PEM file of the service account's key")
    ap.add_argument("--client-email", required=True)
    ap.add_argument("--project", required=True)
    ap.add_argument("--audience", default="https://oauth2.googleapis.com/token")
    ap.add_argument("--key-id", default="")
    ap.add_argument("--token-lifetime", type=int, default=3599)
    args = ap.parse_args()
    with open(args.public_key) as f:
        n, e = rsa_public_key(f.read())
    server = standin_http.Server(("127.0.0.1", args.port), Handler)
    server.n, server.e = n, e
    server.client_email = args.client_email
    server.project = args.project
    server.audience = args.audience
    server.key_id = args.key_id
    server.token_lifetime = args.token_lifetime
    standin_http.serve(server, "fcm stand-in on 127.0.0.1:%d (project %s)"
                       % (args.port, args.project))


if __name__ == "__main__":
    main()
