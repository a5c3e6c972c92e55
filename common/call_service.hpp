// Voice and video calls (DESIGN.md §4.3): the state changes both doors share (REST
// /video-calls/* and the WebSocket events call_answered / call_declined / call_ended) and the
// ring-timeout job. Every change locks the call row, asks the one state machine
// (call_rules.hpp), commits, and only then publishes its event to every device of every
// participant (user channels) and caches the participants' Agora tokens in Redis
// (nerutalk:call_tokens:{call_id}). Strangers get 404 for the call and everything about it;
// illegal moves are 409. Throws ApiError, DbUnavailable, DbError.
#pragma once

#include <cstdint>
#include <string>

#include "app_deps.hpp"
#include "call_rules.hpp"
#include "json.hpp"

namespace nt {

// POST /video-calls/initiate: `body` is {callee_ids | callee_id, call_type?, chat_id?}.
// Returns {call, agora} for the caller.
Json initiate_call(Deps& d, const std::string& caller_id, const Json& body);

// answer / decline / end / leave / join by a participant. Answer and join return
// {call, agora} (the actor's own token); the others {call}.
Json act_on_call(Deps& d, const std::string& user_id, int64_t call_id, CallEvent event);

// POST /video-calls/{id}/participants {user_id}: invites someone into a running call.
Json invite_to_call(Deps& d, const std::string& user_id, int64_t call_id, const Json& body);

// GET /video-calls/history: the caller's calls, newest first.
Json call_history(Deps& d, const std::string& user_id, int64_t limit, int64_t offset);
// GET /video-calls/stats?days=N.
Json call_stats(Deps& d, const std::string& user_id, int64_t days);
// GET /video-calls/{id}: one call the caller takes part in.
Json call_detail(Deps& d, const std::string& user_id, int64_t call_id);

// The ring-timeout job: calls still ringing after CALL_RING_TIMEOUT_SECONDS become missed
// (and invitees of running calls who never answered are marked missed). Returns how many
// calls changed. Safe with several daemons running it (SKIP LOCKED).
int64_t expire_rings(Deps& d);

}  // namespace nt
