#include "load_worker.hpp"

#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string_view>
#include <system_error>
#include <vector>

#include "http_response_parser.hpp"
#include "unique_fd.hpp"

namespace nt::bench {

int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {

constexpr int kMaxEvents = 256;
constexpr size_t kReadBufferSize = 64 * 1024;
// Timeouts and pending reconnects are looked at this often, not on every wakeup, so the scan
// over all connections stays off the hot path.
constexpr int64_t kSweepIntervalNs = 10'000'000;
// After repeated failures a connection waits 20, 40 ... 100 ms before retrying, so a stopped
// server is not hammered with a busy loop of refused connects.
constexpr int64_t kBackoffStepNs = 20'000'000;
constexpr int kMaxBackoffSteps = 5;

enum class ConnState { kIdle, kConnecting, kWriting, kReading };

struct Connection {
  UniqueFd fd;
  ConnState state = ConnState::kIdle;
  uint32_t generation = 0;  // bumped on every reopen so stale epoll events can be ignored
  uint32_t interest = 0;    // events registered with epoll; 0 when not registered
  size_t request = 0;       // index in plan.requests of the current request
  size_t sent = 0;          // bytes of the request written so far
  int64_t start_ns = 0;     // when the current request became due
  int64_t retry_at_ns = 0;  // kIdle: when to reconnect
  int consecutive_failures = 0;
  HttpResponseParser parser;
};

class LoadWorker {
 public:
  LoadWorker(const LoadPlan& plan, int connections, WorkerResult& out)
      : plan_(plan),
        out_(out),
        epoll_(epoll_create1(EPOLL_CLOEXEC)),
        conns_(static_cast<size_t>(connections)),
        buffer_(kReadBufferSize) {
    if (!epoll_.valid()) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  }

  void run();

 private:
  void open(size_t i, int64_t now);
  void begin_request(size_t i);
  void on_event(size_t i);
  void write_some(size_t i);
  void read_some(size_t i);
  void complete(size_t i);
  void fail(size_t i, int64_t now, std::string_view what, int err);
  bool set_interest(size_t i, uint32_t events);
  void sweep(int64_t now);
  bool recording(int64_t t) const { return t >= plan_.record_start_ns && t < plan_.record_end_ns; }

  const LoadPlan& plan_;
  WorkerResult& out_;
  UniqueFd epoll_;
  std::vector<Connection> conns_;
  std::vector<char> buffer_;  // shared by all connections: each read is parsed at once
  size_t next_request_ = 0;   // the plan's requests are handed out in turn
  int64_t next_sweep_ns_ = 0;
};

void LoadWorker::run() {
  int64_t now = steady_now_ns();
  next_sweep_ns_ = now + kSweepIntervalNs;
  for (size_t i = 0; i < conns_.size(); ++i) open(i, now);
  epoll_event events[kMaxEvents];
  while (true) {
    now = steady_now_ns();
    if (now >= plan_.record_end_ns) return;
    if (now >= next_sweep_ns_) sweep(now);
    // Round up so a sub-millisecond wait does not become a busy loop of zero timeouts.
    const int64_t wait_ns =
        std::max<int64_t>(0, std::min(plan_.record_end_ns, next_sweep_ns_) - now);
    const int n = epoll_wait(epoll_.get(), events, kMaxEvents,
                             static_cast<int>((wait_ns + 999'999) / 1'000'000));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "epoll_wait");
    }
    for (int k = 0; k < n; ++k) {
      const uint64_t data = events[k].data.u64;
      const auto i = static_cast<size_t>(static_cast<uint32_t>(data));
      const auto generation = static_cast<uint32_t>(data >> 32);
      // An event may belong to a connection closed earlier in this same batch.
      if (conns_[i].generation == generation && conns_[i].fd.valid()) on_event(i);
    }
  }
}

void LoadWorker::open(size_t i, int64_t now) {
  Connection& c = conns_[i];
  c.fd.reset(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  ++c.generation;
  c.interest = 0;
  c.start_ns = now;
  if (!c.fd.valid()) return fail(i, now, "socket", errno);
  // Each request goes out in one write; without this Nagle could hold it back waiting for ACKs.
  const int one = 1;
  setsockopt(c.fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const auto* addr = reinterpret_cast<const sockaddr*>(&plan_.addr);
  if (connect(c.fd.get(), addr, sizeof plan_.addr) == 0) return begin_request(i);
  if (errno != EINPROGRESS) return fail(i, now, "connect", errno);
  c.state = ConnState::kConnecting;
  set_interest(i, EPOLLOUT);
}

void LoadWorker::begin_request(size_t i) {
  Connection& c = conns_[i];
  c.state = ConnState::kWriting;
  c.request = next_request_++ % plan_.requests.size();
  c.sent = 0;
  c.parser.reset(plan_.head_request);
  write_some(i);
}

void LoadWorker::on_event(size_t i) {
  Connection& c = conns_[i];
  switch (c.state) {
    case ConnState::kConnecting: {
      int err = 0;
      socklen_t len = sizeof err;
      if (getsockopt(c.fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      if (err != 0) return fail(i, steady_now_ns(), "connect", err);
      return begin_request(i);
    }
    case ConnState::kWriting:
      return write_some(i);  // writable, or an error that send() will report
    case ConnState::kReading:
      return read_some(i);
    case ConnState::kIdle:
      return;
  }
}

void LoadWorker::write_some(size_t i) {
  Connection& c = conns_[i];
  const std::string& request = plan_.requests[c.request];
  while (c.sent < request.size()) {
    const ssize_t n =
        send(c.fd.get(), request.data() + c.sent, request.size() - c.sent, MSG_NOSIGNAL);
    if (n > 0) {
      c.sent += static_cast<size_t>(n);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      set_interest(i, EPOLLOUT);
      return;
    } else if (errno != EINTR) {
      return fail(i, steady_now_ns(), "send", errno);
    }
  }
  // Usually already EPOLLIN from the previous request, so this costs no system call.
  c.state = ConnState::kReading;
  set_interest(i, EPOLLIN);
}

void LoadWorker::read_some(size_t i) {
  Connection& c = conns_[i];
  // One read per wakeup: epoll is level-triggered and reports again if more is waiting, and a
  // typical response fits, so looping until EAGAIN would only add a system call.
  const ssize_t n = recv(c.fd.get(), buffer_.data(), buffer_.size(), 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    return fail(i, steady_now_ns(), "recv", errno);
  }
  if (n == 0) {
    if (c.parser.on_eof() == HttpResponseParser::Status::kDone) return complete(i);
    return fail(i, steady_now_ns(), c.parser.error(), 0);
  }
  const auto result = c.parser.feed(buffer_.data(), static_cast<size_t>(n));
  switch (result.status) {
    case HttpResponseParser::Status::kNeedMore:
      return;
    case HttpResponseParser::Status::kError:
      return fail(i, steady_now_ns(), c.parser.error(), 0);
    case HttpResponseParser::Status::kDone:
      if (result.consumed != static_cast<size_t>(n)) {
        return fail(i, steady_now_ns(), "bytes after the end of the response", 0);
      }
      return complete(i);
  }
}

void LoadWorker::complete(size_t i) {
  Connection& c = conns_[i];
  const int64_t now = steady_now_ns();
  if (recording(now)) {
    out_.latencies.record(static_cast<uint64_t>(now - c.start_ns));
    const int status = c.parser.status_code();
    if (status < 200 || status > 299) ++out_.non_2xx;
  }
  c.consecutive_failures = 0;
  // The server closing after a response is ordinary HTTP, not an error: reconnect and go on.
  if (!c.parser.keep_alive()) return open(i, now);
  c.start_ns = now;
  begin_request(i);
}

void LoadWorker::fail(size_t i, int64_t now, std::string_view what, int err) {
  Connection& c = conns_[i];
  if (recording(now)) {
    ++out_.errors;
    if (out_.first_error.empty()) {
      out_.first_error = what;
      if (err != 0) out_.first_error += ": " + std::generic_category().message(err);
    }
  }
  c.fd.reset();  // also removes it from the epoll set
  c.interest = 0;
  c.state = ConnState::kIdle;
  ++c.consecutive_failures;
  const int steps = std::min(c.consecutive_failures - 1, kMaxBackoffSteps);
  c.retry_at_ns = now + steps * kBackoffStepNs;
  next_sweep_ns_ = std::min(next_sweep_ns_, c.retry_at_ns);
}

// Registers or changes the events watched for connection i; false (and the connection failed)
// if epoll refuses.
bool LoadWorker::set_interest(size_t i, uint32_t events) {
  Connection& c = conns_[i];
  if (c.interest == events) return true;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = (static_cast<uint64_t>(c.generation) << 32) | static_cast<uint32_t>(i);
  const int op = c.interest == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  if (epoll_ctl(epoll_.get(), op, c.fd.get(), &ev) != 0) {
    fail(i, steady_now_ns(), "epoll_ctl", errno);
    return false;
  }
  c.interest = events;
  return true;
}

void LoadWorker::sweep(int64_t now) {
  next_sweep_ns_ = now + kSweepIntervalNs;
  for (size_t i = 0; i < conns_.size(); ++i) {
    Connection& c = conns_[i];
    if (c.state == ConnState::kIdle) {
      if (c.retry_at_ns <= now) {
        open(i, now);
      } else {
        next_sweep_ns_ = std::min(next_sweep_ns_, c.retry_at_ns);
      }
    } else if (now - c.start_ns >= plan_.request_timeout_ns) {
      fail(i, now, "request timed out", 0);
    }
  }
}

}  // namespace

void run_load_worker(const LoadPlan& plan, int connections, WorkerResult& out) {
  LoadWorker(plan, connections, out).run();
}

}  // namespace nt::bench
