"""The FCM HTTP v1 client (common/fcm_client.cpp) against the FCM stand-in, which verifies every
RS256 JWT assertion with its own RSA code and checks every messages:send request
(standins/fcm_standin.py). The client is driven through tests/fcm/fcm_client_check, so no REST
stack is needed: NT_FCM_CHECK names the program, else NT_BUILD_DIR's (scripts/test passes its
ASan build), else the newest of the usual build folders. Every stand-in is started here, one
per test, with a throwaway service account made by the openssl tool.
"""
import base64
import json
import os
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import pytest

from standins import built_program, start_fcm_standin
from standins.fcm_keys import GOOGLE_TOKEN_URI, make_rsa_key, make_service_account

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"


PROGRAM = built_program(os.path.join("tests", "fcm", "fcm_client_check"), "NT_FCM_CHECK")


@pytest.fixture
def account(tmp_path):
    return make_service_account(str(tmp_path), project="nerutalk-fcm-test")


@pytest.fixture
def fcm(account):
    with start_fcm_standin(account.public_key_path, account.client_email, account.project,
                           audience=GOOGLE_TOKEN_URI, key_id=account.key_id) as standin:
        yield standin


def run_check(standin, account, *args, timeout=60, **settings):
    """Runs fcm_client_check ARGS with the client pointed at `standin`; returns the process.
    Settings override the FCM_* environment (None removes one)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FCM_")}
    env.update(FCM_SERVICE_ACCOUNT_FILE=account.path, FCM_BASE_URL=standin.url,
               FCM_OAUTH_URL=standin.token_url, HTTP_CLIENT_TIMEOUT_MS="5000")
    for k, v in settings.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return subprocess.run([PROGRAM, *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def send(standin, account, *args, **settings):
    """The printed results, one dict per device token."""
    proc = run_check(standin, account, *args, **settings)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def device(prefix="device"):
    return "%s-%s" % (prefix, uuid.uuid4().hex)


def test_a_send_is_one_verified_token_exchange_and_one_request_with_the_seed_body(fcm, account):
    token = device()
    [result] = send(fcm, account, "--title", "Alice", "--body", "hi there",
                    "--data", "type=message", "--data", "chat_id=123", token)
    assert result["outcome"] == "sent", result
    assert result["is_sent"] is True and result["deactivate_token"] is False
    assert result["error_message"] == ""
    assert result["fcm_message_id"].startswith("projects/nerutalk-fcm-test/messages/0:")

    [grant] = fcm.requests("token")
    assert grant["status"] == 200 and grant["verified"] is True
    assert grant["jwt_header"] == {"alg": "RS256", "typ": "JWT", "kid": account.key_id}
    claims = grant["jwt_claims"]
    assert set(claims) == {"iss", "scope", "aud", "iat", "exp"}
    assert claims["iss"] == account.client_email
    assert claims["aud"] == GOOGLE_TOKEN_URI  # the file's token_uri, though the POST went here
    assert claims["scope"] == SCOPE
    assert claims["exp"] - claims["iat"] == 3600

    [request] = fcm.requests("send")
    assert request["status"] == 200
    assert request["path"] == "/v1/projects/nerutalk-fcm-test/messages:send"
    assert request["bearer"] == grant["access_token"]
    assert request["content_type"].startswith("application/json")
    assert request["response"]["name"] == result["fcm_message_id"]
    assert request["body"] == {"message": {
        "token": token,
        "notification": {"title": "Alice", "body": "hi there"},
        "data": {"chat_id": "123", "type": "message"},
        "android": {"priority": "HIGH",
                    "notification": {"click_action": "FLUTTER_NOTIFICATION_CLICK",
                                     "sound": "default"}},
        "apns": {"headers": {"apns-priority": "10"}, "payload": {"aps": {"sound": "default"}}},
    }}


def test_normal_priority_is_normal_on_android_and_5_on_apns(fcm, account):
    [result] = send(fcm, account, "--normal", device())
    assert result["is_sent"] is True, result
    [request] = fcm.requests("send")
    assert request["body"]["message"]["android"]["priority"] == "NORMAL"
    assert request["body"]["message"]["apns"]["headers"] == {"apns-priority": "5"}


def test_one_access_token_serves_several_sends(fcm, account):
    tokens = [device() for _ in range(4)]
    results = send(fcm, account, *tokens)
    assert [r["is_sent"] for r in results] == [True] * 4
    assert len({r["fcm_message_id"] for r in results}) == 4
    stats = fcm.stats()
    assert stats["token_requests"] == 1 and stats["tokens_issued"] == 1
    sends = fcm.requests("send")
    assert [s["device_token"] for s in sends] == tokens
    assert len({s["bearer"] for s in sends}) == 1


def test_503_then_200_is_retried_once_after_retry_after(fcm, account):
    [result] = send(fcm, account, device("flaky"))
    assert result["outcome"] == "sent", result
    assert result["attempts"] == 2
    first, second = fcm.requests("send")
    assert (first["status"], second["status"]) == (503, 200)
    assert second["time"] - first["time"] >= 1.0  # Retry-After: 1
    assert fcm.stats()["token_requests"] == 1


def test_rate_limit_is_retryable_and_stops_at_max_attempts(fcm, account):
    [result] = send(fcm, account, "--attempts", "2", device("ratelimit"))
    assert result["outcome"] == "retryable", result
    assert result["is_sent"] is False and result["deactivate_token"] is False
    assert result["attempts"] == 2
    assert result["retry_after_ms"] == 1000
    assert result["error_code"] == "QUOTA_EXCEEDED"
    first, second = fcm.requests("send")
    assert (first["status"], second["status"]) == (429, 429)
    assert second["time"] - first["time"] >= 1.0


def test_server_errors_back_off_up_to_fcm_max_attempts(fcm, account):
    [result] = send(fcm, account, device("broken"), FCM_MAX_ATTEMPTS="3",
                    FCM_RETRY_BASE_MS="200")
    assert result["outcome"] == "retryable" and result["attempts"] == 3, result
    times = [r["time"] for r in fcm.requests("send")]
    assert len(times) == 3
    assert times[1] - times[0] >= 0.1  # at least half of the 200 ms first backoff
    assert times[2] - times[1] >= 0.2  # at least half of the doubled 400 ms


def test_unregistered_token_is_reported_for_deactivation(fcm, account):
    [result] = send(fcm, account, device("unregistered"))
    assert result["outcome"] == "token_invalid", result
    assert result["deactivate_token"] is True and result["is_sent"] is False
    assert result["attempts"] == 1
    assert result["http_status"] == 404
    assert "UNREGISTERED" in result["error_message"]
    assert len(fcm.requests("send")) == 1  # never retried


def test_invalid_and_foreign_tokens_are_deactivated_apns_auth_errors_are_not(fcm, account):
    results = send(fcm, account, device("invalid"), device("mismatch"), device("apnsauth"))
    assert [(r["outcome"], r["deactivate_token"]) for r in results] == [
        ("token_invalid", True), ("token_invalid", True), ("failed", False)]
    assert [r["error_code"] for r in results] == [
        "INVALID_ARGUMENT", "SENDER_ID_MISMATCH", "THIRD_PARTY_AUTH_ERROR"]
    assert len(fcm.requests("send")) == 3


def test_a_rejected_access_token_is_replaced_once(fcm, account):
    [result] = send(fcm, account, "--once", device("reauth"))
    assert result["is_sent"] is True, result
    grants = fcm.requests("token")
    sends = fcm.requests("send")
    assert [g["status"] for g in grants] == [200, 200]
    assert [s["status"] for s in sends] == [401, 200]
    assert sends[0]["bearer"] == grants[0]["access_token"]
    assert sends[1]["bearer"] == grants[1]["access_token"]


def test_the_refreshed_token_serves_later_sends(fcm, account):
    results = send(fcm, account, "--once", device("reauth"), device())
    assert [r["is_sent"] for r in results] == [True, True]
    assert fcm.stats()["tokens_issued"] == 2  # the refreshed token serves the second send


def test_a_key_that_does_not_match_fails_the_oauth_exchange_clearly(tmp_path):
    account = make_service_account(str(tmp_path), project="nerutalk-fcm-test")
    _, other_public = make_rsa_key(str(tmp_path), "other")
    with start_fcm_standin(other_public, account.client_email, account.project,
                           key_id=account.key_id) as fcm:
        [result] = send(fcm, account, device())
        assert result["outcome"] == "failed", result
        assert result["is_sent"] is False and result["deactivate_token"] is False
        assert result["attempts"] == 1  # a refused grant is not retried
        assert result["error_message"] == (
            "OAuth token request to %s failed: HTTP 400 invalid_grant: Invalid JWT Signature."
            % fcm.token_url)
        stats = fcm.stats()
        assert stats["token_rejections"] == ["Invalid JWT Signature."]
        assert stats["sends"] == 0


def test_project_id_setting_overrides_the_file(tmp_path):
    account = make_service_account(str(tmp_path), project="file-project")
    with start_fcm_standin(account.public_key_path, account.client_email, "env-project",
                           key_id=account.key_id) as fcm:
        [result] = send(fcm, account, device(), FCM_PROJECT_ID="env-project")
        assert result["is_sent"] is True, result
        assert fcm.requests("send")[0]["path"] == "/v1/projects/env-project/messages:send"


def test_settings_errors_stop_the_program_with_a_message(fcm, account, tmp_path):
    proc = run_check(fcm, account, device(), FCM_SERVICE_ACCOUNT_FILE="/nonexistent/sa.json")
    assert proc.returncode == 2
    assert "FCM_SERVICE_ACCOUNT_FILE /nonexistent/sa.json: cannot read" in proc.stderr
    broken = tmp_path / "broken.json"
    doc = json.load(open(account.path))
    doc["private_key"] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    del doc["client_email"]
    broken.write_text(json.dumps(doc))
    proc = run_check(fcm, account, device(), FCM_SERVICE_ACCOUNT_FILE=str(broken))
    assert proc.returncode == 2
    assert 'missing "client_email"' in proc.stderr
    doc.update(client_email=account.client_email, private_key="not a key")
    broken.write_text(json.dumps(doc))
    proc = run_check(fcm, account, device(), FCM_SERVICE_ACCOUNT_FILE=str(broken))
    assert proc.returncode == 2
    assert "private_key does not load: not a PEM private key" in proc.stderr
    proc = run_check(fcm, account, device(), FCM_SERVICE_ACCOUNT_FILE=None)
    assert proc.returncode == 2
    assert "push is not configured" in proc.stderr
    assert fcm.stats()["token_requests"] == 0


# --- the stand-in itself refuses what FCM refuses (so the checks above mean something) -------

def standin_token(fcm, account):
    """An access token from the stand-in for a JWT signed here with the openssl tool."""
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    now = int(time.time())
    header = b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": account.key_id}).encode())
    claims = b64(json.dumps({"iss": account.client_email, "scope": SCOPE, "aud": GOOGLE_TOKEN_URI,
                             "iat": now, "exp": now + 3600}).encode())
    signing_input = (header + "." + claims).encode()
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", account.private_key_path],
                         input=signing_input, capture_output=True, check=True).stdout
    form = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + \
        header + "." + claims + "." + b64(sig)
    req = urllib.request.Request(fcm.token_url, data=form.encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())["access_token"]


def post_send(fcm, token, body, project="nerutalk-fcm-test"):
    req = urllib.request.Request(
        "%s/v1/projects/%s/messages:send" % (fcm.url, project), data=json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_standin_refuses_non_string_data_wrong_projects_and_unknown_tokens(fcm, account):
    token = standin_token(fcm, account)
    good = {"message": {"token": device(), "notification": {"title": "t", "body": "b"},
                        "data": {"n": "12"}}}
    assert post_send(fcm, token, good)[0] == 200
    status, body = post_send(fcm, token, {"message": dict(good["message"], data={"n": 12})})
    assert status == 400
    assert body["error"]["message"] == "Invalid value at 'message.data[0].value' (TYPE_STRING), 12"
    assert body["error"]["details"][0]["fieldViolations"][0]["field"] == "message.data[0].value"
    assert post_send(fcm, token, {"message": {"notification": {"title": "t"}}})[0] == 400
    assert post_send(fcm, token, good, project="someone-else")[0] == 403
    assert post_send(fcm, "ya29.forged", good)[0] == 401
    fcm.revoke_tokens()
    assert post_send(fcm, token, good)[0] == 401
