// How a message looks on the wire (common/message_json.hpp, DESIGN.md §4.2), from a row of
// NT_MESSAGE_COLUMNS. The rows are built in memory with libpq's PQmakeEmptyPGresult /
// PQsetvalue, so no server is needed.
#include "message_json.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace nt {
namespace {

constexpr const char* kAlice = "0b7d3c1e-8f2a-4c3b-9d1e-2f3a4b5c6d7e";
constexpr const char* kBob = "9c8d7e6f-5a4b-4c3d-8e2f-1a0b9c8d7e6f";
constexpr int64_t kCreatedMs = 1795248000123;  // 2026-11-21T08:00:00.123Z
constexpr int64_t kUpdatedMs = 1795248300000;  // 2026-11-21T08:05:00.000Z

// Column offsets of NT_MESSAGE_COLUMNS.
enum Col {
  kId,
  kChatId,
  kSeq,
  kSenderId,
  kUsername,
  kDisplayName,
  kAvatarUrl,
  kContent,
  kType,
  kReplyToId,
  kReplySender,
  kReplyContent,
  kMetadata,
  kIsEdited,
  kIsDeleted,
  kClientMsgId,
  kCreatedAt,
  kUpdatedAt,
  kStickerId,
  // NT_FILE_COLUMNS
  kFileId,
  kFileName,
  kMimeType,
  kMediaType,
  kFileSize,
  kWidth,
  kHeight,
  kHasThumb,
  kFileChatId,
  kFileCreatedAt
};
static_assert(kFileCreatedAt + 1 == kMessageColumnCount, "one offset per column");

using Row = std::vector<std::optional<std::string>>;

// A text message of alice's with seq 5 in chat 3: no file, no reply, no metadata.
Row text_row() {
  Row r(kMessageColumnCount);
  r[kId] = "42";
  r[kChatId] = "3";
  r[kSeq] = "5";
  r[kSenderId] = kAlice;
  r[kUsername] = "alice";
  r[kDisplayName] = "Alice";
  r[kContent] = "hello @bob";
  r[kType] = "text";
  r[kHasThumb] = "f";
  r[kIsEdited] = "f";
  r[kIsDeleted] = "f";
  r[kCreatedAt] = std::to_string(kCreatedMs);
  r[kUpdatedAt] = std::to_string(kUpdatedMs);
  return r;
}

// A tuples-OK result holding `rows`, each with `prefix` extra leading columns ("x") before the
// message columns.
PgResult make_result(const std::vector<Row>& rows, int prefix = 0) {
  const int ncols = prefix + kMessageColumnCount;
  PGresult* res = PQmakeEmptyPGresult(nullptr, PGRES_TUPLES_OK);
  std::vector<std::string> names;
  for (int i = 0; i < ncols; ++i) names.push_back("c" + std::to_string(i));
  std::vector<PGresAttDesc> attrs(static_cast<size_t>(ncols));
  for (int i = 0; i < ncols; ++i) {
    attrs[i] = PGresAttDesc{};
    attrs[i].name = names[i].data();
    attrs[i].format = 0;
    attrs[i].typid = 25;  // text
    attrs[i].typlen = -1;
    attrs[i].atttypmod = -1;
  }
  EXPECT_EQ(PQsetResultAttrs(res, ncols, attrs.data()), 1);
  for (size_t t = 0; t < rows.size(); ++t) {
    for (int c = 0; c < ncols; ++c) {
      const int tup = static_cast<int>(t);
      if (c < prefix) {
        EXPECT_EQ(PQsetvalue(res, tup, c, const_cast<char*>("x"), 1), 1);
        continue;
      }
      const auto& v = rows[t][static_cast<size_t>(c - prefix)];
      const int ok =
          v ? PQsetvalue(res, tup, c, const_cast<char*>(v->data()), static_cast<int>(v->size()))
            : PQsetvalue(res, tup, c, nullptr, -1);
      EXPECT_EQ(ok, 1);
    }
  }
  return PgResult(res);
}

Json one(const Row& row, const MessageViewer& viewer) {
  const PgResult r = make_result({row});
  return message_json(r, 0, viewer);
}

std::string str_at(const Json& j, const char* key) {
  json_t* v = json_object_get(j.get(), key);
  return v && json_is_string(v) ? json_string_value(v) : "<not a string>";
}

int64_t int_at(const Json& j, const char* key) {
  json_t* v = json_object_get(j.get(), key);
  return v && json_is_integer(v) ? json_integer_value(v) : -999;
}

bool is_null_at(const Json& j, const char* key) {
  json_t* v = json_object_get(j.get(), key);
  return v && json_is_null(v);
}

MessageViewer alice_viewer(int64_t others_read, int64_t others_delivered, int64_t my_read = 5) {
  return MessageViewer{kAlice, others_read, others_delivered, my_read};
}

MessageViewer bob_viewer(int64_t my_read) {
  return MessageViewer{kBob, 0, 0, my_read};
}

// ---------------------------------------------------------------- shape

TEST(MessageJson, HasEveryFieldOfTheDesign) {
  const Json m = one(text_row(), alice_viewer(0, 0));
  std::set<std::string> keys;
  const char* key;
  json_t* value;
  json_object_foreach(m.get(), key, value) keys.insert(key);
  EXPECT_EQ(keys, (std::set<std::string>{"id", "chat_id", "seq", "sender_id", "sender", "content",
                                         "message_type", "file", "sticker_id", "reply_to_id",
                                         "reply_to", "metadata", "is_edited", "is_deleted",
                                         "status", "client_msg_id", "created_at", "updated_at"}));
}

TEST(MessageJson, PlainTextMessage) {
  const Json m = one(text_row(), alice_viewer(0, 0));
  EXPECT_EQ(int_at(m, "id"), 42);
  EXPECT_EQ(int_at(m, "chat_id"), 3);
  EXPECT_EQ(int_at(m, "seq"), 5);
  EXPECT_EQ(str_at(m, "sender_id"), kAlice);
  const Json sender = m.at("sender");
  EXPECT_EQ(str_at(sender, "id"), kAlice);
  EXPECT_EQ(str_at(sender, "username"), "alice");
  EXPECT_EQ(str_at(sender, "display_name"), "Alice");
  EXPECT_TRUE(is_null_at(sender, "avatar_url"));
  EXPECT_EQ(str_at(m, "content"), "hello @bob");
  EXPECT_EQ(str_at(m, "message_type"), "text");
  EXPECT_TRUE(is_null_at(m, "file"));
  EXPECT_TRUE(is_null_at(m, "sticker_id"));
  EXPECT_TRUE(is_null_at(m, "reply_to_id"));
  EXPECT_TRUE(is_null_at(m, "reply_to"));
  EXPECT_TRUE(is_null_at(m, "metadata"));
  EXPECT_TRUE(json_is_false(json_object_get(m.get(), "is_edited")));
  EXPECT_TRUE(json_is_false(json_object_get(m.get(), "is_deleted")));
  EXPECT_TRUE(is_null_at(m, "client_msg_id"));
  EXPECT_EQ(str_at(m, "created_at"), "2026-11-21T08:00:00.123Z");
  EXPECT_EQ(str_at(m, "updated_at"), "2026-11-21T08:05:00.000Z");
}

TEST(MessageJson, OptionalReferences) {
  Row row = text_row();
  row[kClientMsgId] = "c-123";
  row[kStickerId] = "77";
  row[kIsEdited] = "t";
  row[kAvatarUrl] = "/avatars/a/thumbnail.jpg";
  const Json m = one(row, alice_viewer(0, 0));
  EXPECT_EQ(str_at(m, "client_msg_id"), "c-123");
  EXPECT_EQ(int_at(m, "sticker_id"), 77);
  EXPECT_TRUE(json_is_true(json_object_get(m.get(), "is_edited")));
  EXPECT_EQ(str_at(m.at("sender"), "avatar_url"), "/avatars/a/thumbnail.jpg");
}

TEST(MessageJson, FileWithAndWithoutThumbnail) {
  Row row = text_row();
  row[kType] = "image";
  row[kFileId] = "9";
  row[kFileName] = "cat.jpg";
  row[kFileSize] = "12345";
  row[kMimeType] = "image/jpeg";
  row[kMediaType] = "image";
  row[kWidth] = "640";
  row[kHeight] = "480";
  row[kHasThumb] = "t";
  row[kFileChatId] = "3";
  row[kFileCreatedAt] = std::to_string(kCreatedMs);
  Json file = one(row, alice_viewer(0, 0)).at("file");
  EXPECT_EQ(str_at(file, "media_type"), "image");
  EXPECT_EQ(int_at(file, "width"), 640);
  EXPECT_EQ(int_at(file, "height"), 480);
  EXPECT_EQ(int_at(file, "chat_id"), 3);
  EXPECT_EQ(str_at(file, "created_at"), "2026-11-21T08:00:00.123Z");
  EXPECT_EQ(int_at(file, "id"), 9);
  EXPECT_EQ(str_at(file, "url"), "/api/v1/files/9");
  EXPECT_EQ(str_at(file, "thumbnail_url"), "/api/v1/files/9/thumbnail");
  EXPECT_EQ(str_at(file, "file_name"), "cat.jpg");
  EXPECT_EQ(int_at(file, "file_size"), 12345);
  EXPECT_EQ(str_at(file, "mime_type"), "image/jpeg");

  row[kHasThumb] = "f";
  file = one(row, alice_viewer(0, 0)).at("file");
  EXPECT_EQ(str_at(file, "url"), "/api/v1/files/9");
  EXPECT_TRUE(is_null_at(file, "thumbnail_url"));
}

TEST(MessageJson, ReplyTo) {
  Row row = text_row();
  row[kReplyToId] = "40";
  row[kReplySender] = kBob;
  row[kReplyContent] = "hi alice";
  Json m = one(row, alice_viewer(0, 0));
  EXPECT_EQ(int_at(m, "reply_to_id"), 40);
  const Json reply = m.at("reply_to");
  EXPECT_EQ(int_at(reply, "id"), 40);
  EXPECT_EQ(str_at(reply, "sender_id"), kBob);
  EXPECT_EQ(str_at(reply, "content"), "hi alice");

  // The replied-to message was deleted: its content is gone, the reference stays.
  row[kReplyContent] = std::nullopt;
  m = one(row, alice_viewer(0, 0));
  EXPECT_EQ(int_at(m.at("reply_to"), "id"), 40);
  EXPECT_TRUE(is_null_at(m.at("reply_to"), "content"));
}

TEST(MessageJson, MetadataIsAnObject) {
  Row row = text_row();
  row[kType] = "location";
  row[kMetadata] = R"({"latitude":35.68,"longitude":139.76,"label":"東京"})";
  const Json meta = one(row, alice_viewer(0, 0)).at("metadata");
  ASSERT_TRUE(json_is_object(meta.get()));
  EXPECT_DOUBLE_EQ(json_real_value(json_object_get(meta.get(), "latitude")), 35.68);
  EXPECT_EQ(str_at(meta, "label"), "東京");
}

TEST(MessageJson, UnreadableMetadataIsNull) {
  Row row = text_row();
  row[kMetadata] = "{not json";
  EXPECT_TRUE(is_null_at(one(row, alice_viewer(0, 0)), "metadata"));
}

TEST(MessageJson, DeletedMessageIsATombstone) {
  // NT_MESSAGE_COLUMNS blanks content, metadata and the file of a deleted message.
  Row row = text_row();
  row[kContent] = std::nullopt;
  row[kIsDeleted] = "t";
  const Json m = one(row, alice_viewer(0, 0));
  EXPECT_TRUE(is_null_at(m, "content"));
  EXPECT_TRUE(is_null_at(m, "metadata"));
  EXPECT_TRUE(is_null_at(m, "file"));
  EXPECT_TRUE(json_is_true(json_object_get(m.get(), "is_deleted")));
  EXPECT_EQ(int_at(m, "seq"), 5);
}

TEST(MessageJson, SenderGone) {
  Row row = text_row();
  row[kSenderId] = std::nullopt;
  row[kUsername] = std::nullopt;
  row[kDisplayName] = std::nullopt;
  const Json m = one(row, alice_viewer(0, 0, /*my_read=*/4));
  EXPECT_TRUE(is_null_at(m, "sender_id"));
  EXPECT_TRUE(is_null_at(m, "sender"));
  // Not the viewer's own message: status follows the viewer's read pointer.
  EXPECT_EQ(str_at(m, "status"), "delivered");
}

// ---------------------------------------------------------------- status

TEST(MessageJson, SenderSeesOthersPointers) {
  EXPECT_EQ(str_at(one(text_row(), alice_viewer(4, 4)), "status"), "sent");
  EXPECT_EQ(str_at(one(text_row(), alice_viewer(4, 5)), "status"), "delivered");
  EXPECT_EQ(str_at(one(text_row(), alice_viewer(5, 5)), "status"), "read");
  // The sender's own read pointer plays no part.
  EXPECT_EQ(str_at(one(text_row(), alice_viewer(0, 0, /*my_read=*/100)), "status"), "sent");
}

TEST(MessageJson, OtherMembersSeeTheirOwnReadPointer) {
  EXPECT_EQ(str_at(one(text_row(), bob_viewer(4)), "status"), "delivered");
  EXPECT_EQ(str_at(one(text_row(), bob_viewer(5)), "status"), "read");
  EXPECT_EQ(str_at(one(text_row(), bob_viewer(9)), "status"), "read");
}

// ---------------------------------------------------------------- offsets and rows

TEST(MessageJson, ColumnsAfterOtherColumns) {
  // GET /chats selects the chat's own columns first and the last message after them.
  const PgResult r = make_result({text_row()}, /*prefix=*/16);
  const Json m = message_json(r, 0, alice_viewer(0, 0), 16);
  EXPECT_EQ(int_at(m, "id"), 42);
  EXPECT_EQ(str_at(m, "content"), "hello @bob");
  EXPECT_EQ(str_at(m, "created_at"), "2026-11-21T08:00:00.123Z");
  EXPECT_EQ(message_seq(r, 0, 16), 5);
}

TEST(MessageJson, RowsAreIndependent) {
  Row second = text_row();
  second[kId] = "43";
  second[kSeq] = "6";
  second[kSenderId] = kBob;
  second[kUsername] = "bob";
  second[kContent] = "second";
  const PgResult r = make_result({text_row(), second});
  ASSERT_EQ(r.rows(), 2);
  EXPECT_EQ(message_seq(r, 0), 5);
  EXPECT_EQ(message_seq(r, 1), 6);
  const Json m = message_json(r, 1, alice_viewer(0, 0, /*my_read=*/5));
  EXPECT_EQ(int_at(m, "id"), 43);
  EXPECT_EQ(str_at(m.at("sender"), "username"), "bob");
  EXPECT_EQ(str_at(m, "status"), "delivered");
}

}  // namespace
}  // namespace nt
