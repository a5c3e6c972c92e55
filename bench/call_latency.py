#!/usr/bin/python3
"""Call initiate -> event latency: time from sending POST /api/v1/video-calls/initiate to the
callee's WebSocket receiving `call_initiated` for that call, through nginx, the API, Redis
pub/sub and the realtime daemon. Pairs of users call each other in turn (each call is then
ended so the caller is free); prints p50/p90/p99/max over all calls. Loopback only.

    call_latency.py BASE_URL [CALLS=300] [PAIRS=20]
"""
import json
import sys
import time
import urllib.request

import websocket  # python3-websocket, as the integration tests use

BASE = sys.argv[1].rstrip("/")
CALLS = int(sys.argv[2]) if len(sys.argv) > 2 else 300
PAIRS = int(sys.argv[3]) if len(sys.argv) > 3 else 20


def post(path, body, token=None):
    req = urllib.request.Request(BASE + "/api/v1/" + path, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def register(name):
    b = post("register", {"username": name, "email": name + "@example.com", "password": "Bench123pass"})
    return b["user"]["id"], b["access_token"]


def main():
    run = "%x" % int(time.time())
    pairs = []
    for i in range(PAIRS):
        caller = register("callbench_a%s_%d" % (run, i))
        callee = register("callbench_b%s_%d" % (run, i))
        ticket = post("ws-ticket", {}, callee[1])["ticket"]
        ws = websocket.create_connection(BASE.replace("http", "ws", 1) + "/ws?ticket=" + ticket,
                                         timeout=10, suppress_origin=True)
        assert json.loads(ws.recv())["type"] == "connected"
        pairs.append((caller, callee, ws))
    samples = []
    for n in range(CALLS):
        caller, callee, ws = pairs[n % PAIRS]
        t0 = time.perf_counter()
        call = post("video-calls/initiate", {"callee_ids": [callee[0]]}, caller[1])["call"]
        while True:
            frame = json.loads(ws.recv())
            if frame["type"] == "call_initiated" and frame["data"]["call"]["id"] == call["id"]:
                samples.append((time.perf_counter() - t0) * 1000)
                break
        post("video-calls/%d/end" % call["id"], {}, caller[1])
    for _, _, ws in pairs:
        ws.close()
    samples.sort()
    pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
    print("label=call_initiate_to_event calls=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f"
          % (len(samples), pick(0.50), pick(0.90), pick(0.99), samples[-1]))


if __name__ == "__main__":
    main()
