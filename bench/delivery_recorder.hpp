// The WebSocket side of ws_delivery: times every arrival of a measured message against the
// moment just before its POST, counts frames by type, and finds duplicates. Measured messages
// carry client_msg_id "b<k>" (k = message number), warm-up ones "w<group>".
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "latency_histogram.hpp"
#include "ws_pool.hpp"

namespace nt::bench {

// What one pool thread saw; only that thread writes it, main reads it after the pool stops.
struct ArrivalTally {
  LatencyHistogram latency;  // measured messages, POST start -> frame at a recipient
  std::vector<std::pair<std::string, uint64_t>> frames_by_type;
  uint64_t duplicates = 0;
  uint64_t unknown = 0;  // new_message frames with no client_msg_id of ours
  // By second of sending (for --timeline): arrivals, their summed and largest latency.
  std::vector<uint64_t> second_count, second_sum_ns, second_max_ns;
};

// The tallies of all pool threads, added up.
struct Arrivals {
  LatencyHistogram latency;
  uint64_t duplicates = 0;
  uint64_t unknown = 0;
  std::vector<std::pair<std::string, uint64_t>> frames_by_type;
};

// Senders call mark_sent() (any thread) just before each POST; pool threads call on_text();
// main reads the atomics while the run goes and tallies() once the pool has stopped.
class DeliveryRecorder : public WsHandler {
 public:
  // `threads`: the pool's thread count; `messages`: measured messages planned; each should
  // reach `recipients_per_message` connections (more is a duplicate).
  DeliveryRecorder(int threads, size_t messages, uint32_t recipients_per_message);

  void mark_sent(size_t k, int64_t ns) { sent_ns_[k].store(ns, std::memory_order_release); }
  // Where the timeline's seconds start; call before the first mark_sent.
  void set_start(int64_t ns) { start_ns_ = ns; }
  void on_text(int thread, uint64_t tag, std::string_view text) override;

  const std::vector<ArrivalTally>& tallies() const { return tallies_; }
  Arrivals merged() const;
  // Per second of sending: arrivals, their mean and largest latency, on stderr.
  void print_timeline() const;

  std::atomic<uint64_t> connected{0};        // "connected" frames
  std::atomic<uint64_t> warmup_arrivals{0};  // new_message frames of warm-up messages
  std::atomic<uint64_t> arrivals{0};         // new_message frames of measured messages

 private:
  void record(ArrivalTally& t, size_t k, int64_t sent_ns);

  std::vector<ArrivalTally> tallies_;  // one per pool thread
  const size_t messages_;
  const uint32_t recipients_;
  int64_t start_ns_ = 0;
  std::unique_ptr<std::atomic<int64_t>[]> sent_ns_;  // by message number; 0 = not sent yet
  std::unique_ptr<std::atomic<uint32_t>[]> seen_;    // arrivals by message number
};

}  // namespace nt::bench
