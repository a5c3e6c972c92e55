// The push senders and the push re-queue job (common/push_delivery.hpp) as background jobs of
// the realtime daemon: PUSH_CONSUMERS senders, each reading the push stream every
// PUSH_POLL_INTERVAL_MS as consumer "<REALTIME_NODE_ID>/<n>", and one re-queue run every
// PUSH_REQUEUE_INTERVAL_MS. They share one FcmClient (one OAuth2 token for the process).
#pragma once

#include "config.hpp"
#include "jobs.hpp"

namespace nt::rt {

// Loop thread, before jobs.start(). Returns false (logged) when FCM_SERVICE_ACCOUNT_FILE names
// a file that cannot be used: the daemon then refuses to start, as for any bad setting.
bool add_push_jobs(Jobs& jobs, const Config& cfg);

}  // namespace nt::rt
