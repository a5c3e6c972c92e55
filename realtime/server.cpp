#include "server.hpp"

#include <algorithm>
#include <cstring>

#include "call_service.hpp"
#include "location_nearby.hpp"
#include "location_service.hpp"
#include "chat_service.hpp"
#include "crypto.hpp"
#include "errors.hpp"
#include "i18n.hpp"
#include "events.hpp"
#include "log.hpp"
#include "push_jobs.hpp"
#include "storage_gc.hpp"
#include "time_util.hpp"
#include "user_settings.hpp"

namespace nt::rt {
namespace {

constexpr int kHeaderMax = 600;

// The per-session data lws allocates for us holds only a pointer to our Session.
struct Pss {
  Session* session;
};

// rx_buffer_size is allocated per connection at the upgrade: kept small so an idle socket costs
// little; longer messages arrive in pieces that on_receive reassembles (bounded).
const lws_protocols kProtocols[] = {
    {"nerutalk", Server::callback, sizeof(Pss), 1024, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

Server* server_of(lws* wsi) { return static_cast<Server*>(lws_context_user(lws_get_context(wsi))); }

}  // namespace

Server::Server(const Config& cfg, uv_loop_t* loop)
    : cfg_(cfg),
      loop_(loop),
      hub_(cfg),
      bus_(loop, cfg.redis_url, "nerutalk:heartbeat:" + cfg.realtime_node_id + ":" + random_token(6)),
      presence_(bus_, cfg.realtime_node_id, cfg.presence_ttl_seconds),
      router_(bus_),
      workers_(cfg, loop, static_cast<int>(cfg.realtime_workers)),
      jobs_(loop, workers_) {
  const uint64_t gc_ms = static_cast<uint64_t>(cfg.storage_gc_interval_seconds) * 1000;
  jobs_.add("call-ring-timeout", 1000, 1000, [](Deps& d) { expire_rings(d); });
  jobs_.add("location-share-expiry", 1000, 1000, [](Deps& d) { expire_shares(d); });
  const uint64_t retention_ms = static_cast<uint64_t>(cfg.location_retention_interval_seconds) * 1000;
  jobs_.add("location-history-retention", retention_ms, retention_ms,
            [](Deps& d) { purge_location_history(d); });
  jobs_.add("storage-gc", gc_ms, gc_ms, [](Deps& d) {
    const StorageGcStats st = collect_storage(d);
    if (st.expired_files + st.removed_intents + st.postponed > 0) {
      log_info("storage gc: %lld temp uploads expired, %lld removals done, %lld postponed",
               static_cast<long long>(st.expired_files), static_cast<long long>(st.removed_intents),
               static_cast<long long>(st.postponed));
    }
  });
  for (uv_timer_t* t : {&presence_timer_, &typing_timer_, &delivery_timer_, &stop_timer_}) {
    uv_timer_init(loop_, t);
    t->data = this;
  }
  hub_.on_first_session = [this](const std::string& user_id) { bus_.subscribe(user_channel(user_id)); };
  hub_.on_session_closed = [this](const std::string& user_id, const Session& s) {
    // Who hears "offline" is decided now: once the user's last local connection is gone the
    // router forgets them. Unknown while their chats are still loading here (load_user).
    std::optional<std::vector<int64_t>> audience;
    if (router_.knows_user(user_id)) {
      auto vis = shows_online_.find(user_id);
      const bool visible = vis == shows_online_.end() || vis->second;
      audience = visible ? router_.chats_of(user_id) : std::vector<int64_t>{};
    }
    presence_.disconnected(user_id, s.id, [this, user_id, audience] {
      announce_offline(user_id, audience);
    });
  };
  hub_.on_last_session = [this](const std::string& user_id) {
    bus_.unsubscribe(user_channel(user_id));
    router_.forget_user(user_id);
    presence_.forget(user_id);
    shows_online_.erase(user_id);
    announce_online_.erase(user_id);
  };
  bus_.on_message = [this](const std::string& ch, std::string_view p) { on_bus_message(ch, p); };
  bus_.on_resubscribed = [this] { on_resubscribed(); };
}

Server::~Server() = default;

bool Server::start() {
  if (!add_push_jobs(jobs_, cfg_)) return false;
  retry_.secs_since_valid_ping = static_cast<uint16_t>(cfg_.ws_ping_interval_seconds);
  retry_.secs_since_valid_hangup = static_cast<uint16_t>(cfg_.ws_pong_timeout_seconds);

  lws_context_creation_info info;
  std::memset(&info, 0, sizeof info);
  void* loops[] = {loop_};
  info.port = static_cast<int>(cfg_.realtime_port);
  info.iface = cfg_.realtime_host.c_str();
  info.protocols = kProtocols;
  info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_VALIDATE_UTF8 |
                 LWS_SERVER_OPTION_DISABLE_IPV6;
  info.foreign_loops = loops;
  info.user = this;
  info.retry_and_idle_policy = &retry_;
  info.timeout_secs = 10;  // handshake must finish in 10 s (slowloris)
  info.vhost_name = "nerutalk";
  info.max_http_header_data = 4096;
  context_ = lws_create_context(&info);
  if (context_ == nullptr) {
    log_error("realtime: cannot create the lws context on %s:%lld", cfg_.realtime_host.c_str(),
              static_cast<long long>(cfg_.realtime_port));
    return false;
  }
  bus_.start();
  const uint64_t every_ms = static_cast<uint64_t>(cfg_.presence_ttl_seconds) * 1000 / 3;
  uv_timer_start(&presence_timer_, on_presence_timer, every_ms, every_ms);
  uv_timer_start(&typing_timer_, on_typing_timer, 1000, 1000);
  uv_timer_start(&delivery_timer_, on_delivery_timer, 250, 250);
  jobs_.start();
  log_info("nerutalk-realtime %s listening on %s:%lld", cfg_.realtime_node_id.c_str(),
           cfg_.realtime_host.c_str(), static_cast<long long>(cfg_.realtime_port));
  return true;
}

void Server::stop() {
  if (stopping_) return;
  stopping_ = true;
  log_info("realtime: stopping; closing %zu connections with 1001", hub_.size());
  for (Session* s : hub_.all()) hub_.close(s, close_code::kGoingAway, "server restart");
  flush_deliveries();
  uv_timer_stop(&presence_timer_);
  uv_timer_stop(&typing_timer_);
  uv_timer_stop(&delivery_timer_);
  jobs_.stop();
  uv_timer_start(&stop_timer_, on_stop_timer, 500, 0);
}

void Server::on_stop_timer(uv_timer_t* t) {
  auto* srv = static_cast<Server*>(t->data);
  lws_context_destroy(srv->context_);
  srv->context_ = nullptr;
  srv->workers_.stop();
  srv->bus_.stop();
  for (uv_timer_t* t : {&srv->presence_timer_, &srv->typing_timer_, &srv->delivery_timer_,
                        &srv->stop_timer_}) {
    uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
  }
  // lws may keep internal handles on a foreign loop after destroy; nothing is left to do.
  uv_stop(srv->loop_);
}

void Server::on_presence_timer(uv_timer_t* t) {
  auto* srv = static_cast<Server*>(t->data);
  std::vector<std::pair<std::string, uint64_t>> conns;
  for (Session* s : srv->hub_.all()) conns.emplace_back(s->user_id, s->id);
  srv->presence_.refresh(conns);
}

int Server::on_filter(lws* wsi) {
  char uri[256];
  if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0 || std::strcmp(uri, "/ws") != 0) {
    return -1;
  }
  // Only nginx, after the API approved the handshake, can produce this header.
  char assertion[kHeaderMax];
  const int n = lws_hdr_custom_copy(wsi, assertion, sizeof assertion, "x-nt-assertion:", 15);
  if (n <= 0) {
    log_warn("realtime: handshake without a gateway assertion refused");
    return -1;
  }
  auto id = verify_ws_assertion(std::string_view(assertion, static_cast<size_t>(n)),
                                cfg_.jwt_secret_key, now_s());
  if (!id) {
    log_warn("realtime: handshake with an invalid gateway assertion refused");
    return -1;
  }
  pending_[wsi] = std::move(*id);
  return 0;
}

void Server::on_established(lws* wsi, void* user) {
  auto it = pending_.find(wsi);
  auto s = std::make_unique<Session>();
  s->wsi = wsi;
  s->user_id = it->second.user_id;
  s->session_id = it->second.session_id;
  s->language = it->second.language;
  s->window_start_ms = now_ms();
  pending_.erase(it);
  Session* session = hub_.add(std::move(s));
  static_cast<Pss*>(user)->session = session;
  // A logout between the handshake check and now would have been missed on the bus.
  check_revoked(session);
  // Presence counts the connection first, and `connected` goes out once Redis has it, so a
  // make-before-break reconnect (even on another daemon) never shows the user offline.
  // Announcing "online" needs the user's chats, which the first local connection loads.
  const std::string user_id = session->user_id;
  const uint64_t sid = session->id;
  presence_.connected(user_id, sid, [this, user_id, sid](bool first) {
    if (Session* s = hub_.find(sid)) {
      hub_.send_event(s, ev::kConnected,
                      Json::object()
                          .set("user_id", s->user_id)
                          .set("session_id", s->session_id)
                          .set("heartbeat_seconds", cfg_.ws_ping_interval_seconds));
    }
    if (!first) return;
    if (router_.knows_user(user_id)) {
      broadcast_status(user_id, "online", router_.chats_of(user_id));
    } else {
      announce_online_.insert(user_id);
    }
  });
  if (!router_.knows_user(user_id) && hub_.sessions_of(user_id).size() == 1) load_user(user_id);
}

// The first local connection of a user: their chats (to route chat events) and privacy
// setting come from Postgres on a worker; then presence, announcing "online" when this is
// their first connection anywhere.
void Server::load_user(const std::string& user_id) {
  workers_.submit([this, user_id](Deps& d) {
    auto chats = chat_ids_of_user(d.pg, user_id);
    const bool shows = shows_online_status(d.pg, user_id);
    workers_.post([this, user_id, chats = std::move(chats), shows] {
      if (!hub_.has_user(user_id)) return;  // gone meanwhile
      router_.set_user_chats(user_id, chats);
      shows_online_[user_id] = shows;
      if (announce_online_.erase(user_id)) {
        broadcast_status(user_id, "online", router_.chats_of(user_id));
      }
    });
  });
}

// The user's last connection anywhere has closed: last_seen is recorded and the chats they
// share hear "offline". A connection that closed before this daemon had loaded the user's
// chats (a quick reconnect elsewhere, then closing) has no audience yet: the worker reads it,
// and the news is dropped if the user has connected here again meanwhile (then "online" is
// theirs to announce).
void Server::announce_offline(const std::string& user_id,
                              const std::optional<std::vector<int64_t>>& audience) {
  if (audience) broadcast_status(user_id, "offline", *audience);
  workers_.submit([this, user_id, loaded = audience.has_value()](Deps& d) {
    touch_last_seen(d.pg, user_id);
    if (loaded || !shows_online_status(d.pg, user_id)) return;
    workers_.post([this, user_id, chats = chat_ids_of_user(d.pg, user_id)] {
      if (!hub_.has_user(user_id)) broadcast_status(user_id, "offline", chats);
    });
  });
}

void Server::broadcast_status(const std::string& user_id, const char* status,
                              const std::vector<int64_t>& chats) {
  auto it = shows_online_.find(user_id);
  if (it != shows_online_.end() && !it->second) return;  // privacy: nobody hears it
  Json data = Json::object().set("user_id", user_id).set("status", status).set(
      "last_seen", std::string(status) == "offline" ? Json::str(format_rfc3339(now_ms())) : Json::null());
  const std::string payload = bus_message("user_status", data);
  for (int64_t c : chats) bus_.command({"PUBLISH", chat_channel(c), payload});
}

void Server::check_revoked(Session* s) {
  const uint64_t id = s->id;
  bus_.command({"EXISTS", key_revoked_session(s->session_id)}, [this, id](redisReply* r) {
    if (!r || r->type != REDIS_REPLY_INTEGER || r->integer == 0) return;
    if (Session* s = hub_.find(id)) hub_.close(s, close_code::kSessionRevoked, "session revoked");
  });
}

int Server::on_receive(lws*, Session* s, const void* in, size_t len) {
  // Closing: what the client still sends is dropped while the close handshake completes.
  if (s->close_code != 0) return 0;
  // lws does not cap messages: fragments (and pieces of one large frame) are reassembled here,
  // bounded (RELIABILITY F4/F5).
  if (s->rx.size() + len > static_cast<size_t>(cfg_.ws_max_message_bytes)) {
    s->rx.clear();
    hub_.close(s, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "message too big");
    return 0;
  }
  s->rx.append(static_cast<const char*>(in), len);
  if (!lws_is_final_fragment(s->wsi) || lws_remaining_packet_payload(s->wsi) > 0) return 0;
  // Rate limit per complete message (F12); a flood of fragments is bounded by the size cap.
  const int64_t now = now_ms();
  if (now - s->window_start_ms >= 10000) {
    s->window_start_ms = now;
    s->window_frames = 0;
  }
  if (++s->window_frames > cfg_.ws_rate_per_10s) {
    s->rx.clear();
    hub_.close(s, close_code::kRateLimited, "rate limited");
    return 0;
  }
  std::string msg;
  msg.swap(s->rx);
  if (lws_frame_is_binary(s->wsi)) {
    Json data = Json::object().set("code", "bad_request").set(
        "detail", tr(error_info(Err::kBadRequest).i18n_key, s->language));
    hub_.send_event(s, ev::kError, data);
    return 0;
  }
  handle_client_frame(s, msg);
  return 0;
}

int Server::on_writeable(lws* wsi, Session* s) {
  if (!s->queue.empty()) {
    std::string& frame = s->queue.front();
    const size_t n = frame.size() - LWS_PRE;
    const int wrote = lws_write(wsi, reinterpret_cast<unsigned char*>(frame.data()) + LWS_PRE, n,
                                LWS_WRITE_TEXT);
    if (wrote < static_cast<int>(n)) return -1;
    s->queued_bytes -= n;
    s->queue.pop_front();
    if (!s->queue.empty() || s->close_code != 0) lws_callback_on_writable(wsi);
    return 0;
  }
  if (s->close_code != 0 && !s->close_sent) {
    // In lws 4.1 a -1 from a writable callback (or a timeout) drops the socket without a close
    // frame, so the frame is written here (opcode value 4 is lws's internal LWS_WRITE_CLOSE,
    // the one lws_close_reason() uses); the peer's answering close ends the connection, and the
    // timeout ends it if the peer never answers.
    s->close_sent = true;
    std::string frame(LWS_PRE, '\0');
    frame += static_cast<char>((s->close_code >> 8) & 0xFF);
    frame += static_cast<char>(s->close_code & 0xFF);
    frame += s->close_reason.substr(0, 120);
    const size_t n = frame.size() - LWS_PRE;
    constexpr auto kWriteClose = static_cast<lws_write_protocol>(4);
    if (lws_write(wsi, reinterpret_cast<unsigned char*>(frame.data()) + LWS_PRE, n, kWriteClose) <
        static_cast<int>(n)) {
      return -1;
    }
    lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, 3);
  }
  return 0;
}

void Server::on_closed(Session* s) {
  for (int64_t c : s->typing.clear()) announce_typing(s, c, false);
  hub_.remove(s);
}

void Server::on_typing_timer(uv_timer_t* t) {
  auto* srv = static_cast<Server*>(t->data);
  const int64_t now = now_ms();
  for (Session* s : srv->hub_.all()) {
    for (int64_t c : s->typing.expire(now)) srv->announce_typing(s, c, false);
  }
}

void Server::on_delivery_timer(uv_timer_t* t) { static_cast<Server*>(t->data)->flush_deliveries(); }

void Server::note_delivered(int64_t chat_id, const std::string& user_id, int64_t seq) {
  int64_t& v = deliveries_[{chat_id, user_id}];
  v = std::max(v, seq);
}

int Server::callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
  Server* srv = server_of(wsi);
  auto* pss = static_cast<Pss*>(user);
  switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
      return srv->stopping_ ? -1 : srv->on_filter(wsi);
    case LWS_CALLBACK_ESTABLISHED:
      srv->on_established(wsi, user);
      return 0;
    case LWS_CALLBACK_RECEIVE:
      return pss && pss->session ? srv->on_receive(wsi, pss->session, in, len) : -1;
    case LWS_CALLBACK_SERVER_WRITEABLE:
      return pss && pss->session ? srv->on_writeable(wsi, pss->session) : 0;
    case LWS_CALLBACK_CLOSED:
      if (pss && pss->session) {
        srv->on_closed(pss->session);
        pss->session = nullptr;
      }
      return 0;
    case LWS_CALLBACK_WSI_DESTROY:
      srv->pending_.erase(wsi);
      return 0;
    default:
      return lws_callback_http_dummy(wsi, reason, user, in, len);
  }
}

}  // namespace nt::rt
