#include "client_events.hpp"

#include <cstring>

#include "errors.hpp"
#include "events.hpp"
#include "i18n.hpp"

namespace nt::rt {
namespace {

constexpr int kMaxDepth = 32;

struct Frame {
  std::string type;
  Json data;
  Json id;  // string or number, echoed back; empty when absent
};

using EventHandler = void (*)(Hub&, Session*, const Frame&);

void on_ping(Hub& hub, Session* s, const Frame& f) {
  Json data = Json::object();
  if (f.id) data.set("id", f.id);
  hub.send_event(s, ev::kPong, data);
}

struct EventRow {
  const char* type;
  EventHandler handler;
};

// The one table of client events.
const EventRow kEvents[] = {
    {"ping", on_ping},
};

void send_error(Hub& hub, Session* s, const Json& id, const char* code, Err err) {
  Json data = Json::object();
  if (id) data.set("id", id);
  data.set("code", code).set("detail", tr(error_info(err).i18n_key, s->language));
  hub.send_event(s, ev::kError, data);
}

}  // namespace

void handle_client_frame(Hub& hub, Session* s, std::string_view text) {
  JsonParseError perr;
  const Json msg = parse_json(text, kMaxDepth, true, &perr);
  if (!msg) {
    send_error(hub, s, Json(), "invalid_json", Err::kInvalidJson);
    return;
  }
  Frame f;
  f.id = msg.at("id");
  if (f.id && !json_is_string(f.id.get()) && !json_is_integer(f.id.get())) f.id = Json();
  const Json type = msg.at("type");
  if (!type || !json_is_string(type.get())) {
    send_error(hub, s, f.id, "bad_request", Err::kBadRequest);
    return;
  }
  f.type = json_string_value(type.get());
  f.data = msg.at("data");
  for (const EventRow& row : kEvents) {
    if (f.type == row.type) {
      row.handler(hub, s, f);
      return;
    }
  }
  send_error(hub, s, f.id, "unknown_event", Err::kBadRequest);
}

}  // namespace nt::rt
