#include "ws_pool.hpp"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "unique_fd.hpp"
#include "ws_frame.hpp"

namespace nt::bench {
namespace {

constexpr int64_t kHandshakeTimeoutNs = 15'000'000'000;
constexpr size_t kMaxHandshakeBytes = 16 * 1024;
constexpr size_t kMaxMessageBytes = 4 << 20;

int64_t mono_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string header_value(std::string_view head, std::string_view name) {
  size_t p = 0;
  while ((p = head.find("\r\n", p)) != std::string_view::npos) {
    p += 2;
    const size_t end = head.find("\r\n", p);
    const std::string_view line = head.substr(p, end == std::string_view::npos ? end : end - p);
    const size_t colon = line.find(':');
    if (colon == name.size() && strncasecmp(line.data(), name.data(), name.size()) == 0) {
      std::string_view v = line.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
      return std::string(v);
    }
  }
  return {};
}

}  // namespace

struct WsPool::Conn {
  enum class State { kConnecting, kHandshake, kOpen, kDone };
  UniqueFd fd;
  State state = State::kConnecting;
  uint64_t tag = 0;
  std::string path;     // until the handshake is sent
  std::string key;      // Sec-WebSocket-Key, until the 101 is checked
  std::string rx;       // received bytes not parsed yet
  std::string message;  // a fragmented message being assembled
  uint8_t message_opcode = 0;
  std::string tx;  // bytes not sent yet
  bool watching_out = false;
  int64_t deadline_ns = 0;  // end of the handshake
};

struct WsPool::Worker {
  int index = 0;
  UniqueFd epoll;
  UniqueFd wake;  // eventfd: new pending connections or stop
  std::thread thread;
  std::vector<std::unique_ptr<Conn>> conns;  // this thread's; kept until the thread ends
  int in_flight = 0;                         // handshakes started and not settled
  uint64_t rng = 0;
};

WsPool::WsPool(const sockaddr_in& addr, std::string host_header, int threads, WsHandler& handler,
               int max_handshakes)
    : addr_(addr),
      host_header_(std::move(host_header)),
      handler_(handler),
      max_handshakes_(max_handshakes) {
  for (int i = 0; i < threads; ++i) {
    auto w = std::make_unique<Worker>();
    w->index = i;
    w->rng = 0x5EED0000ULL + static_cast<uint64_t>(i) * 7919;
    w->epoll.reset(::epoll_create1(EPOLL_CLOEXEC));
    w->wake.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!w->epoll.valid() || !w->wake.valid()) {
      throw std::system_error(errno, std::generic_category(), "epoll/eventfd");
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;
    ::epoll_ctl(w->epoll.get(), EPOLL_CTL_ADD, w->wake.get(), &ev);
    workers_.push_back(std::move(w));
  }
  for (auto& w : workers_) w->thread = std::thread([this, wp = w.get()] { run_worker(*wp); });
}

WsPool::~WsPool() {
  stop();
}

void WsPool::open(std::vector<WsOpenRequest> requests) {
  {
    std::lock_guard lock(pending_mutex_);
    for (auto& r : requests) pending_.push_back(std::move(r));
  }
  queued_ += requests.size();
  const uint64_t one = 1;
  for (auto& w : workers_) [[maybe_unused]] auto n = ::write(w->wake.get(), &one, sizeof one);
}

bool WsPool::wait_settled(double timeout_s) const {
  const int64_t deadline = mono_ns() + static_cast<int64_t>(timeout_s * 1e9);
  while (opened_ + open_failed_ < queued_) {
    if (mono_ns() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

uint64_t WsPool::open_now() const {
  return opened_ - closed_;
}

WsPoolStats WsPool::stats() const {
  WsPoolStats s;
  s.opened = opened_;
  s.open_failed = open_failed_;
  s.closed = closed_;
  s.pings = pings_;
  s.texts = texts_;
  std::lock_guard lock(error_mutex_);
  s.first_error = first_error_;
  return s;
}

void WsPool::stop() {
  if (stopped_) return;
  stopped_ = true;
  stopping_ = true;
  const uint64_t one = 1;
  for (auto& w : workers_) [[maybe_unused]] auto n = ::write(w->wake.get(), &one, sizeof one);
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
}

void WsPool::note_error(const std::string& why) {
  std::lock_guard lock(error_mutex_);
  if (first_error_.empty()) first_error_ = why;
}

void WsPool::run_worker(Worker& w) {
  epoll_event events[256];
  int64_t next_expiry_check = 0;
  while (!stopping_) {
    start_pending(w);
    const int n = ::epoll_wait(w.epoll.get(), events, 256, 50);
    if (n < 0 && errno != EINTR) {
      note_error(std::string("epoll_wait: ") + std::strerror(errno));
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (events[i].data.ptr == nullptr) {
        uint64_t v;
        [[maybe_unused]] auto r = ::read(w.wake.get(), &v, sizeof v);
        continue;
      }
      on_event(w, *static_cast<Conn*>(events[i].data.ptr), events[i].events);
    }
    const int64_t now = mono_ns();
    if (now >= next_expiry_check) {
      expire_handshakes(w, now);
      next_expiry_check = now + 250'000'000;
    }
  }
  // Leaving: a polite close on every open connection (best effort), then the sockets go.
  for (auto& c : w.conns) {
    if (c->state == Conn::State::kOpen) {
      const char code[2] = {0x03, static_cast<char>(0xE8)};  // 1000
      queue_frame(w, *c, ws_opcode::kClose, std::string_view(code, 2));
      ::send(c->fd.get(), c->tx.data(), c->tx.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    c->fd.reset();
  }
}

void WsPool::start_pending(Worker& w) {
  while (w.in_flight < max_handshakes_) {
    WsOpenRequest req;
    {
      std::lock_guard lock(pending_mutex_);
      if (pending_.empty()) return;
      req = std::move(pending_.front());
      pending_.pop_front();
    }
    auto c = std::make_unique<Conn>();
    Conn& conn = *c;
    w.conns.push_back(std::move(c));
    ++w.in_flight;
    conn.tag = req.tag;
    conn.path = std::move(req.path);
    conn.deadline_ns = mono_ns() + kHandshakeTimeoutNs;
    conn.fd.reset(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!conn.fd.valid()) {
      fail(w, conn, std::string("socket: ") + std::strerror(errno));
      continue;
    }
    const int one = 1;
    ::setsockopt(conn.fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(conn.fd.get(), reinterpret_cast<const sockaddr*>(&addr_), sizeof addr_) != 0 &&
        errno != EINPROGRESS) {
      fail(w, conn, std::string("connect: ") + std::strerror(errno));
      continue;
    }
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLIN;
    ev.data.ptr = &conn;
    conn.watching_out = true;
    if (::epoll_ctl(w.epoll.get(), EPOLL_CTL_ADD, conn.fd.get(), &ev) != 0) {
      fail(w, conn, std::string("epoll_ctl: ") + std::strerror(errno));
    }
  }
}

void WsPool::on_event(Worker& w, Conn& c, uint32_t events) {
  if (c.state == Conn::State::kDone) return;
  if (c.state == Conn::State::kConnecting) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(c.fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return fail(w, c, std::string("connect: ") + std::strerror(err));
    if (events & (EPOLLOUT | EPOLLIN)) on_connected(w, c);
    return;
  }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(w, c);
  if (c.state != Conn::State::kDone && (events & EPOLLOUT) && flush(w, c)) update_interest(w, c);
}

void WsPool::on_connected(Worker& w, Conn& c) {
  c.key = ws_make_key(w.rng++ ^ c.tag);
  c.tx = "GET " + c.path + " HTTP/1.1\r\nHost: " + host_header_ +
         "\r\nUser-Agent: nerutalk-bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: " +
         c.key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
  c.path.clear();
  c.path.shrink_to_fit();
  c.state = Conn::State::kHandshake;
  if (flush(w, c)) update_interest(w, c);
}

bool WsPool::flush(Worker& w, Conn& c) {
  while (!c.tx.empty()) {
    const ssize_t n = ::send(c.fd.get(), c.tx.data(), c.tx.size(), MSG_NOSIGNAL);
    if (n > 0) {
      c.tx.erase(0, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    fail(w, c, std::string("send: ") + std::strerror(errno));
    return false;
  }
  return true;
}

void WsPool::update_interest(Worker& w, Conn& c) {
  const bool want_out = !c.tx.empty();
  if (want_out == c.watching_out) return;
  epoll_event ev{};
  ev.events = want_out ? (EPOLLIN | EPOLLOUT) : uint32_t{EPOLLIN};
  ev.data.ptr = &c;
  ::epoll_ctl(w.epoll.get(), EPOLL_CTL_MOD, c.fd.get(), &ev);
  c.watching_out = want_out;
}

void WsPool::on_readable(Worker& w, Conn& c) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::recv(c.fd.get(), buf, sizeof buf, 0);
    if (n > 0) {
      c.rx.append(buf, static_cast<size_t>(n));
      if (static_cast<size_t>(n) < sizeof buf) break;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    // EOF or reset: whatever arrived before it is still handled below.
    const bool ok = c.state == Conn::State::kHandshake ? on_handshake_bytes(w, c) : on_frames(w, c);
    if (ok && c.state != Conn::State::kDone) {
      fail(w, c,
           n == 0 ? "the server closed the connection without a close frame"
                  : std::string("recv: ") + std::strerror(errno));
    }
    return;
  }
  const bool ok = c.state == Conn::State::kHandshake ? on_handshake_bytes(w, c) : on_frames(w, c);
  if (ok && c.state != Conn::State::kDone && flush(w, c)) update_interest(w, c);
}

bool WsPool::on_handshake_bytes(Worker& w, Conn& c) {
  const size_t end = c.rx.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (c.rx.size() > kMaxHandshakeBytes) fail(w, c, "handshake response too long");
    return c.state != Conn::State::kDone;
  }
  const std::string_view head(c.rx.data(), end + 2);
  if (!head.starts_with("HTTP/1.1 101")) {
    const std::string body = c.rx.substr(end + 4, 160);
    fail(w, c, "handshake refused: " + std::string(head.substr(0, head.find("\r\n"))) + " " + body);
    return false;
  }
  if (header_value(head, "Sec-WebSocket-Accept") != ws_accept_for(c.key)) {
    fail(w, c, "handshake: wrong Sec-WebSocket-Accept");
    return false;
  }
  c.rx.erase(0, end + 4);
  c.key.clear();
  c.key.shrink_to_fit();
  c.state = Conn::State::kOpen;
  --w.in_flight;
  ++opened_;
  return on_frames(w, c);
}

bool WsPool::on_frames(Worker& w, Conn& c) {
  size_t offset = 0;
  for (;;) {
    WsFrame f;
    size_t used = 0;
    std::string error;
    const WsParse r = ws_parse_server_frame(std::string_view(c.rx).substr(offset), f, used, error);
    if (r == WsParse::kNeedMore) break;
    if (r == WsParse::kError) {
      fail(w, c, "protocol: " + error);
      return false;
    }
    offset += used;
    switch (f.opcode) {
      case ws_opcode::kText:
      case ws_opcode::kBinary:
      case ws_opcode::kContinuation: {
        if (f.opcode != ws_opcode::kContinuation) {
          c.message_opcode = f.opcode;
          if (f.fin) {  // the common case: a whole message in one frame, no copy
            if (f.opcode == ws_opcode::kText) {
              ++texts_;
              handler_.on_text(w.index, c.tag, f.payload);
            }
            break;
          }
          c.message.assign(f.payload);
        } else {
          c.message.append(f.payload);
        }
        if (c.message.size() > kMaxMessageBytes) {
          fail(w, c, "protocol: message over 4 MiB");
          return false;
        }
        if (f.fin) {
          if (c.message_opcode == ws_opcode::kText) {
            ++texts_;
            handler_.on_text(w.index, c.tag, c.message);
          }
          c.message.clear();
        }
        break;
      }
      case ws_opcode::kPing:
        ++pings_;
        queue_frame(w, c, ws_opcode::kPong, f.payload);
        break;
      case ws_opcode::kPong:
        break;
      case ws_opcode::kClose: {
        int code = 0;
        if (f.payload.size() >= 2) {
          code = (static_cast<uint8_t>(f.payload[0]) << 8) | static_cast<uint8_t>(f.payload[1]);
        }
        const std::string reason(f.payload.size() > 2 ? f.payload.substr(2) : std::string_view());
        queue_frame(w, c, ws_opcode::kClose, f.payload.substr(0, 2));
        ::send(c.fd.get(), c.tx.data(), c.tx.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        fail(w, c, "the server closed the connection: " + std::to_string(code) + " " + reason);
        return false;
      }
      default:
        fail(w, c, "protocol: unknown opcode " + std::to_string(f.opcode));
        return false;
    }
  }
  c.rx.erase(0, offset);
  return true;
}

void WsPool::queue_frame(Worker& w, Conn& c, uint8_t opcode, std::string_view payload) {
  w.rng = w.rng * 6364136223846793005ULL + 1442695040888963407ULL;
  c.tx += ws_client_frame(opcode, payload, static_cast<uint32_t>(w.rng >> 32));
}

void WsPool::fail(Worker& w, Conn& c, const std::string& why) {
  if (c.state == Conn::State::kDone) return;
  if (c.state == Conn::State::kOpen) {
    if (!stopping_) ++closed_;
  } else {
    --w.in_flight;
    ++open_failed_;
  }
  if (!stopping_) note_error(why);
  c.state = Conn::State::kDone;
  c.fd.reset();  // also leaves the epoll set
  c.rx = std::string();
  c.tx = std::string();
  c.message = std::string();
}

void WsPool::expire_handshakes(Worker& w, int64_t now_ns) {
  if (w.in_flight == 0) return;
  for (auto& c : w.conns) {
    if ((c->state == Conn::State::kConnecting || c->state == Conn::State::kHandshake) &&
        now_ns > c->deadline_ns) {
      fail(w, *c, "handshake timed out after 15 s");
    }
  }
}

}  // namespace nt::bench
