"""Stand-ins for the external services (stdlib-only HTTP servers in this folder) and how tests
start them: each on a free port of 127.0.0.1, ready when its control path answers, stopped
with SIGTERM. scripts/test starts its own long-lived ones from scripts/lib.sh; tests reach
those by URL, e.g. FcmStandIn(os.environ["NT_FCM_STANDIN_URL"]).sends_to(device_token).

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
    """A stand-in at `url` (its base URL, no trailing slash), spoken to through its control
    paths (/_standin/...). launch() starts one here, stopped by stop() or at the end of a
    with-block; made from a URL alone it is one that runs already (scripts/test's)."""

    def __init__(self, url, proc=None, log=None):
        self.url, self.proc, self._log = url.rstrip("/"), proc, log

    @classmethod
    def launch(cls, script, args, ready_path="/_standin/stats", timeout=10):
        """Runs standins/`script` on a free port; returns it once `ready_path` answers."""
        port = free_port()
        log = tempfile.TemporaryFile()
        proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, script), "--port", str(port)] + list(args),
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        standin = cls("http://127.0.0.1:%d" % port, proc, log)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(standin.url + ready_path, timeout=1):
                    return standin
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    standin.stop()
                    raise RuntimeError("%s did not start: %s" % (script, standin.output()))
                time.sleep(0.05)

    def get_json(self, path):
        with urllib.request.urlopen(self.url + path, timeout=5) as resp:
            return json.loads(resp.read())

    def control(self, method, path, data=b""):
        req = urllib.request.Request(self.url + path, data=data, method=method)
        with urllib.request.urlopen(req, timeout=5):
            pass

    def output(self):
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
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

    def stats(self):
        """{"requests", "verified", "rejected", "rejections": [{method, path, code, message}]}"""
        return self.get_json("/_standin/stats")

    def set_clock_offset(self, seconds):
        self.control("PUT", "/_standin/clock", str(seconds).encode())


def start_s3_standin(access_key, secret_key, region="us-east-1", buckets=("nerutalk-test",),
                     session_token=None):
    args = ["--access-key", access_key, "--secret-key", secret_key, "--region", region]
    for b in buckets:
        args += ["--bucket", b]
    if session_token:
        args += ["--session-token", session_token]
    return S3StandIn.launch("s3_standin.py", args)


class FcmStandIn(StandIn):
    """fcm_standin.py: Google's token endpoint (verifying every RS256 assertion) and FCM's
    messages:send (checking the bearer token, the project and the body)."""

    def __init__(self, url, proc=None, log=None):
        super().__init__(url, proc, log)
        self.token_url = self.url + "/token"

    def requests(self, kind=None):
        """Recorded requests, oldest first, of one kind ("token", "send") or all."""
        return [r for r in self.get_json("/_standin/requests") if kind is None or r["kind"] == kind]

    def sends_to(self, device_token):
        """The recorded messages:send requests to one device token, oldest first."""
        return [r for r in self.requests("send") if r["device_token"] == device_token]

    def stats(self):
        return self.get_json("/_standin/stats")

    def revoke_tokens(self):
        self.control("POST", "/_standin/revoke-tokens")


def start_fcm_standin(public_key_path, client_email, project,
                      audience="https://oauth2.googleapis.com/token", key_id=""):
    args = ["--public-key", public_key_path, "--client-email", client_email,
            "--project", project, "--audience", audience]
    if key_id:
        args += ["--key-id", key_id]
    return FcmStandIn.launch("fcm_standin.py", args)


class GiphyStandIn(StandIn):
    """giphy_standin.py: GIPHY's search and trending, recording every request."""

    def requests(self, path=None, q=None):
        """What it received (api_key left out), oldest first; only `path` / query `q` if given."""
        return [r for r in self.get_json("/_standin/stats")["requests"]
                if (path is None or r["path"] == path) and (q is None or r["params"].get("q") == q)]
