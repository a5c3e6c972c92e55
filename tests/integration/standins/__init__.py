"""Stand-ins for the external services (stdlib-only HTTP servers in this folder) and how tests
start them: each on a free port of 127.0.0.1, ready when its control path answers, stopped
with SIGTERM. scripts/test starts its own long-lived ones from scripts/lib.sh.

    with start_s3_standin("AKID", "secret", buckets=["b"]) as s3:
        ... s3.url, s3.stats(), s3.set_clock_offset(900) ...
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
