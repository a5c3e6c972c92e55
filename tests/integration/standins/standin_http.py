"""What the stand-in servers of this folder (s3_standin.py, giphy_standin.py, fcm_standin.py)
share: a quiet HTTP/1.1 handler with one way to answer, and a threaded server that stops
cleanly on SIGTERM (how the tests and scripts/lib.sh stop them). Stdlib only; the stand-ins
are run as scripts, so they import this as a sibling module."""
import json
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    json_type = "application/json"  # Content-Type of JSON answers

    def log_message(self, fmt, *args):  # quiet: the test log stays readable
        pass

    def send(self, status, body, headers=()):
        """One response. `body`: bytes as they are, anything else as JSON (of json_type unless
        `headers` name a Content-Type). `headers`: a dict or (name, value) pairs; None values
        are left out, the others go out as their UTF-8 bytes. HEAD and 204 get no body."""
        headers = list(headers.items() if isinstance(headers, dict) else headers)
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
            if not any(name.lower() == "content-type" for name, _ in headers):
                headers.insert(0, ("Content-Type", self.json_type))
        self.send_response(status)
        for name, value in headers:
            if value is not None:
                self.send_header(name, value.encode("utf-8").decode("latin-1"))
        if status != 204:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status != 204:
            self.wfile.write(body)


class Server(ThreadingHTTPServer):
    daemon_threads = True


def serve(server, banner=None):
    """Runs `server` until SIGTERM or SIGINT, then closes it; `banner` goes to stderr first."""
    def on_term(*_):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    if banner:
        print(banner, file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
