#include "call_rules.hpp"

#include <cstddef>

namespace nt {
namespace {

using P = ParticipantStatus;
using S = CallState;
using N = CallNext;
using Ev = CallEvent;

// Who may send an event at all (call_rules.hpp); anyone else gets a 403.
struct Permission {
  CallEvent event;
  bool caller, callee, system;
};

// clang-format off
constexpr Permission kPermissions[] = {
  // event            caller callee system
  {Ev::kAnswer,      false, true,  false},
  {Ev::kDecline,     false, true,  false},
  {Ev::kEnd,         true,  true,  false},
  {Ev::kLeave,       true,  true,  false},
  {Ev::kJoin,        true,  true,  false},
  {Ev::kInvite,      true,  true,  false},
  {Ev::kRingTimeout, false, false, true},
};
// clang-format on

enum class Who { kCaller, kCallee, kParticipant, kSystem };

struct Row {
  CallEvent event;
  S state;
  Who who;
  CallPresence presence;  // ignored for the system
  N next;
  std::optional<P> actor;
};

constexpr auto kNone = std::nullopt;
constexpr auto kRinging = CallPresence::kRinging;
constexpr auto kIn = CallPresence::kJoined;
constexpr auto kGone = CallPresence::kGone;

// Every permitted move; any other combination is a 409.
// clang-format off
const Row kRows[] = {
  // event            state          who                presence  next              actor after
  {Ev::kAnswer,      S::kInitiated, Who::kCallee,      kRinging, N::kToOngoing,    P::kJoined},
  {Ev::kAnswer,      S::kOngoing,   Who::kCallee,      kRinging, N::kSame,         P::kJoined},
  {Ev::kDecline,     S::kInitiated, Who::kCallee,      kRinging, N::kSettle,       P::kDeclined},
  {Ev::kDecline,     S::kOngoing,   Who::kCallee,      kRinging, N::kSettle,       P::kDeclined},
  {Ev::kEnd,         S::kInitiated, Who::kCaller,      kIn,      N::kToCancelled,  P::kLeft},
  {Ev::kEnd,         S::kInitiated, Who::kCallee,      kRinging, N::kSettle,       P::kDeclined},
  {Ev::kEnd,         S::kOngoing,   Who::kCaller,      kIn,      N::kToEnded,      P::kLeft},
  {Ev::kEnd,         S::kOngoing,   Who::kCallee,      kIn,      N::kSettle,       P::kLeft},
  {Ev::kEnd,         S::kOngoing,   Who::kCallee,      kRinging, N::kSettle,       P::kDeclined},
  {Ev::kLeave,       S::kOngoing,   Who::kParticipant, kIn,      N::kSettle,       P::kLeft},
  {Ev::kJoin,        S::kOngoing,   Who::kParticipant, kGone,    N::kSame,         P::kJoined},
  {Ev::kJoin,        S::kOngoing,   Who::kCallee,      kRinging, N::kSame,         P::kJoined},
  {Ev::kInvite,      S::kOngoing,   Who::kParticipant, kIn,      N::kSame,         kNone},
  {Ev::kRingTimeout, S::kInitiated, Who::kSystem,      kRinging, N::kToMissed,     kNone},
  {Ev::kRingTimeout, S::kOngoing,   Who::kSystem,      kRinging, N::kSettle,       kNone},
};
// clang-format on

bool permitted(CallEvent event, CallRole role) {
  for (const Permission& p : kPermissions) {
    if (p.event != event) continue;
    switch (role) {
      case CallRole::kCaller:
        return p.caller;
      case CallRole::kCallee:
        return p.callee;
      case CallRole::kSystem:
        return p.system;
      case CallRole::kStranger:
        return false;
    }
  }
  return false;
}

bool matches(const Row& r, CallRole role, CallPresence presence) {
  switch (r.who) {
    case Who::kSystem:
      return role == CallRole::kSystem;
    case Who::kCaller:
      return role == CallRole::kCaller && presence == r.presence;
    case Who::kCallee:
      return role == CallRole::kCallee && presence == r.presence;
    case Who::kParticipant:
      return (role == CallRole::kCaller || role == CallRole::kCallee) && presence == r.presence;
  }
  return false;
}

template <typename T, size_t N>
const char* name_in(const char* const (&names)[N], T v) {
  const auto i = static_cast<size_t>(v);
  return i < N ? names[i] : "";
}

template <typename T, size_t N>
std::optional<T> parse_in(const char* const (&names)[N], std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (s == names[i]) return static_cast<T>(i);
  }
  return std::nullopt;
}

// In enum order.
constexpr const char* kStateNames[] = {"initiated", "ongoing", "ended",
                                       "declined",  "missed",  "cancelled"};
constexpr const char* kEventNames[] = {"answer", "decline", "end",         "leave",
                                       "join",   "invite",  "ring_timeout"};
constexpr const char* kStatusNames[] = {"invited", "joined", "declined", "left", "missed"};

}  // namespace

bool is_final(CallState s) {
  return s != S::kInitiated && s != S::kOngoing;
}

CallPresence presence_of(ParticipantStatus s) {
  switch (s) {
    case P::kInvited:
      return kRinging;
    case P::kJoined:
      return kIn;
    case P::kDeclined:
    case P::kLeft:
    case P::kMissed:
      return kGone;
  }
  return kGone;
}

void CallPeers::add(ParticipantStatus s) {
  const CallPresence p = presence_of(s);
  if (p == kIn) ++joined;
  if (p == kRinging) ++ringing;
}

CallRule call_rule(CallState state, CallEvent event, CallRole role, CallPresence presence) {
  if (!permitted(event, role)) return {CallError::kForbidden, N::kSame, kNone};
  for (const Row& r : kRows) {
    if (r.event == event && r.state == state && matches(r, role, presence)) {
      return {CallError::kNone, r.next, r.actor};
    }
  }
  return {CallError::kConflict, N::kSame, kNone};
}

CallState settle_call(CallState state, CallPeers others) {
  if (state == S::kInitiated) return others.ringing > 0 ? S::kInitiated : S::kDeclined;
  if (state == S::kOngoing) {
    const bool goes_on = others.joined >= 2 || (others.joined == 1 && others.ringing > 0);
    return goes_on ? S::kOngoing : S::kEnded;
  }
  return state;
}

CallTransition next_call_state(CallState state, CallEvent event, CallRole role,
                               ParticipantStatus actor_status, CallPeers others) {
  const CallRule rule = call_rule(state, event, role, presence_of(actor_status));
  CallTransition t;
  t.error = rule.error;
  t.actor = rule.actor;
  switch (rule.next) {
    case N::kSame:
      t.state = state;
      break;
    case N::kSettle:
      t.state = settle_call(state, others);
      break;
    case N::kToOngoing:
      t.state = S::kOngoing;
      break;
    case N::kToEnded:
      t.state = S::kEnded;
      break;
    case N::kToCancelled:
      t.state = S::kCancelled;
      break;
    case N::kToMissed:
      t.state = S::kMissed;
      break;
  }
  return t;
}

ParticipantStatus status_after_call_closed(ParticipantStatus s) {
  if (s == P::kInvited) return P::kMissed;
  if (s == P::kJoined) return P::kLeft;
  return s;
}

bool can_invite(std::optional<ParticipantStatus> target) {
  return !target || presence_of(*target) == kGone;
}

const char* call_state_name(CallState s) {
  return name_in(kStateNames, s);
}
const char* call_event_name(CallEvent e) {
  return name_in(kEventNames, e);
}
const char* participant_status_name(ParticipantStatus s) {
  return name_in(kStatusNames, s);
}

std::optional<CallState> parse_call_state(std::string_view s) {
  return parse_in<CallState>(kStateNames, s);
}
std::optional<CallEvent> parse_call_event(std::string_view s) {
  return parse_in<CallEvent>(kEventNames, s);
}
std::optional<ParticipantStatus> parse_participant_status(std::string_view s) {
  return parse_in<ParticipantStatus>(kStatusNames, s);
}

}  // namespace nt
