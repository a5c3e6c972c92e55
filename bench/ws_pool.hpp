// Many WebSocket client connections on a few epoll threads (no thread per socket), for the
// realtime benchmarks. Each thread owns the connections it opened and touches only those;
// other threads hand it work through a locked queue (the pending handshakes) and read the
// counters, which are atomics. The pool answers server pings with pongs, answers a close
// frame with one, and hands every complete text message to the WsHandler on the thread that
// received it. Loopback only: the address comes from parse_target_url.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace nt::bench {

// Receives what the connections get. Called on pool threads, concurrently from different
// threads; `thread` (0..threads-1) lets an implementation keep per-thread state without locks.
class WsHandler {
 public:
  virtual ~WsHandler() = default;
  virtual void on_text(int thread, uint64_t tag, std::string_view text) = 0;
};

// One connection to open: the request path ("/ws?ticket=...") and a caller's tag for it.
struct WsOpenRequest {
  std::string path;
  uint64_t tag = 0;
};

struct WsPoolStats {
  uint64_t opened = 0;       // handshakes answered 101 with the right Sec-WebSocket-Accept
  uint64_t open_failed = 0;  // refused, reset, timed out, or not 101
  uint64_t closed = 0;       // opened connections that ended before stop()
  uint64_t pings = 0;        // server pings answered with a pong
  uint64_t texts = 0;        // text messages handed to the handler
  std::string first_error;   // the first failure, for the person reading the output
};

class WsPool {
 public:
  // Starts `threads` epoll threads. `max_handshakes` bounds the handshakes in flight per thread
  // (each one is an auth_request to the API behind nginx).
  WsPool(const sockaddr_in& addr, std::string host_header, int threads, WsHandler& handler,
         int max_handshakes = 32);
  ~WsPool();  // stop()
  WsPool(const WsPool&) = delete;
  WsPool& operator=(const WsPool&) = delete;

  // Queues connections; returns at once. Any thread.
  void open(std::vector<WsOpenRequest> requests);
  // Waits until every queued connection has opened or failed; false after `timeout_s`.
  bool wait_settled(double timeout_s) const;
  // Connections open right now.
  uint64_t open_now() const;
  WsPoolStats stats() const;
  // Sends a close frame on every connection, closes the sockets and joins the threads.
  // Idempotent; the destructor calls it.
  void stop();

 private:
  struct Conn;
  struct Worker;

  void run_worker(Worker& w);
  void start_pending(Worker& w);
  void on_event(Worker& w, Conn& c, uint32_t events);
  void on_connected(Worker& w, Conn& c);
  void on_readable(Worker& w, Conn& c);
  bool on_handshake_bytes(Worker& w, Conn& c);
  bool on_frames(Worker& w, Conn& c);
  void queue_frame(Worker& w, Conn& c, uint8_t opcode, std::string_view payload);
  bool flush(Worker& w, Conn& c);
  void update_interest(Worker& w, Conn& c);
  void fail(Worker& w, Conn& c, const std::string& why);
  void expire_handshakes(Worker& w, int64_t now_ns);
  void note_error(const std::string& why);

  const sockaddr_in addr_;
  const std::string host_header_;
  WsHandler& handler_;
  const int max_handshakes_;
  std::vector<std::unique_ptr<Worker>> workers_;

  std::mutex pending_mutex_;
  std::deque<WsOpenRequest> pending_;  // guarded by pending_mutex_
  std::atomic<uint64_t> queued_{0};
  std::atomic<uint64_t> opened_{0}, open_failed_{0}, closed_{0}, pings_{0}, texts_{0};
  std::atomic<bool> stopping_{false};
  mutable std::mutex error_mutex_;
  std::string first_error_;  // guarded by error_mutex_
  bool stopped_ = false;     // stop() caller's thread only
};

}  // namespace nt::bench
