#include "delivery_recorder.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "bench_setup.hpp"
#include "json_fields.hpp"

namespace nt::bench {
namespace {

// "new_message" out of {"type":"new_message",...}; empty when the frame is not like that.
std::string_view frame_type(std::string_view text) {
  constexpr std::string_view kPrefix = "{\"type\":\"";
  if (!text.starts_with(kPrefix)) return {};
  const size_t end = text.find('"', kPrefix.size());
  return end == std::string_view::npos ? std::string_view()
                                       : text.substr(kPrefix.size(), end - kPrefix.size());
}

void count_type(std::vector<std::pair<std::string, uint64_t>>& counts, std::string_view type,
                uint64_t n) {
  auto it =
      std::find_if(counts.begin(), counts.end(), [&](const auto& p) { return p.first == type; });
  if (it == counts.end()) {
    counts.emplace_back(std::string(type), n);
  } else {
    it->second += n;
  }
}

}  // namespace

DeliveryRecorder::DeliveryRecorder(int threads, size_t messages, uint32_t recipients_per_message)
    : tallies_(static_cast<size_t>(threads)),
      messages_(messages),
      recipients_(recipients_per_message),
      sent_ns_(new std::atomic<int64_t>[messages]),
      seen_(new std::atomic<uint32_t>[messages]) {
  for (size_t k = 0; k < messages; ++k) {
    sent_ns_[k].store(0, std::memory_order_relaxed);
    seen_[k].store(0, std::memory_order_relaxed);
  }
}

void DeliveryRecorder::on_text(int thread, uint64_t /*tag*/, std::string_view text) {
  ArrivalTally& t = tallies_[static_cast<size_t>(thread)];
  const std::string_view type = frame_type(text);
  count_type(t.frames_by_type, type.empty() ? std::string_view("(not json)") : type, 1);
  if (type == "connected") {
    ++connected;
    return;
  }
  if (type != "new_message") return;
  const auto id = json_string(text, "client_msg_id");
  if (id && id->starts_with("w")) {
    ++warmup_arrivals;
    return;
  }
  size_t k = messages_;
  if (id && id->size() > 1 && id->front() == 'b') k = std::strtoull(id->c_str() + 1, nullptr, 10);
  // The acquire pairs with mark_sent's release: a frame of message k implies its POST began.
  const int64_t sent = k < messages_ ? sent_ns_[k].load(std::memory_order_acquire) : 0;
  if (sent == 0) {
    ++t.unknown;
    return;
  }
  record(t, k, sent);
}

void DeliveryRecorder::record(ArrivalTally& t, size_t k, int64_t sent_ns) {
  const auto latency = static_cast<uint64_t>(std::max<int64_t>(0, mono_ns() - sent_ns));
  t.latency.record(latency);
  const auto second =
      static_cast<size_t>(std::max<int64_t>(0, sent_ns - start_ns_) / 1'000'000'000);
  if (second >= t.second_count.size()) {
    t.second_count.resize(second + 1);
    t.second_sum_ns.resize(second + 1);
    t.second_max_ns.resize(second + 1);
  }
  ++t.second_count[second];
  t.second_sum_ns[second] += latency;
  t.second_max_ns[second] = std::max(t.second_max_ns[second], latency);
  if (seen_[k].fetch_add(1, std::memory_order_relaxed) >= recipients_) ++t.duplicates;
  ++arrivals;
}

Arrivals DeliveryRecorder::merged() const {
  Arrivals out;
  for (const auto& t : tallies_) {
    out.latency.merge(t.latency);
    out.duplicates += t.duplicates;
    out.unknown += t.unknown;
    for (const auto& [type, n] : t.frames_by_type) count_type(out.frames_by_type, type, n);
  }
  return out;
}

void DeliveryRecorder::print_timeline() const {
  size_t seconds = 0;
  for (const auto& t : tallies_) seconds = std::max(seconds, t.second_count.size());
  for (size_t s = 0; s < seconds; ++s) {
    uint64_t count = 0, sum = 0, max = 0;
    for (const auto& t : tallies_) {
      if (s >= t.second_count.size()) continue;
      count += t.second_count[s];
      sum += t.second_sum_ns[s];
      max = std::max(max, t.second_max_ns[s]);
    }
    std::fprintf(stderr, "ws_delivery: second %zu: arrivals=%" PRIu64 " mean_ms=%.1f max_ms=%.1f\n",
                 s, count,
                 count ? static_cast<double>(sum) / static_cast<double>(count) / 1e6 : 0.0,
                 static_cast<double>(max) / 1e6);
  }
}

}  // namespace nt::bench
