// Delivering queued pushes (DESIGN.md §4.5, §7): the two background jobs of the realtime daemon
// that drain the Redis Stream kPushStream (push_service.hpp) through FCM.
//
// Senders read the stream as members of the consumer group kPushGroup (at-least-once): their
// own unacknowledged entries first (left by a stop or a crash of this daemon), then entries
// that another sender left idle for PUSH_CLAIM_IDLE_MS (XAUTOCLAIM), then new ones. Each entry
// names a push_notifications row; the row is claimed in Postgres before the send (attempts + 1
// and a lease of PUSH_LEASE_SECONDS, only while it is pending and due), so an entry read twice,
// by two senders or after a restart, is sent once. One FCM attempt per claim; the result is
// recorded on the row (sent with fcm_message_id and sent_at; failed with error_message, the
// device token deactivated when FCM says it is dead; or retried later), then the entry is
// acknowledged and deleted. A retry waits in Postgres (next_attempt_at from Retry-After or
// backoff), never in a sleeping thread; the re-queue job puts it back on the stream when due,
// and also re-adds pending rows whose entry may be lost (Redis down at queue time, Redis
// restarted) after PUSH_REQUEUE_SECONDS.
//
// Blocking I/O: call from worker threads only, each with its own Deps.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "app_deps.hpp"
#include "json.hpp"

namespace nt {

class FcmClient;

struct PushDeliveryStats {
  int64_t sent = 0;
  int64_t failed = 0;   // given up: dead token, bad payload, not configured, attempts used up
  int64_t retried = 0;  // waiting for another attempt
  int64_t skipped = 0;  // entries whose row was done, leased by another sender or not due
};

// One run of the sender `consumer` (a name unique to this daemon's sender, stable across its
// restarts): works through the stream until it is empty, about a second has passed or
// `stop()` says so. `fcm` null: push is not configured and claimed rows fail with
// kPushNotConfigured. Throws RedisUnavailable / DbUnavailable when a dependency is gone (the
// job runs again at its next tick; unacknowledged entries are read again).
PushDeliveryStats deliver_push_jobs(Deps& d, const FcmClient* fcm, const std::string& consumer,
                                    const std::function<bool()>& stop);

// One run of the re-queue job: stream entries for pending rows whose retry is due and for
// pending rows queued more than PUSH_REQUEUE_SECONDS before the oldest entry still on the
// stream (or before now when it is empty): their entry was lost. Safe with several daemons
// (rows are taken with SKIP LOCKED). Returns the number of rows put back on the stream. Throws
// RedisUnavailable when Redis is down (nothing could be queued anyway).
int64_t requeue_pushes(Deps& d);

// FCM's data map for a push row: `data` (push_notifications.data, an object) with every value a
// string (numbers and booleans as JSON text, nulls left out), plus "notification_id" (the row's
// id) and "type" (unless empty), which override keys of the same name. Pure.
std::map<std::string, std::string> push_fcm_data(const Json& data, int64_t notification_id,
                                                 const std::string& type);

}  // namespace nt
