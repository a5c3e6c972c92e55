"""Stand-ins for the external services (stdlib-only HTTP servers in this folder) and how tests
start them: each on a free port of 127.0.0.1, ready when its control path answers, stopped
with SIGTERM. scripts/test starts its own long-lived ones from scripts/lib.sh.

    with start_s3_standin("AKID", "secret", buckets=["b"]) as s3:
        ... s3.url, s3.stats(), s3.set_clock_offset(900) ...
    with start_fcm_standin(public_key_path, client_email, "project") as fcm:
        ... fcm.url, fcm.requests(), fcm.stats(), fcm.revoke_tokens() ...
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def built_program(rel_path, override_env=None):
    """A test program of the build (e.g. tests/fcm/fcm_client_check, which the stand-ins here
    are talked to through): $override_env when that is set, else under NT_BUILD_DIR (scripts/test
    passes its ASan build), else the newest of the usual build folders. Fails the test module
    when there is none."""
    root = os.environ.get("NT_ROOT", os.path.abspath(os.path.join(HERE, "..", "..", "..")))
    if override_env and os.environ.get(override_env):
        candidates = [os.environ[override_env]]
    elif os.environ.get("NT_BUILD_DIR"):
        candidates = [os.path.join(os.environ["NT_BUILD_DIR"], rel_path)]
    else:
        candidates = [os.path.join(root, d, rel_path) for d in ("build-asan", "build", "build-dev")]
    found = [p for p in candidates if os.access(p, os.X_OK)]
    if not found:
        pytest.fail("%s is not built (looked for %s)" % (os.path.basename(rel_path),
                                                        ", ".join(candidates)))
    return max(found, key=os.path.getmtime)


class StandIn:
    """A stand-in process on 127.0.0.1; `url` is its base URL (no trailing slash)."""

    def __init__(self, script, args, ready_path, timeout=10):
        port = free_port()
        self.url = "http://127.0.0.1:%d" % port
        self._log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, script), "--port", str(port)] + list(args),
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.url + ready_path, timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("%s did not start: %s" % (script, self.output()))
                time.sleep(0.05)

    def get_json(self, path):
        with urllib.request.urlopen(self.url + path, timeout=5) as resp:
            return json.loads(resp.read())

    def output(self):
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class S3StandIn(StandIn):
    """s3_standin.py: an S3-compatible server that verifies every Signature V4."""

    def __init__(self, access_key, secret_key, region, buckets, session_token=None):
        args = ["--access-key", access_key, "--secret-key", secret_key, "--region", region]
        for b in buckets:
            args += ["--bucket", b]
        if session_token:
            args += ["--session-token", session_token]
        super().__init__("s3_standin.py", args, "/_standin/stats")

    def stats(self):
        """{"requests", "verified", "rejected", "rejections": [{method, path, code, message}]}"""
        return self.get_json("/_standin/stats")

    def set_clock_offset(self, seconds):
        req = urllib.request.Request(self.url + "/_standin/clock", data=str(seconds).encode(),
                                     method="PUT")
        with urllib.request.urlopen(req, timeout=5):
            pass


def start_s3_standin(access_key, secret_key, region="us-east-1", buckets=("nerutalk-test",),
                     session_token=None):
    return S3StandIn(access_key, secret_key, region, buckets, session_token)


class FcmStandIn(StandIn):
    """fcm_standin.py: Google's token endpoint (verifying every RS256 assertion) and FCM's
    messages:send (checking the bearer token, the project and the body)."""

    def __init__(self, public_key_path, client_email, project, audience, key_id):
        args = ["--public-key", public_key_path, "--client-email", client_email,
                "--project", project, "--audience", audience]
        if key_id:
            args += ["--key-id", key_id]
        super().__init__("fcm_standin.py", args, "/_standin/stats")
        self.token_url = self.url + "/token"

    def requests(self, kind=None):
        """Recorded requests, oldest first, of one kind ("token", "send") or all."""
        return [r for r in self.get_json("/_standin/requests") if kind is None or r["kind"] == kind]

    def stats(self):
        return self.get_json("/_standin/stats")

    def revoke_tokens(self):
        req = urllib.request.Request(self.url + "/_standin/revoke-tokens", data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=5):
            pass


def start_fcm_standin(public_key_path, client_email, project,
                      audience="https://oauth2.googleapis.com/token", key_id=""):
    return FcmStandIn(public_key_path, client_email, project, audience, key_id)
