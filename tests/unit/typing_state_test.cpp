// Typing indicators of one connection (common/typing_state.hpp, DESIGN.md §5): a chat hears
// "typing" once per episode, renewals only extend it, and it hears "stopped" on stop, on
// expiry 10 s after the last renewal, or when the connection closes.
#include "typing_state.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace nt {
namespace {

using Chats = std::vector<int64_t>;

Chats sorted(Chats v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(TypingState, TtlIsTenSeconds) {
  EXPECT_EQ(TypingState::kTtlMs, 10000);
}

TEST(TypingState, StartAnnouncesOnceThenRenews) {
  TypingState t;
  EXPECT_FALSE(t.typing_in(7));
  EXPECT_TRUE(t.start(7, 1000));
  EXPECT_TRUE(t.typing_in(7));
  EXPECT_FALSE(t.start(7, 2000));
  EXPECT_FALSE(t.start(7, 9000));
  EXPECT_TRUE(t.typing_in(7));
}

TEST(TypingState, ChatsAreIndependent) {
  TypingState t;
  EXPECT_TRUE(t.start(1, 0));
  EXPECT_TRUE(t.start(2, 0));
  EXPECT_FALSE(t.start(1, 100));
  EXPECT_TRUE(t.typing_in(1));
  EXPECT_TRUE(t.typing_in(2));
  EXPECT_FALSE(t.typing_in(3));
}

TEST(TypingState, ExpiresExactlyAtTheTtl) {
  TypingState t;
  t.start(5, 1000);
  EXPECT_TRUE(t.expire(1000).empty());
  EXPECT_TRUE(t.expire(1000 + TypingState::kTtlMs - 1).empty());
  EXPECT_TRUE(t.typing_in(5));
  EXPECT_EQ(t.expire(1000 + TypingState::kTtlMs), Chats{5});
  EXPECT_FALSE(t.typing_in(5));
  // Reported once: the indicator is gone.
  EXPECT_TRUE(t.expire(1000 + 2 * TypingState::kTtlMs).empty());
}

TEST(TypingState, ExpiryLongAfterTheTtlStillReportsIt) {
  TypingState t;
  t.start(5, 0);
  EXPECT_EQ(t.expire(60000), Chats{5});
}

TEST(TypingState, RenewalMovesTheExpiry) {
  TypingState t;
  t.start(5, 0);
  t.start(5, 6000);
  EXPECT_TRUE(t.expire(TypingState::kTtlMs).empty());
  EXPECT_TRUE(t.expire(6000 + TypingState::kTtlMs - 1).empty());
  EXPECT_EQ(t.expire(6000 + TypingState::kTtlMs), Chats{5});
}

TEST(TypingState, ExpireTakesOnlyTheDueChats) {
  TypingState t;
  t.start(1, 0);
  t.start(2, 5000);
  t.start(3, 1000);
  EXPECT_EQ(sorted(t.expire(11000)), (Chats{1, 3}));
  EXPECT_TRUE(t.typing_in(2));
  EXPECT_EQ(t.expire(15000), Chats{2});
}

TEST(TypingState, StartAfterExpiryAnnouncesAgain) {
  TypingState t;
  t.start(4, 0);
  ASSERT_EQ(t.expire(TypingState::kTtlMs), Chats{4});
  EXPECT_TRUE(t.start(4, TypingState::kTtlMs + 1));
}

TEST(TypingState, StopReportsOnlyWhenTyping) {
  TypingState t;
  EXPECT_FALSE(t.stop(9));
  t.start(9, 0);
  EXPECT_TRUE(t.stop(9));
  EXPECT_FALSE(t.typing_in(9));
  EXPECT_FALSE(t.stop(9));
  // A stopped chat does not expire later, and a new start announces again.
  EXPECT_TRUE(t.expire(TypingState::kTtlMs).empty());
  EXPECT_TRUE(t.start(9, 100));
}

TEST(TypingState, StopLeavesOtherChats) {
  TypingState t;
  t.start(1, 0);
  t.start(2, 0);
  EXPECT_TRUE(t.stop(1));
  EXPECT_TRUE(t.typing_in(2));
  EXPECT_EQ(t.expire(TypingState::kTtlMs), Chats{2});
}

TEST(TypingState, ClearReturnsEveryChatAndForgetsThem) {
  TypingState t;
  EXPECT_TRUE(t.clear().empty());
  t.start(3, 0);
  t.start(1, 0);
  t.start(2, 500);
  EXPECT_EQ(sorted(t.clear()), (Chats{1, 2, 3}));
  EXPECT_FALSE(t.typing_in(1));
  EXPECT_FALSE(t.typing_in(2));
  EXPECT_FALSE(t.typing_in(3));
  EXPECT_TRUE(t.clear().empty());
  EXPECT_TRUE(t.expire(TypingState::kTtlMs * 2).empty());
  EXPECT_TRUE(t.start(1, 0));
}

}  // namespace
}  // namespace nt
