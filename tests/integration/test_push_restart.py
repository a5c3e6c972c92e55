"""Push delivery survives losing its parts (DESIGN.md §4.5, §7): pushes queued while Redis is
down are sent once it is back (the re-queue job puts their jobs on the new stream), and a
restart of every realtime daemon in the middle of a queue of pushes loses none and sends none
twice (each row's FCM request carries its notification_id, so the stand-in's log shows every
row exactly once). Runs last (it takes Redis and the daemons away; see conftest)."""
import os
import subprocess
from collections import Counter

from conftest import NT_ROOT, STACK_DIR, api, create_private, register, send_message, wait_until
from test_push import FCM, device, make_admin, message_of, register_token, settled, stats

ENV_FILE = os.environ.get("NT_ENV_FILE", "")
BUILD_DIR = os.environ.get("NT_BUILD_DIR", os.path.join(NT_ROOT, "build-asan"))


def realtime(action):
    cmd = 'source "%s/scripts/lib.sh" && nt_realtime_restart_all "%s" "%s" "%s" %s' % (
        NT_ROOT, STACK_DIR, ENV_FILE, BUILD_DIR, action)
    subprocess.run(["bash", "-c", cmd], check=True, timeout=120)


def fcm_sends_so_far():
    return FCM.stats()["sends"]


def admin_send(admin, users, title):
    r = api("POST", "push-notifications/send", token=admin.access,
            json_body={"user_ids": [u.id for u in users], "title": title, "body": "restart test"})
    assert r.status_code == 202, r.text
    return r.json()["queued"]


def test_pushes_queued_while_redis_is_down_are_sent_once_it_is_back(redis_outage):
    admin, a, b = register(), register(), register()
    make_admin(admin)
    token = register_token(b)["token"]
    chat = create_private(a, b)

    redis_outage.stop()
    assert admin_send(admin, [b], "while redis was down") == 1  # the row is stored all the same
    send_message(a, chat["id"], "also while redis was down")
    assert stats(b)["pending"] == 2
    redis_outage.start()

    settled(b, sent=2)
    got = sorted(message_of(s)["notification"]["body"] for s in FCM.sends_to(token))
    assert got == ["also while redis was down", "restart test"]


def test_a_restart_of_every_daemon_mid_queue_loses_no_push_and_sends_none_twice():
    admin = register()
    make_admin(admin)
    users = [register() for _ in range(20)]
    # 100 devices whose every send takes the stand-in 20 ms: the queue drains for seconds.
    tokens = {register_token(u, device("slow"))["token"] for u in users for _ in range(5)}
    before = fcm_sends_so_far()

    queued = sum(admin_send(admin, users, "round %d" % i) for i in range(12))
    assert queued == 1200
    # Stop every sender while the queue is being worked through.
    wait_until(lambda: fcm_sends_so_far() - before >= 50, 30, 0.02, "the first sends")
    realtime("stop")
    sent_when_stopped = fcm_sends_so_far() - before
    assert sent_when_stopped < queued, "the queue was done before the restart: nothing tested"
    # More arrive while no daemon runs; they wait on the stream.
    queued += sum(admin_send(admin, users, "while stopped %d" % i) for i in range(2))
    assert fcm_sends_so_far() - before == sent_when_stopped
    realtime("start")

    for u in users:
        settled(u, sent=70)
    mine = [s for s in FCM.requests("send") if s["device_token"] in tokens]
    assert all(s["status"] == 200 for s in mine)
    per_row = Counter(message_of(s)["data"]["notification_id"] for s in mine)
    assert len(per_row) == queued == 1400  # none lost
    assert set(per_row.values()) == {1}, [k for k, n in per_row.items() if n > 1][:10]  # none twice
