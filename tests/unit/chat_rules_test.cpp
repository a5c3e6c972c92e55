// Chat rules with no I/O (common/chat_rules.hpp, DESIGN.md §4.2): who may manage a chat,
// remove a participant, edit or delete a message; the message types; "@name" mentions; and
// the status a sender sees on their own message.
#include "chat_rules.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nt {
namespace {

using Names = std::vector<std::string>;

Membership as(ChatRole role, ChatType type) {
  Membership m;
  m.role = role;
  m.type = type;
  return m;
}

const Membership kGroupAdmin = as(ChatRole::kAdmin, ChatType::kGroup);
const Membership kGroupMember = as(ChatRole::kMember, ChatType::kGroup);
const Membership kPrivateMember = as(ChatRole::kMember, ChatType::kPrivate);
// Private chats have no admins today; the rules must still not treat one as a group.
const Membership kPrivateAdmin = as(ChatRole::kAdmin, ChatType::kPrivate);
const Membership kGroupOutsider = as(ChatRole::kNone, ChatType::kGroup);
const Membership kPrivateOutsider = as(ChatRole::kNone, ChatType::kPrivate);

// ---------------------------------------------------------------- roles

TEST(ChatRole, ParsedFromTheStoredName) {
  EXPECT_EQ(parse_role("admin"), ChatRole::kAdmin);
  EXPECT_EQ(parse_role("member"), ChatRole::kMember);
  for (const char* other : {"", "Admin", "ADMIN", "owner", "member ", "none"}) {
    EXPECT_EQ(parse_role(other), ChatRole::kNone) << other;
  }
}

TEST(ChatRole, NamesRoundTrip) {
  EXPECT_STREQ(role_name(ChatRole::kAdmin), "admin");
  EXPECT_STREQ(role_name(ChatRole::kMember), "member");
  EXPECT_EQ(parse_role(role_name(ChatRole::kAdmin)), ChatRole::kAdmin);
  EXPECT_EQ(parse_role(role_name(ChatRole::kMember)), ChatRole::kMember);
}

TEST(Membership, DefaultIsNotAMember) {
  const Membership m;
  EXPECT_FALSE(m.is_member());
  EXPECT_FALSE(m.is_admin());
  EXPECT_TRUE(kGroupMember.is_member());
  EXPECT_FALSE(kGroupMember.is_admin());
  EXPECT_TRUE(kGroupAdmin.is_member());
  EXPECT_TRUE(kGroupAdmin.is_admin());
}

// ---------------------------------------------------------------- managing a chat

TEST(CanManageChat, OnlyGroupAdmins) {
  EXPECT_TRUE(can_manage_chat(kGroupAdmin));
  EXPECT_FALSE(can_manage_chat(kGroupMember));
  EXPECT_FALSE(can_manage_chat(kGroupOutsider));
  EXPECT_FALSE(can_manage_chat(kPrivateMember));
  EXPECT_FALSE(can_manage_chat(kPrivateAdmin));
  EXPECT_FALSE(can_manage_chat(kPrivateOutsider));
}

// ---------------------------------------------------------------- removing participants

TEST(CanRemoveParticipant, GroupAdminRemovesAnyoneAndLeaves) {
  EXPECT_TRUE(can_remove_participant(kGroupAdmin, /*target_is_self=*/false));
  EXPECT_TRUE(can_remove_participant(kGroupAdmin, /*target_is_self=*/true));
}

TEST(CanRemoveParticipant, GroupMemberOnlyLeaves) {
  EXPECT_TRUE(can_remove_participant(kGroupMember, /*target_is_self=*/true));
  EXPECT_FALSE(can_remove_participant(kGroupMember, /*target_is_self=*/false));
}

TEST(CanRemoveParticipant, NonMembersCannot) {
  EXPECT_FALSE(can_remove_participant(kGroupOutsider, true));
  EXPECT_FALSE(can_remove_participant(kGroupOutsider, false));
  EXPECT_FALSE(can_remove_participant(kPrivateOutsider, true));
}

TEST(CanRemoveParticipant, PrivateChatsCanBeLeftButNobodyIsRemoved) {
  EXPECT_TRUE(can_remove_participant(kPrivateMember, /*target_is_self=*/true));
  EXPECT_FALSE(can_remove_participant(kPrivateMember, /*target_is_self=*/false));
  EXPECT_TRUE(can_remove_participant(kPrivateAdmin, /*target_is_self=*/true));
  EXPECT_FALSE(can_remove_participant(kPrivateAdmin, /*target_is_self=*/false));
}

// ---------------------------------------------------------------- editing and deleting

TEST(CanEditMessage, SenderOnlyAndNeverATombstone) {
  EXPECT_TRUE(can_edit_message(/*is_sender=*/true, /*is_deleted=*/false));
  EXPECT_FALSE(can_edit_message(/*is_sender=*/true, /*is_deleted=*/true));
  EXPECT_FALSE(can_edit_message(/*is_sender=*/false, /*is_deleted=*/false));
  EXPECT_FALSE(can_edit_message(/*is_sender=*/false, /*is_deleted=*/true));
}

TEST(CanDeleteMessage, SenderInAnyChat) {
  EXPECT_TRUE(can_delete_message(kGroupMember, /*is_sender=*/true));
  EXPECT_TRUE(can_delete_message(kGroupAdmin, /*is_sender=*/true));
  EXPECT_TRUE(can_delete_message(kPrivateMember, /*is_sender=*/true));
}

TEST(CanDeleteMessage, AdminDeletesOthersMessages) {
  EXPECT_TRUE(can_delete_message(kGroupAdmin, /*is_sender=*/false));
  EXPECT_FALSE(can_delete_message(kGroupMember, /*is_sender=*/false));
  EXPECT_FALSE(can_delete_message(kPrivateMember, /*is_sender=*/false));
}

TEST(CanDeleteMessage, SenderWhoLeftCannot) {
  // A sender who is no longer a member cannot reach the chat at all.
  EXPECT_FALSE(can_delete_message(kGroupOutsider, /*is_sender=*/true));
  EXPECT_FALSE(can_delete_message(kGroupOutsider, /*is_sender=*/false));
  EXPECT_FALSE(can_delete_message(kPrivateOutsider, /*is_sender=*/true));
}

// ---------------------------------------------------------------- message types

TEST(MessageType, TheEightTypesOfTheDesign) {
  for (const char* t : {"text", "image", "video", "audio", "file", "sticker", "gif", "location"}) {
    EXPECT_TRUE(is_message_type(t)) << t;
  }
}

TEST(MessageType, AnythingElseIsRejected) {
  for (const char* t : {"", "TEXT", "Text", "text ", " text", "voice", "system", "photo",
                        "stickers", "texts", "loc"}) {
    EXPECT_FALSE(is_message_type(t)) << '"' << t << '"';
  }
  EXPECT_FALSE(is_message_type(std::string("text\0", 5)));
}

// ---------------------------------------------------------------- mentions

TEST(Mentions, WholeContent) {
  EXPECT_EQ(parse_mentions("@alice"), Names{"alice"});
}

TEST(Mentions, InsideTextLowerCasedAndStoppedByPunctuation) {
  EXPECT_EQ(parse_mentions("hi @Bob_1!"), Names{"bob_1"});
  EXPECT_EQ(parse_mentions("(@alice), @bob. @carol?"), (Names{"alice", "bob", "carol"}));
  EXPECT_EQ(parse_mentions("@alice's idea"), Names{"alice"});
  EXPECT_EQ(parse_mentions("@alice-smith"), Names{"alice"});
  EXPECT_EQ(parse_mentions("line\n@alice\t@bob"), (Names{"alice", "bob"}));
}

TEST(Mentions, DeduplicatedInOrderOfFirstAppearance) {
  EXPECT_EQ(parse_mentions("@carol @alice @ALICE @Carol @bob @alice"),
            (Names{"carol", "alice", "bob"}));
}

TEST(Mentions, EmailAddressesAreNotMentions) {
  EXPECT_TRUE(parse_mentions("a@b.com").empty());
  EXPECT_TRUE(parse_mentions("write to alice@example.com please").empty());
  EXPECT_TRUE(parse_mentions("x_@bob").empty());
  EXPECT_TRUE(parse_mentions("9@bob").empty());
  // A mention right after an email still counts.
  EXPECT_EQ(parse_mentions("mail a@b.com @carol"), Names{"carol"});
}

TEST(Mentions, NamesOfThreeToFiftyCharacters) {
  EXPECT_TRUE(parse_mentions("@ab").empty());
  EXPECT_TRUE(parse_mentions("@a @b @ab").empty());
  EXPECT_EQ(parse_mentions("@abc"), Names{"abc"});
  const std::string fifty(50, 'x');
  const std::string fifty_one(51, 'y');
  EXPECT_EQ(parse_mentions("@" + fifty), Names{fifty});
  // Too long: not cut down to a 50-character prefix, simply not a mention.
  EXPECT_TRUE(parse_mentions("@" + fifty_one).empty());
  EXPECT_EQ(parse_mentions("@" + fifty_one + " @abc"), Names{"abc"});
}

TEST(Mentions, DoubleAtIsNotAMention) {
  EXPECT_TRUE(parse_mentions("@@x").empty());
  EXPECT_TRUE(parse_mentions("@@xyz").empty());
  EXPECT_TRUE(parse_mentions("@@").empty());
  EXPECT_TRUE(parse_mentions("@").empty());
  EXPECT_TRUE(parse_mentions("hello @ world").empty());
  EXPECT_EQ(parse_mentions("@@xyz @abc"), Names{"abc"});
}

TEST(Mentions, AfterNonAsciiText) {
  // UTF-8 bytes of other scripts are not word characters: "東京@alice" mentions alice.
  EXPECT_EQ(parse_mentions("東京@alice"), Names{"alice"});
  EXPECT_EQ(parse_mentions("こんにちは @bob さん"), Names{"bob"});
  // Names are ASCII only: a non-ASCII letter ends the name.
  EXPECT_EQ(parse_mentions("@abcé"), Names{"abc"});
  EXPECT_TRUE(parse_mentions("@日本語").empty());
}

TEST(Mentions, CappedAtMaxMentions) {
  EXPECT_EQ(parse_mentions("@aaa @bbb @ccc", 2), (Names{"aaa", "bbb"}));
  // Repeats do not use up the cap.
  EXPECT_EQ(parse_mentions("@aaa @AAA @aaa @bbb @ccc", 2), (Names{"aaa", "bbb"}));
  EXPECT_TRUE(parse_mentions("@aaa", 0).empty());
}

TEST(Mentions, DefaultCapIsFifty) {
  std::string content;
  for (int i = 0; i < 60; ++i) content += "@user" + std::to_string(100 + i) + " ";
  const Names got = parse_mentions(content);
  ASSERT_EQ(got.size(), 50u);
  EXPECT_EQ(got.front(), "user100");
  EXPECT_EQ(got.back(), "user149");
}

TEST(Mentions, NoneInPlainText) {
  EXPECT_TRUE(parse_mentions("").empty());
  EXPECT_TRUE(parse_mentions("no mentions here").empty());
}

// ---------------------------------------------------------------- message status

TEST(MessageStatus, SentUntilEveryOtherMemberReceivedIt) {
  EXPECT_STREQ(message_status(5, 0, 0), "sent");
  EXPECT_STREQ(message_status(5, 4, 4), "sent");
  EXPECT_STREQ(message_status(1, 0, 0), "sent");
}

TEST(MessageStatus, DeliveredFromTheSeqItself) {
  EXPECT_STREQ(message_status(5, 4, 5), "delivered");
  EXPECT_STREQ(message_status(5, 0, 9), "delivered");
}

TEST(MessageStatus, ReadFromTheSeqItselfAndWinsOverDelivered) {
  EXPECT_STREQ(message_status(5, 5, 5), "read");
  EXPECT_STREQ(message_status(5, 6, 4), "read");
  EXPECT_STREQ(message_status(5, 5, 0), "read");
}

// ---------------------------------------------------------------- limits

TEST(ChatLimits, AsDocumented) {
  EXPECT_EQ(kMaxMessageChars, 10000u);
  EXPECT_EQ(kMaxGroupMembers, 1000u);
  EXPECT_EQ(kMaxParticipantsPerRequest, 100u);
  EXPECT_EQ(kMaxClientMsgIdChars, 64u);
  EXPECT_EQ(kMaxSyncMessagesPerChat, 100);
  EXPECT_EQ(kMaxSyncChats, 200u);
}

}  // namespace
}  // namespace nt
