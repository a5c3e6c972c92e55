// The call state machine (DESIGN.md §4.3) as a table with no I/O. REST handlers, WebSocket
// events and the ring-timeout job all ask next_call_state(), so the two doors cannot disagree.
//
// Call states: initiated → ongoing → ended; initiated → declined | missed | cancelled. The
// last four are final. Each participant (video_calls/call_participants) also has a status: invited
// (ringing), joined (in the call; the caller starts joined), declined, left, missed.
//
// Who may send what (else 403, checked before the state):
//   answer, decline            callees
//   end, leave, join, invite   participants (caller or callee)
//   ring_timeout               the system (background jobs)
//   anything                   never a stranger (not a participant of the call)
// Then the table (call_rule); a move it does not list is a 409:
//   answer   initiated, ringing callee   → ongoing; the callee joins
//            ongoing, ringing callee     → ongoing (an invitee of a running call); joins
//   decline  initiated|ongoing, ringing  → settle; the callee has declined
//   end      initiated, caller           → cancelled (the caller hangs up before an answer)
//            initiated|ongoing, ringing  → exactly a decline (hanging up a ringing phone)
//            ongoing, caller in the call → ended for everybody (the host ends the call)
//            ongoing, callee in the call → settle; the callee has left (in a 1:1 call that
//                                          ends it; a group call goes on without them)
//   leave    ongoing, anyone in the call → settle; they have left (the caller can leave a
//                                          group call without ending it)
//   join     ongoing, a participant who declined, left or missed, or a ringing callee
//                                        → ongoing; they join (again)
//   invite   ongoing, anyone in the call → ongoing; the invitee's row becomes invited
//                                          (can_invite says whom)
//   ring_timeout  initiated              → missed (every callee still ringing: missed)
//                 ongoing                → settle (the invitees whose ring expired: missed)
// "settle" decides from the other participants, counted after the move (CallPeers):
//   initiated stays initiated while some other callee still rings, else → declined: a group
//             call is declined only when every callee declined.
//   ongoing   stays ongoing while two participants are in it, or one is and someone still
//             rings (the caller of a group call can wait for the invitees); else → ended.
// When a call reaches a final state, the other participants' statuses follow
// status_after_call_closed().
#pragma once

#include <optional>
#include <string_view>

namespace nt {

enum class CallState { kInitiated, kOngoing, kEnded, kDeclined, kMissed, kCancelled };
enum class CallEvent { kAnswer, kDecline, kEnd, kLeave, kJoin, kInvite, kRingTimeout };
// The actor's relation to the call. kSystem is the background job that times out rings.
enum class CallRole { kCaller, kCallee, kStranger, kSystem };
enum class ParticipantStatus { kInvited, kJoined, kDeclined, kLeft, kMissed };
// What the table distinguishes of a participant's status: invited is ringing, joined is in the
// call, declined/left/missed are gone.
enum class CallPresence { kRinging, kJoined, kGone };
enum class CallError { kNone, kForbidden, kConflict };  // 403, 409

// Where a row of the table leads, before the other participants are counted.
enum class CallNext { kSame, kSettle, kToOngoing, kToEnded, kToCancelled, kToMissed };

struct CallRule {
  CallError error = CallError::kNone;
  CallNext next = CallNext::kSame;
  std::optional<ParticipantStatus> actor;  // the actor's new status; nullopt: unchanged/none
};

// The other participants once the actor's own move is applied (for the system: all of them
// once the expired rings are marked missed).
struct CallPeers {
  int joined = 0;   // in the call
  int ringing = 0;  // invited and not answered, declined or timed out

  // Counts one participant of status `s` (by presence_of).
  void add(ParticipantStatus s);
};

struct CallTransition {
  CallError error = CallError::kNone;
  CallState state = CallState::kInitiated;  // the new state; the unchanged one on an error
  std::optional<ParticipantStatus> actor;   // as in CallRule
  bool ok() const { return error == CallError::kNone; }
};

bool is_final(CallState s);
CallPresence presence_of(ParticipantStatus s);

// The table lookup alone (permissions, then the rows). `presence` is ignored for strangers and
// the system.
CallRule call_rule(CallState state, CallEvent event, CallRole role, CallPresence presence);

// The settle rule for an initiated or ongoing call; any other state is returned unchanged.
CallState settle_call(CallState state, CallPeers others);

// The whole decision: call_rule, then settle_call where the row says so. `actor_status` is the
// actor's participant status (ignored for strangers and the system).
CallTransition next_call_state(CallState state, CallEvent event, CallRole role,
                               ParticipantStatus actor_status, CallPeers others);

// Another participant's status once the call is final: ringing → missed, joined → left,
// declined/left/missed unchanged.
ParticipantStatus status_after_call_closed(ParticipantStatus s);

// Whether a user may be invited into a running call: not a participant yet (nullopt), or one
// who declined, left or missed. Inviting someone ringing or in the call is a 409.
bool can_invite(std::optional<ParticipantStatus> target);

// Stable lower-case names ("initiated", "ring_timeout", "invited", ...), as stored in
// video_calls.status / call_participants.status; parse_* return nullopt for anything else.
const char* call_state_name(CallState s);
const char* call_event_name(CallEvent e);
const char* participant_status_name(ParticipantStatus s);
std::optional<CallState> parse_call_state(std::string_view s);
std::optional<CallEvent> parse_call_event(std::string_view s);
std::optional<ParticipantStatus> parse_participant_status(std::string_view s);

}  // namespace nt
