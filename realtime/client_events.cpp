// Client -> server frames (DESIGN.md §5): parse the envelope, then dispatch by type through
// one table. Events that change durable state run the same domain functions as REST on a
// worker thread and answer with an ack (or an error frame) when done; nothing here blocks.
#include <algorithm>

#include "call_service.hpp"
#include "chat_service.hpp"
#include "error_json.hpp"
#include "errors.hpp"
#include "events.hpp"
#include "i18n.hpp"
#include "location_service.hpp"
#include "log.hpp"
#include "message_service.hpp"
#include "server.hpp"
#include "time_util.hpp"
#include "validate.hpp"

namespace nt::rt {
namespace {

constexpr int kMaxDepth = 32;

struct Frame {
  std::string type;
  Json data;  // always an object
  Json id;    // string or number, echoed back; empty when absent
};

Json error_data(const Json& id, const ApiError& e, const std::string& lang) {
  const ErrorInfo& info = error_info(e.err());
  Json data = Json::object();
  if (id) data.set("id", id);
  data.set("code", info.code).set("detail", tr(info.i18n_key, lang)).set("status", info.status);
  if (Json errors = field_errors_json(e, lang)) data.set("errors", errors);
  return data;
}

void send_error(Server& srv, Session* s, const Json& id, const ApiError& e) {
  srv.hub().send_event(s, ev::kError, error_data(id, e, s->language));
}

void send_ack(Server& srv, Session* s, const Json& id, const char* name, const Json& result) {
  Json data = Json::object();
  if (id) data.set("id", id);
  if (name) data.set(name, result);
  srv.hub().send_event(s, ev::kAck, data);
}

// The one id an event is about (chat_id, call_id, share_id): a positive integer.
int64_t require_id(const Frame& f, const char* field) {
  FieldReader r(f.data);
  const auto id = r.integer(field, true, 1, INT64_MAX);
  r.done();
  return *id;
}

// Runs `work` on a worker thread; on the loop thread `done` gets the result for the session
// if it is still connected. Domain errors become an error frame with the frame's id.
using Work = std::function<Json(Deps&)>;
using Done = std::function<void(Server&, Session*, const Json& id, const Json& result)>;

void run_job(Server& srv, Session* s, const Frame& f, Work work, Done done) {
  const uint64_t sid = s->id;
  Json id = f.id.deep_copy();
  srv.workers().submit([&srv, sid, id, work = std::move(work), done = std::move(done)](Deps& d) {
    Json result;
    std::optional<ApiError> err;
    try {
      result = work(d);
    } catch (...) {
      err = current_exception_as_api_error();
      if (error_info(err->err()).status >= 500) {
        log_error("ws job: %s: %s", err->what(), err->log_detail().c_str());
      }
    }
    srv.workers().post([&srv, sid, id, result, err, done] {
      Session* s = srv.hub().find(sid);
      if (s == nullptr) return;
      if (err) {
        send_error(srv, s, id, *err);
      } else {
        done(srv, s, id, result);
      }
    });
  });
}

// Whether the user is in the chat: from the router once the user's chats are loaded, else
// (just after connecting) from Postgres on a worker.
void with_membership(Server& srv, Session* s, const Frame& f, int64_t chat_id,
                     std::function<void(Server&, Session*, const Json& id)> then) {
  if (srv.router().knows_user(s->user_id)) {
    if (!srv.router().is_member(s->user_id, chat_id)) {
      send_error(srv, s, f.id, ApiError(Err::kNotFound));
      return;
    }
    then(srv, s, f.id);
    return;
  }
  const std::string user = s->user_id;
  run_job(
      srv, s, f,
      [user, chat_id](Deps& d) {
        require_membership(d.pg, chat_id, user);
        return Json::object();
      },
      [then](Server& srv, Session* s, const Json& id, const Json&) { then(srv, s, id); });
}

void on_ping(Server& srv, Session* s, const Frame& f) {
  Json data = Json::object();
  if (f.id) data.set("id", f.id);
  srv.hub().send_event(s, ev::kPong, data);
}

void on_join_chat(Server& srv, Session* s, const Frame& f) {
  const int64_t chat_id = require_id(f, "chat_id");
  with_membership(srv, s, f, chat_id, [chat_id](Server& srv, Session* s, const Json& id) {
    s->joined.insert(chat_id);
    send_ack(srv, s, id, "chat_id", Json::integer(chat_id));
  });
}

void on_leave_chat(Server& srv, Session* s, const Frame& f) {
  const int64_t chat_id = require_id(f, "chat_id");
  // Members only, like join_chat: a non-member gets the same answer as for a missing chat.
  with_membership(srv, s, f, chat_id, [chat_id](Server& srv, Session* s, const Json& id) {
    s->joined.erase(chat_id);
    if (s->typing.stop(chat_id)) srv.announce_typing(s, chat_id, false);
    send_ack(srv, s, id, "chat_id", Json::integer(chat_id));
  });
}

void on_typing(Server& srv, Session* s, const Frame& f) {
  FieldReader r(f.data);
  const auto chat_id = r.integer("chat_id", true, 1, INT64_MAX);
  const auto typing = r.boolean("is_typing", false);
  r.done();
  const bool is_typing = typing.value_or(true);
  with_membership(srv, s, f, *chat_id, [chat_id = *chat_id, is_typing](Server& srv, Session* s,
                                                                     const Json& id) {
    if (!is_typing) {
      if (s->typing.stop(chat_id)) srv.announce_typing(s, chat_id, false);
    } else if (s->typing.start(chat_id, now_ms())) {
      // Renewals within the window only extend it: the chat hears "typing" once.
      srv.announce_typing(s, chat_id, true);
    }
    if (id) send_ack(srv, s, id, nullptr, Json());
  });
}

void on_message_read(Server& srv, Session* s, const Frame& f) {
  FieldReader r(f.data);
  const auto chat_id = r.integer("chat_id", true, 1, INT64_MAX);
  const auto message_id = r.integer("message_id", true, 1, INT64_MAX);
  r.done();
  const std::string user = s->user_id;
  run_job(
      srv, s, f,
      [user, chat_id = *chat_id, message_id = *message_id](Deps& d) {
        return mark_read_in_chat(d, user, chat_id, message_id);
      },
      [](Server& srv, Session* s, const Json& id, const Json& result) {
        send_ack(srv, s, id, "read", result);
      });
}

void on_send_message(Server& srv, Session* s, const Frame& f) {
  const int64_t chat_id = require_id(f, "chat_id");
  const std::string user = s->user_id;
  Json body = f.data.deep_copy();
  run_job(
      srv, s, f,
      [user, chat_id, body](Deps& d) {
        SendOutcome out = send_message(d, user, chat_id, body);
        return Json::object().set("message", out.message).set("created", out.created);
      },
      [](Server& srv, Session* s, const Json& id, const Json& result) {
        send_ack(srv, s, id, "message", result.at("message"));
      });
}

// call_answered / call_declined / call_ended {call_id}: the REST transitions (call_service),
// acked with {call} (and, for an answer, the callee's own agora credentials).
void on_call_event(Server& srv, Session* s, const Frame& f, CallEvent event) {
  const int64_t call_id = require_id(f, "call_id");
  const std::string user = s->user_id;
  run_job(
      srv, s, f,
      [user, call_id, event](Deps& d) { return act_on_call(d, user, call_id, event); },
      [](Server& srv, Session* s, const Json& id, const Json& result) {
        // {id?, call} and, for an answer, the callee's own media credentials.
        Json data = result.deep_copy();
        if (id) data.set("id", id);
        srv.hub().send_event(s, ev::kAck, data);
      });
}

// An event whose data is the body of a REST call: runs `fn(d, user, data)` on a worker and acks
// with {ack_name: result}.
using BodyFn = Json (*)(Deps&, const std::string&, const Json&);
void on_body_event(Server& srv, Session* s, const Frame& f, BodyFn fn, const char* ack_name) {
  const std::string user = s->user_id;
  Json body = f.data.deep_copy();
  run_job(
      srv, s, f, [user, body, fn](Deps& d) { return fn(d, user, body); },
      [ack_name](Server& srv, Session* s, const Json& id, const Json& result) {
        send_ack(srv, s, id, ack_name, result);
      });
}

// location_update {latitude, longitude, ...}: as POST /location/update, acked with {location}.
void on_location_update(Server& srv, Session* s, const Frame& f) {
  on_body_event(srv, s, f, update_location, "location");
}

// location_share_start {target_user_id?, duration_minutes?}: as POST /location/shares, acked
// with {share}.
void on_location_share_start(Server& srv, Session* s, const Frame& f) {
  on_body_event(srv, s, f, start_share, "share");
}

// location_share_stop {share_id}: as DELETE /location/shares/{id}, acked with {share_id}.
void on_location_share_stop(Server& srv, Session* s, const Frame& f) {
  const int64_t share_id = require_id(f, "share_id");
  const std::string user = s->user_id;
  run_job(
      srv, s, f,
      [user, share_id](Deps& d) {
        stop_share(d, user, share_id);
        return Json::integer(share_id);
      },
      [](Server& srv, Session* s, const Json& id, const Json& result) {
        send_ack(srv, s, id, "share_id", result);
      });
}

void on_call_answered(Server& srv, Session* s, const Frame& f) { on_call_event(srv, s, f, CallEvent::kAnswer); }
void on_call_declined(Server& srv, Session* s, const Frame& f) { on_call_event(srv, s, f, CallEvent::kDecline); }
void on_call_ended(Server& srv, Session* s, const Frame& f) { on_call_event(srv, s, f, CallEvent::kEnd); }

// sync {chats: {"<chat_id>": last_seq}}: every missed message as new_message (ascending per
// chat, at most kMaxSyncMessagesPerChat each), then sync_complete with, per chat, the last seq
// sent and whether more remain (page the rest with GET .../messages?after_id=).
void on_sync(Server& srv, Session* s, const Frame& f) {
  const Json chats = f.data.at("chats");
  if (!chats || !json_is_object(chats.get())) {
    throw ApiError(Err::kValidation, {FieldError{"chats", "invalid_type", {}}});
  }
  if (json_object_size(chats.get()) > kMaxSyncChats) {
    throw ApiError(Err::kValidation,
                   {FieldError{"chats", "too_long", {{"max", std::to_string(kMaxSyncChats)}}}});
  }
  std::vector<std::pair<int64_t, int64_t>> wanted;
  const char* key;
  json_t* value;
  json_object_foreach(chats.get(), key, value) {
    char* end = nullptr;
    const long long chat_id = std::strtoll(key, &end, 10);
    if (*end != '\0' || chat_id <= 0 || !json_is_integer(value) || json_integer_value(value) < 0) {
      throw ApiError(Err::kValidation, {FieldError{"chats", "invalid_format", {}}});
    }
    wanted.emplace_back(chat_id, json_integer_value(value));
  }
  const std::string user = s->user_id;
  // What one sync sends stays well inside the send queue, so catching up can never get the
  // client closed as a slow reader; has_more says where to continue.
  const size_t budget = static_cast<size_t>(srv.cfg().ws_send_queue_bytes) / 2;
  run_job(
      srv, s, f,
      [user, wanted, budget](Deps& d) {
        Json messages = Json::array();
        Json summary = Json::object();
        size_t used = 0;
        for (const auto& [chat_id, after] : wanted) {
          Json entry = Json::object();
          try {
            const HistoryPage page = messages_after_seq(d, user, chat_id, after, kMaxSyncMessagesPerChat);
            int64_t last = after;
            bool more = page.has_more;
            for (size_t i = 0; i < json_array_size(page.messages.get()); ++i) {
              json_t* m = json_array_get(page.messages.get(), i);
              const size_t size = Json::borrow(m).dump().size() + 128;
              if (used + size > budget) {
                more = true;
                break;
              }
              used += size;
              messages.append(Json::borrow(m));
              last = json_integer_value(json_object_get(m, "seq"));
            }
            entry.set("last_seq", last).set("has_more", more);
          } catch (const ApiError& e) {
            entry.set("error", error_info(e.err()).code);
          }
          summary.set(std::to_string(chat_id).c_str(), entry);
        }
        return Json::object().set("messages", messages).set("chats", summary);
      },
      [](Server& srv, Session* s, const Json& id, const Json& result) {
        const Json messages = result.at("messages");
        for (size_t i = 0; i < json_array_size(messages.get()); ++i) {
          json_t* m = json_array_get(messages.get(), i);
          srv.hub().send_event(s, "new_message", Json::borrow(m));
          const char* sender = json_string_value(json_object_get(m, "sender_id"));
          if (sender == nullptr || s->user_id != sender) {
            srv.note_delivered(json_integer_value(json_object_get(m, "chat_id")), s->user_id,
                               json_integer_value(json_object_get(m, "seq")));
          }
        }
        Json data = Json::object();
        if (id) data.set("id", id);
        data.set("chats", result.at("chats"));
        srv.hub().send_event(s, "sync_complete", data);
      });
}

// user_status {status: "online" | "away"}: the client's own presence (e.g. app in background).
void on_user_status(Server& srv, Session* s, const Frame& f) {
  FieldReader r(f.data);
  const auto status = r.str("status", true, 1, 10);
  if (status && *status != "online" && *status != "away") {
    r.add({"status", "invalid_choice", {{"choices", "online, away"}}});
  }
  r.done();
  if (srv.presence().status_of(s->user_id) != *status) {
    srv.presence().set_status(s->user_id, *status);
    srv.broadcast_status(s->user_id, status->c_str(), srv.router().chats_of(s->user_id));
  }
  if (f.id) send_ack(srv, s, f.id, "status", Json::str(*status));
}

using EventHandler = void (*)(Server&, Session*, const Frame&);

struct EventRow {
  const char* type;
  EventHandler handler;
};

// The one table of client events.
const EventRow kEvents[] = {
    {"ping", on_ping},
    {"join_chat", on_join_chat},
    {"leave_chat", on_leave_chat},
    {"typing_indicator", on_typing},
    {"call_answered", on_call_answered},
    {"call_declined", on_call_declined},
    {"call_ended", on_call_ended},
    {"location_update", on_location_update},
    {"location_share_start", on_location_share_start},
    {"location_share_stop", on_location_share_stop},
    {"message_read", on_message_read},
    {"send_message", on_send_message},
    {"sync", on_sync},
    {"user_status", on_user_status},
};

}  // namespace

void Server::announce_typing(Session* s, int64_t chat_id, bool is_typing) {
  Json data = Json::object().set("chat_id", chat_id).set("user_id", s->user_id).set("is_typing", is_typing);
  bus_.command({"PUBLISH", chat_channel(chat_id), bus_message("typing_indicator", data)});
  const std::string key = "nerutalk:chat_typing:" + std::to_string(chat_id);
  if (is_typing) {
    bus_.command({"HSET", key, s->user_id, std::to_string(now_ms())});
    bus_.command({"EXPIRE", key, std::to_string(TypingState::kTtlMs / 1000)});
  } else {
    bus_.command({"HDEL", key, s->user_id});
  }
}

void Server::handle_client_frame(Session* s, std::string_view text) {
  JsonParseError perr;
  const Json msg = parse_json(text, kMaxDepth, true, &perr);
  if (!msg) {
    send_error(*this, s, Json(), ApiError(Err::kInvalidJson));
    return;
  }
  Frame f;
  f.id = msg.at("id");
  if (f.id && !json_is_string(f.id.get()) && !json_is_integer(f.id.get())) f.id = Json();
  const Json type = msg.at("type");
  if (!type || !json_is_string(type.get())) {
    send_error(*this, s, f.id, ApiError(Err::kBadRequest));
    return;
  }
  f.type = json_string_value(type.get());
  f.data = msg.at("data");
  // A missing or non-object `data` reads as having no fields: handlers that need fields
  // answer with their 422 errors, and ping ignores it.
  if (!f.data || !json_is_object(f.data.get())) f.data = Json::object();
  for (const EventRow& row : kEvents) {
    if (f.type != row.type) continue;
    try {
      row.handler(*this, s, f);
    } catch (const ApiError& e) {
      send_error(*this, s, f.id, e);
    }
    return;
  }
  Json data = Json::object();
  if (f.id) data.set("id", f.id);
  data.set("code", "unknown_event").set("detail", tr(error_info(Err::kBadRequest).i18n_key, s->language));
  hub_.send_event(s, ev::kError, data);
}

}  // namespace nt::rt
