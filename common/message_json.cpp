#include "message_json.hpp"

#include "chat_rules.hpp"

namespace nt {

int64_t message_seq(const PgResult& r, int row, int f) { return r.i64(row, f + 2); }

Json message_json(const PgResult& r, int row, const MessageViewer& viewer, int f) {
  const int64_t id = r.i64(row, f + 0);
  const int64_t seq = r.i64(row, f + 2);
  const auto sender_id = r.opt_str(row, f + 3);
  Json sender = Json::null();
  if (sender_id) {
    sender = Json::object()
                 .set("id", *sender_id)
                 .set("username", r.str(row, f + 4))
                 .set("display_name", Json::str_or_null(r.opt_str(row, f + 5)))
                 .set("avatar_url", Json::str_or_null(r.opt_str(row, f + 6)));
  }
  Json file = r.is_null(row, f + 19) ? Json::null() : file_json(r, row, f + 19);
  Json reply = Json::null();
  if (!r.is_null(row, f + 9) && !r.is_null(row, f + 10)) {
    reply = Json::object()
                .set("id", r.i64(row, f + 9))
                .set("sender_id", r.str(row, f + 10))
                .set("content", Json::str_or_null(r.opt_str(row, f + 11)));
  }
  Json metadata = Json::null();
  if (!r.is_null(row, f + 12)) {
    JsonParseError err;
    metadata = parse_json(r.str(row, f + 12), 64, false, &err);
    if (!metadata) metadata = Json::null();
  }
  const bool mine = sender_id && *sender_id == viewer.user_id;
  const char* status = mine ? message_status(seq, viewer.others_min_read, viewer.others_min_delivered)
                            : (viewer.my_read >= seq ? "read" : "delivered");
  Json m = Json::object();
  m.set("id", id)
      .set("chat_id", r.i64(row, f + 1))
      .set("seq", seq)
      .set("sender_id", Json::str_or_null(sender_id))
      .set("sender", sender)
      .set("content", Json::str_or_null(r.opt_str(row, f + 7)))
      .set("message_type", r.str(row, f + 8))
      .set("file", file)
      .set("sticker_id", r.is_null(row, f + 18) ? Json::null() : Json::integer(r.i64(row, f + 18)))
      .set("reply_to_id", r.is_null(row, f + 9) ? Json::null() : Json::integer(r.i64(row, f + 9)))
      .set("reply_to", reply)
      .set("metadata", metadata)
      .set("is_edited", r.boolean(row, f + 13))
      .set("is_deleted", r.boolean(row, f + 14))
      .set("status", status)
      .set("client_msg_id", Json::str_or_null(r.opt_str(row, f + 15)))
      .set("created_at", r.time(row, f + 16))
      .set("updated_at", r.time(row, f + 17));
  return m;
}

}  // namespace nt
