#!/usr/bin/python3
"""A loopback stand-in for GIPHY's /v1/gifs/search and /v1/gifs/trending (stdlib only).

It answers with GIPHY's JSON shapes (vectors/gifs.md): the {data, pagination, meta} envelope,
GIF objects whose `images` map rendition names to objects, numbers sent as strings for some
items and as numbers for others, some items without a usable rendition. It checks what GIPHY
checks, and what NeruTalk promises to send:

  api_key   must equal --api-key, else 401 {"data": [], "meta": {"status": 401, ...}}
  q         search only: required and at most 50 characters (GIPHY's documented maximum), else 400
  limit     1..50 (beta keys), else 400
  offset    0..4999 for search, 0..499 for trending, else 400
  rating    required here (GIPHY would default to every rating): one of g, pg, pg-13, r
  lang      search only, optional: one of GIPHY's language codes

Queries that make it misbehave, for the error paths:

  q=slowpoke    answers only after --slow-seconds (beyond the API's HTTP client timeout)
  q=explode     500 with an HTML body
  q=garbled     200 with a body that is not JSON
  q=ratelimit   429 with GIPHY's meta envelope and Retry-After: 7
  q=nothing     200 with no results
  q=huge        200 with a 10 MB body (past the API's response cap)

Every request to /v1/... is recorded; GET /_standin/stats (unsigned, loopback only) returns
{"total": n, "requests": [{"path", "params", "status"}, ...]} so tests can prove caching.

  giphy_standin.py --port PORT --api-key KEY [--slow-seconds 5]
"""
import argparse
import hashlib
import threading
import time
from urllib.parse import parse_qs, urlsplit

import standin_http

MEDIA = "https://media.giphy-standin.test/media"
RATINGS = ("g", "pg", "pg-13", "r")
LANGS = ("en", "es", "pt", "id", "fr", "ar", "tr", "th", "vi", "de", "it", "ja", "zh-CN",
         "zh-TW", "ru", "ko", "pl", "nl", "ro", "hu", "sv", "cs", "hi", "bn", "da", "fa", "tl",
         "fi", "he", "ms", "no", "uk")
SEARCH_TOTAL = 60      # results a search has (per query), so paging ends
TRENDING_TOTAL = 120

_lock = threading.Lock()
_requests = []


def record(path, params, status):
    with _lock:
        _requests.append({"path": path, "params": params, "status": status})
        del _requests[:-5000]


def meta(status, msg):
    return {"status": status, "msg": msg, "response_id": "standin%06d" % len(_requests)}


def error_body(status, msg):
    return {"data": [], "meta": meta(status, msg)}


def gif_object(seed, n, as_strings):
    """Item n of a result list; every 7th has no fixed_width at all, every 5th no mp4, every
    10th neither mp4 nor webp. Dimensions vary so tests can see them come through."""
    gid = hashlib.sha1(("%s/%d" % (seed, n)).encode()).hexdigest()[:14]
    w, h = 200, 100 + (n % 5) * 10
    sw, sh = 100, (100 + (n % 5) * 10) // 2
    num = (lambda v: str(v)) if as_strings else (lambda v: v)
    base = "%s/%s" % (MEDIA, gid)
    fixed_width = {"url": base + "/200w.gif", "width": num(w), "height": num(h),
                   "size": num(30000 + n), "frames": num(12), "hash": gid}
    if n % 5 != 0:
        fixed_width.update({"mp4": base + "/200w.mp4", "mp4_size": num(9000 + n)})
    if n % 10 != 0:
        fixed_width.update({"webp": base + "/200w.webp", "webp_size": num(12000 + n)})
    images = {
        "original": {"url": base + "/giphy.gif", "width": num(480), "height": num(h * 2),
                     "size": num(150000), "mp4": base + "/giphy.mp4", "webp": base + "/giphy.webp",
                     "frames": num(12)},
        "fixed_width_small": {"url": base + "/100w.gif", "width": num(sw), "height": num(sh),
                              "mp4": base + "/100w.mp4", "webp": base + "/100w.webp"},
        "fixed_width_still": {"url": base + "/200w_s.gif", "width": num(w), "height": num(h)},
        "fixed_height": {"url": base + "/200.gif", "width": num(h), "height": num(200),
                         "mp4": base + "/200.mp4", "webp": base + "/200.webp"},
    }
    if n % 7 != 0:
        images["fixed_width"] = fixed_width
    return {"type": "gif", "id": gid, "url": "https://giphy.com/gifs/" + gid,
            "slug": "standin-" + gid, "embed_url": "https://giphy.com/embed/" + gid,
            "username": "", "source": "", "rating": "g",
            "title": "%s #%d" % (seed, n), "alt_text": "", "images": images,
            "analytics_response_payload": "e=" + gid}


def page(seed, total, limit, offset):
    items = [gif_object(seed, n, n % 2 == 0) for n in range(offset, min(total, offset + limit))]
    return {"data": items,
            "pagination": {"total_count": total, "count": len(items), "offset": offset},
            "meta": meta(200, "OK")}


def int_param(params, name, default, lo, hi):
    v = params.get(name, str(default))
    if not v.isdigit() or not lo <= int(v) <= hi:
        return None
    return int(v)


class Handler(standin_http.Handler):
    server_version = "giphy-standin"

    def do_GET(self):
        parts = urlsplit(self.path)
        if parts.path == "/_standin/stats":
            with _lock:
                return self.send(200, {"total": len(_requests), "requests": list(_requests)})
        raw = parse_qs(parts.query, keep_blank_values=True)
        params = {k: v[-1] for k, v in raw.items()}
        status, body, ctype, headers = self.answer(parts.path, params)
        record(parts.path, {k: v for k, v in params.items() if k != "api_key"}, status)
        self.send(status, body, (("Content-Type", ctype),) + headers)

    def answer(self, path, params):
        js = "application/json"
        if path not in ("/v1/gifs/search", "/v1/gifs/trending"):
            return 404, error_body(404, "Not Found"), js, ()
        if params.get("api_key") != self.server.api_key:
            return 401, error_body(401, "Unauthorized"), js, ()
        search = path.endswith("/search")
        q = params.get("q", "")
        if search and not q.strip():
            return 400, error_body(400, "Validation error: q is required"), js, ()
        if search and len(q) > 50:
            return 400, error_body(400, "Validation error: q is longer than 50 characters"), js, ()
        limit = int_param(params, "limit", 25, 1, 50)
        offset = int_param(params, "offset", 0, 0, 4999 if search else 499)
        if limit is None or offset is None:
            return 400, error_body(400, "Validation error: limit or offset"), js, ()
        if params.get("rating") not in RATINGS:
            return 400, error_body(400, "Validation error: rating"), js, ()
        if search and "lang" in params and params["lang"] not in LANGS:
            return 400, error_body(400, "Validation error: lang"), js, ()
        if q == "slowpoke":
            time.sleep(self.server.slow_seconds)
        elif q == "explode":
            return 500, b"<html><body>upstream exploded</body></html>", "text/html", ()
        elif q == "garbled":
            return 200, b'{"data": [{"id": ', js, ()
        elif q == "ratelimit":
            return 429, error_body(429, "API rate limit exceeded"), js, (("Retry-After", "7"),)
        elif q == "huge":
            filler = ",".join(['"%s"' % ("x" * 1000)] * 10000)
            return 200, ('{"data": [], "padding": [%s]}' % filler).encode(), js, ()
        elif q == "nothing":
            return 200, page(q, 0, limit, offset), js, ()
        if search:
            return 200, page(q, SEARCH_TOTAL, limit, offset), js, ()
        return 200, page("trending", TRENDING_TOTAL, limit, offset), js, ()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--api-key", required=True)
    ap.add_argument("--slow-seconds", type=float, default=5.0)
    args = ap.parse_args()
    server = standin_http.Server(("127.0.0.1", args.port), Handler)
    server.api_key = args.api_key
    server.slow_seconds = args.slow_seconds
    standin_http.serve(server, "giphy stand-in on 127.0.0.1:%d" % args.port)


if __name__ == "__main__":
    main()
