// The call state machine (common/call_rules.hpp): the whole table, every state × event × role
// × own presence, against a grid written out here; the settle rule for 1:1 and group calls;
// next_call_state() over every input; and call stories told step by step.
#include "call_rules.hpp"

#include <gtest/gtest.h>

#include <array>
#include <ostream>
#include <string>
#include <vector>

namespace nt {

void PrintTo(CallState s, std::ostream* os) {
  *os << call_state_name(s);
}
void PrintTo(CallError e, std::ostream* os) {
  *os << (e == CallError::kNone ? "none" : e == CallError::kForbidden ? "403" : "409");
}

namespace {

using S = CallState;
using E = CallEvent;
using R = CallRole;
using P = ParticipantStatus;

constexpr std::array kStates = {S::kInitiated, S::kOngoing, S::kEnded,
                                S::kDeclined,  S::kMissed,  S::kCancelled};
constexpr std::array kEvents = {E::kAnswer, E::kDecline, E::kEnd,        E::kLeave,
                                E::kJoin,   E::kInvite,  E::kRingTimeout};
constexpr std::array kRoles = {R::kCaller, R::kCallee, R::kStranger, R::kSystem};
constexpr std::array kStatuses = {P::kInvited, P::kJoined, P::kDeclined, P::kLeft, P::kMissed};
constexpr std::array kPresences = {CallPresence::kRinging, CallPresence::kJoined,
                                   CallPresence::kGone};

// The expected table. Columns: the caller ringing / in the call / gone, a callee ringing / in
// the call / gone, a stranger, the system. Cells: "403", "409" or "<next>/<actor's status>",
// next being same, settle, ongoing, ended, cancelled or missed, and "-" for no actor change.
// (A ringing caller cannot happen; the table still answers, with 409.)
struct GridRow {
  S state;
  E event;
  std::array<const char*, 8> cells;
};

// clang-format off
const GridRow kGrid[] = {
  //                               caller:  ringing  in              gone           callee:  ringing            in              gone           stranger system
  {S::kInitiated, E::kAnswer,      {"403",  "403",          "403",          "ongoing/joined",  "409",          "409",          "403", "403"}},
  {S::kInitiated, E::kDecline,     {"403",  "403",          "403",          "settle/declined", "409",          "409",          "403", "403"}},
  {S::kInitiated, E::kEnd,         {"409",  "cancelled/left", "409",        "settle/declined", "409",          "409",          "403", "403"}},
  {S::kInitiated, E::kLeave,       {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kInitiated, E::kJoin,        {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kInitiated, E::kInvite,      {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kInitiated, E::kRingTimeout, {"403",  "403",          "403",          "403",             "403",          "403",          "403", "missed/-"}},

  {S::kOngoing,   E::kAnswer,      {"403",  "403",          "403",          "same/joined",     "409",          "409",          "403", "403"}},
  {S::kOngoing,   E::kDecline,     {"403",  "403",          "403",          "settle/declined", "409",          "409",          "403", "403"}},
  {S::kOngoing,   E::kEnd,         {"409",  "ended/left",   "409",          "settle/declined", "settle/left",  "409",          "403", "403"}},
  {S::kOngoing,   E::kLeave,       {"409",  "settle/left",  "409",          "409",             "settle/left",  "409",          "403", "403"}},
  {S::kOngoing,   E::kJoin,        {"409",  "409",          "same/joined",  "same/joined",     "409",          "same/joined",  "403", "403"}},
  {S::kOngoing,   E::kInvite,      {"409",  "same/-",       "409",          "409",             "same/-",       "409",          "403", "403"}},
  {S::kOngoing,   E::kRingTimeout, {"403",  "403",          "403",          "403",             "403",          "403",          "403", "settle/-"}},

  {S::kEnded,     E::kAnswer,      {"403",  "403",          "403",          "409",             "409",          "409",          "403", "403"}},
  {S::kEnded,     E::kDecline,     {"403",  "403",          "403",          "409",             "409",          "409",          "403", "403"}},
  {S::kEnded,     E::kEnd,         {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kEnded,     E::kLeave,       {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kEnded,     E::kJoin,        {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kEnded,     E::kInvite,      {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kEnded,     E::kRingTimeout, {"403",  "403",          "403",          "403",             "403",          "403",          "403", "409"}},

  {S::kDeclined,  E::kAnswer,      {"403",  "403",          "403",          "409",             "409",          "409",          "403", "403"}},
  {S::kDeclined,  E::kDecline,     {"403",  "403",          "403",          "409",             "409",          "409",          "403", "403"}},
  {S::kDeclined,  E::kEnd,         {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kDeclined,  E::kLeave,       {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kDeclined,  E::kJoin,        {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kDeclined,  E::kInvite,      {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kDeclined,  E::kRingTimeout, {"403",  "403",          "403",          "403",             "403",          "403",          "403", "409"}},

  {S::kMissed,    E::kAnswer,      {"403",  "403",          "403",          "409",             "409",          "409",          "403", "403"}},
  {S::kMissed,    E::kDecline,     {"403",  "403",          "403",          "409",             "409",          "409",          "403", "403"}},
  {S::kMissed,    E::kEnd,         {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kMissed,    E::kLeave,       {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kMissed,    E::kJoin,        {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kMissed,    E::kInvite,      {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kMissed,    E::kRingTimeout, {"403",  "403",          "403",          "403",             "403",          "403",          "403", "409"}},

  {S::kCancelled, E::kAnswer,      {"403",  "403",          "403",          "409",             "409",          "409",          "403", "403"}},
  {S::kCancelled, E::kDecline,     {"403",  "403",          "403",          "409",             "409",          "409",          "403", "403"}},
  {S::kCancelled, E::kEnd,         {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kCancelled, E::kLeave,       {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kCancelled, E::kJoin,        {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kCancelled, E::kInvite,      {"409",  "409",          "409",          "409",             "409",          "409",          "403", "403"}},
  {S::kCancelled, E::kRingTimeout, {"403",  "403",          "403",          "403",             "403",          "403",          "403", "409"}},
};
// clang-format on

size_t column(R role, CallPresence presence) {
  switch (role) {
    case R::kCaller:
      return static_cast<size_t>(presence);
    case R::kCallee:
      return 3 + static_cast<size_t>(presence);
    case R::kStranger:
      return 6;
    case R::kSystem:
      return 7;
  }
  return 0;
}

const char* expected_cell(S state, E event, R role, CallPresence presence) {
  for (const GridRow& r : kGrid) {
    if (r.state == state && r.event == event) return r.cells[column(role, presence)];
  }
  ADD_FAILURE() << "no grid row for " << call_state_name(state) << " " << call_event_name(event);
  return "";
}

std::string cell_of(const CallRule& r) {
  if (r.error == CallError::kForbidden) return "403";
  if (r.error == CallError::kConflict) return "409";
  static const char* const kNext[] = {"same", "settle", "ongoing", "ended", "cancelled", "missed"};
  return std::string(kNext[static_cast<size_t>(r.next)]) + "/" +
         (r.actor ? participant_status_name(*r.actor) : "-");
}

// The settle rule, written out: other participants (joined, ringing) after the move.
struct SettleRow {
  S state;
  CallPeers others;
  S expected;
};

const SettleRow kSettle[] = {
    // initiated: goes on while another callee rings; otherwise every callee declined
    {S::kInitiated, {1, 0}, S::kDeclined},   // 1:1: the only callee declined
    {S::kInitiated, {1, 1}, S::kInitiated},  // group: one more still rings
    {S::kInitiated, {1, 4}, S::kInitiated},
    {S::kInitiated, {0, 0}, S::kDeclined},
    // ongoing: goes on with two in the call, or one waiting for someone still ringing
    {S::kOngoing, {0, 0}, S::kEnded},
    {S::kOngoing, {1, 0}, S::kEnded},    // 1:1: the other one is alone
    {S::kOngoing, {1, 1}, S::kOngoing},  // group: the caller waits for an invitee
    {S::kOngoing, {0, 2}, S::kEnded},    // nobody left in the call to be joined
    {S::kOngoing, {2, 0}, S::kOngoing},
    {S::kOngoing, {3, 1}, S::kOngoing},
    // final states never move
    {S::kEnded, {3, 1}, S::kEnded},
    {S::kDeclined, {0, 1}, S::kDeclined},
    {S::kMissed, {2, 0}, S::kMissed},
    {S::kCancelled, {1, 1}, S::kCancelled},
};

CallTransition act(S state, E event, R role, P self, int joined, int ringing) {
  return next_call_state(state, event, role, self, CallPeers{joined, ringing});
}

void expect_moves(const CallTransition& t, S state, std::optional<P> actor) {
  EXPECT_TRUE(t.ok()) << static_cast<int>(t.error);
  EXPECT_EQ(t.state, state);
  EXPECT_EQ(t.actor, actor);
}

// ---------------------------------------------------------------- the table

TEST(CallRulesTable, GridCoversEveryStateAndEventOnce) {
  EXPECT_EQ(std::size(kGrid), kStates.size() * kEvents.size());
  for (S s : kStates) {
    for (E e : kEvents) {
      int rows = 0;
      for (const GridRow& r : kGrid) rows += r.state == s && r.event == e;
      EXPECT_EQ(rows, 1) << call_state_name(s) << " " << call_event_name(e);
    }
  }
}

TEST(CallRulesTable, EveryStateEventRoleAndPresence) {
  int checked = 0;
  for (S s : kStates) {
    for (E e : kEvents) {
      for (R r : kRoles) {
        for (CallPresence p : kPresences) {
          EXPECT_EQ(cell_of(call_rule(s, e, r, p)), expected_cell(s, e, r, p))
              << call_state_name(s) << " " << call_event_name(e) << " role " << static_cast<int>(r)
              << " presence " << static_cast<int>(p);
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 6 * 7 * 4 * 3);
}

TEST(CallRulesTable, SettleRule) {
  for (const SettleRow& r : kSettle) {
    EXPECT_EQ(settle_call(r.state, r.others), r.expected)
        << call_state_name(r.state) << " joined " << r.others.joined << " ringing "
        << r.others.ringing;
  }
}

// next_call_state over every input, with each peer situation the settle table lists for that
// state: the grid cell, "settle" being the settle table's answer for those peers.
TEST(CallRulesTable, NextCallStateIsTheGridThenTheSettleRule) {
  int checked = 0;
  for (const SettleRow& peers : kSettle) {
    const S s = peers.state;
    for (E e : kEvents) {
      for (R r : kRoles) {
        for (P status : kStatuses) {
          const std::string cell = expected_cell(s, e, r, presence_of(status));
          const CallTransition t = next_call_state(s, e, r, status, peers.others);
          const std::string where = std::string(call_state_name(s)) + " " + call_event_name(e) +
                                    " role " + std::to_string(static_cast<int>(r)) + " status " +
                                    participant_status_name(status) + " joined " +
                                    std::to_string(peers.others.joined) + " ringing " +
                                    std::to_string(peers.others.ringing) + " cell " + cell;
          ++checked;
          if (cell == "403" || cell == "409") {
            EXPECT_EQ(t.error, cell == "403" ? CallError::kForbidden : CallError::kConflict)
                << where;
            EXPECT_EQ(t.state, s) << where;
            EXPECT_EQ(t.actor, std::nullopt) << where;
            continue;
          }
          ASSERT_TRUE(t.ok()) << where;
          const std::string next = cell.substr(0, cell.find('/'));
          const std::string actor = cell.substr(cell.find('/') + 1);
          const S want = next == "settle" ? peers.expected
                         : next == "same" ? s
                                          : parse_call_state(next).value_or(s);
          EXPECT_EQ(t.state, want) << where;
          EXPECT_EQ(t.actor, actor == "-" ? std::nullopt : parse_participant_status(actor))
              << where;
        }
      }
    }
  }
  EXPECT_EQ(checked, static_cast<int>(std::size(kSettle)) * 7 * 4 * 5);
}

// ---------------------------------------------------------------- 1:1 calls (caller A, callee B)

TEST(CallStories, OneToOneAnsweredThenEndedByEither) {
  expect_moves(act(S::kInitiated, E::kAnswer, R::kCallee, P::kInvited, 1, 0), S::kOngoing,
               P::kJoined);
  expect_moves(act(S::kOngoing, E::kEnd, R::kCaller, P::kJoined, 1, 0), S::kEnded, P::kLeft);
  expect_moves(act(S::kOngoing, E::kEnd, R::kCallee, P::kJoined, 1, 0), S::kEnded, P::kLeft);
  expect_moves(act(S::kOngoing, E::kLeave, R::kCaller, P::kJoined, 1, 0), S::kEnded, P::kLeft);
}

TEST(CallStories, OneToOneUnanswered) {
  expect_moves(act(S::kInitiated, E::kDecline, R::kCallee, P::kInvited, 1, 0), S::kDeclined,
               P::kDeclined);
  // Hanging up a ringing phone is a decline.
  expect_moves(act(S::kInitiated, E::kEnd, R::kCallee, P::kInvited, 1, 0), S::kDeclined,
               P::kDeclined);
  expect_moves(act(S::kInitiated, E::kEnd, R::kCaller, P::kJoined, 0, 1), S::kCancelled, P::kLeft);
  expect_moves(act(S::kInitiated, E::kRingTimeout, R::kSystem, P::kInvited, 1, 0), S::kMissed,
               std::nullopt);
}

TEST(CallStories, IllegalAndForeignMoves) {
  // Too late: the call is over.
  for (S final_state : {S::kEnded, S::kDeclined, S::kMissed, S::kCancelled}) {
    EXPECT_EQ(act(final_state, E::kAnswer, R::kCallee, P::kInvited, 1, 0).error,
              CallError::kConflict);
    EXPECT_EQ(act(final_state, E::kEnd, R::kCaller, P::kJoined, 1, 0).error, CallError::kConflict);
    EXPECT_EQ(act(final_state, E::kRingTimeout, R::kSystem, P::kInvited, 0, 1).error,
              CallError::kConflict);
  }
  // Twice.
  EXPECT_EQ(act(S::kOngoing, E::kAnswer, R::kCallee, P::kJoined, 1, 0).error, CallError::kConflict);
  EXPECT_EQ(act(S::kInitiated, E::kDecline, R::kCallee, P::kDeclined, 0, 1).error,
            CallError::kConflict);
  // Not theirs to do.
  EXPECT_EQ(act(S::kInitiated, E::kAnswer, R::kCaller, P::kJoined, 0, 1).error,
            CallError::kForbidden);
  EXPECT_EQ(act(S::kInitiated, E::kRingTimeout, R::kCaller, P::kJoined, 0, 1).error,
            CallError::kForbidden);
  for (E e : kEvents) {
    EXPECT_EQ(act(S::kInitiated, e, R::kStranger, P::kInvited, 1, 1).error, CallError::kForbidden);
    EXPECT_EQ(act(S::kOngoing, e, R::kStranger, P::kJoined, 2, 0).error, CallError::kForbidden);
  }
}

// ---------------------------------------------------------------- group calls (A calls B and C)

TEST(CallStories, GroupIsDeclinedOnlyWhenEveryCalleeDeclined) {
  expect_moves(act(S::kInitiated, E::kDecline, R::kCallee, P::kInvited, 1, 1), S::kInitiated,
               P::kDeclined);  // B declines, C still rings
  expect_moves(act(S::kInitiated, E::kDecline, R::kCallee, P::kInvited, 1, 0), S::kDeclined,
               P::kDeclined);  // then C
  // One declined, the other never answered: the ring timeout makes it missed.
  expect_moves(act(S::kInitiated, E::kRingTimeout, R::kSystem, P::kInvited, 1, 0), S::kMissed,
               std::nullopt);
}

TEST(CallStories, GroupCallerWaitsForAnInviteeThenTimesOut) {
  // B answers while C rings; B leaves: A is alone but C may still answer.
  expect_moves(act(S::kInitiated, E::kAnswer, R::kCallee, P::kInvited, 1, 1), S::kOngoing,
               P::kJoined);
  expect_moves(act(S::kOngoing, E::kLeave, R::kCallee, P::kJoined, 1, 1), S::kOngoing, P::kLeft);
  // C's ring expires: A alone, nobody ringing.
  expect_moves(act(S::kOngoing, E::kRingTimeout, R::kSystem, P::kInvited, 1, 0), S::kEnded,
               std::nullopt);
}

TEST(CallStories, GroupGoesOnWithoutThoseWhoLeave) {
  // A, B and C in the call. C hangs up (end) or leaves: A and B go on.
  expect_moves(act(S::kOngoing, E::kEnd, R::kCallee, P::kJoined, 2, 0), S::kOngoing, P::kLeft);
  expect_moves(act(S::kOngoing, E::kLeave, R::kCallee, P::kJoined, 2, 0), S::kOngoing, P::kLeft);
  // C comes back; a declined invitee may join too.
  expect_moves(act(S::kOngoing, E::kJoin, R::kCallee, P::kLeft, 2, 0), S::kOngoing, P::kJoined);
  expect_moves(act(S::kOngoing, E::kJoin, R::kCallee, P::kDeclined, 2, 0), S::kOngoing, P::kJoined);
  // The caller may leave without ending it, and come back.
  expect_moves(act(S::kOngoing, E::kLeave, R::kCaller, P::kJoined, 2, 0), S::kOngoing, P::kLeft);
  EXPECT_EQ(act(S::kOngoing, E::kEnd, R::kCaller, P::kLeft, 2, 0).error, CallError::kConflict);
  expect_moves(act(S::kOngoing, E::kJoin, R::kCaller, P::kLeft, 2, 0), S::kOngoing, P::kJoined);
  // The caller's end ends it for everybody.
  expect_moves(act(S::kOngoing, E::kEnd, R::kCaller, P::kJoined, 2, 0), S::kEnded, P::kLeft);
}

TEST(CallStories, InvitingIntoARunningCall) {
  expect_moves(act(S::kOngoing, E::kInvite, R::kCallee, P::kJoined, 1, 0), S::kOngoing,
               std::nullopt);
  EXPECT_EQ(act(S::kInitiated, E::kInvite, R::kCaller, P::kJoined, 0, 1).error,
            CallError::kConflict);
  EXPECT_EQ(act(S::kOngoing, E::kInvite, R::kCallee, P::kLeft, 2, 0).error, CallError::kConflict);
  // The invitee rings, then answers (or joins) into the running call, or declines.
  expect_moves(act(S::kOngoing, E::kAnswer, R::kCallee, P::kInvited, 2, 0), S::kOngoing,
               P::kJoined);
  expect_moves(act(S::kOngoing, E::kJoin, R::kCallee, P::kInvited, 2, 0), S::kOngoing, P::kJoined);
  expect_moves(act(S::kOngoing, E::kDecline, R::kCallee, P::kInvited, 2, 0), S::kOngoing,
               P::kDeclined);
  EXPECT_TRUE(can_invite(std::nullopt));
  EXPECT_TRUE(can_invite(P::kDeclined));
  EXPECT_TRUE(can_invite(P::kLeft));
  EXPECT_TRUE(can_invite(P::kMissed));
  EXPECT_FALSE(can_invite(P::kInvited));
  EXPECT_FALSE(can_invite(P::kJoined));
}

// ---------------------------------------------------------------- helpers and names

TEST(CallRules, FinalStatesAndPresence) {
  EXPECT_FALSE(is_final(S::kInitiated));
  EXPECT_FALSE(is_final(S::kOngoing));
  for (S s : {S::kEnded, S::kDeclined, S::kMissed, S::kCancelled}) EXPECT_TRUE(is_final(s));
  EXPECT_EQ(presence_of(P::kInvited), CallPresence::kRinging);
  EXPECT_EQ(presence_of(P::kJoined), CallPresence::kJoined);
  for (P p : {P::kDeclined, P::kLeft, P::kMissed}) EXPECT_EQ(presence_of(p), CallPresence::kGone);
}

TEST(CallRules, PeersAreCountedByPresence) {
  CallPeers peers;
  for (P p : {P::kJoined, P::kInvited, P::kJoined, P::kDeclined, P::kLeft, P::kMissed}) {
    peers.add(p);
  }
  EXPECT_EQ(peers.joined, 2);
  EXPECT_EQ(peers.ringing, 1);
}

TEST(CallRules, OthersWhenTheCallCloses) {
  EXPECT_EQ(status_after_call_closed(P::kInvited), P::kMissed);
  EXPECT_EQ(status_after_call_closed(P::kJoined), P::kLeft);
  EXPECT_EQ(status_after_call_closed(P::kDeclined), P::kDeclined);
  EXPECT_EQ(status_after_call_closed(P::kLeft), P::kLeft);
  EXPECT_EQ(status_after_call_closed(P::kMissed), P::kMissed);
}

TEST(CallRules, NamesRoundTripAndMatchTheSchema) {
  const std::vector<std::string> states = {"initiated", "ongoing", "ended",
                                           "declined",  "missed",  "cancelled"};
  for (size_t i = 0; i < kStates.size(); ++i) {
    EXPECT_EQ(call_state_name(kStates[i]), states[i]);
    EXPECT_EQ(parse_call_state(states[i]), kStates[i]);
  }
  const std::vector<std::string> events = {"answer", "decline", "end",         "leave",
                                           "join",   "invite",  "ring_timeout"};
  for (size_t i = 0; i < kEvents.size(); ++i) {
    EXPECT_EQ(call_event_name(kEvents[i]), events[i]);
    EXPECT_EQ(parse_call_event(events[i]), kEvents[i]);
  }
  const std::vector<std::string> statuses = {"invited", "joined", "declined", "left", "missed"};
  for (size_t i = 0; i < kStatuses.size(); ++i) {
    EXPECT_EQ(participant_status_name(kStatuses[i]), statuses[i]);
    EXPECT_EQ(parse_participant_status(statuses[i]), kStatuses[i]);
  }
  for (const char* bad : {"", "Initiated", "ongoing ", "active", "ringing", "canceled"}) {
    EXPECT_EQ(parse_call_state(bad), std::nullopt) << bad;
    EXPECT_EQ(parse_call_event(bad), std::nullopt) << bad;
    EXPECT_EQ(parse_participant_status(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace nt
