// One load-generating thread: an epoll loop over its share of keep-alive connections. Each
// connection sends the request, waits for the whole response, records the latency and sends the
// request again; broken connections are counted and reopened.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <vector>

#include "latency_histogram.hpp"

namespace nt::bench {

// What every worker sends, where, and when to record. Built once by main and only read by the
// workers, so it is shared without locks.
struct LoadPlan {
  sockaddr_in addr{};
  std::vector<std::string> requests;  // sent in turn by each worker (at least one)
  bool head_request = false;
  int64_t record_start_ns = 0;  // steady_now_ns() time; earlier responses are warm-up
  int64_t record_end_ns = 0;    // the worker returns at this time
  int64_t request_timeout_ns = 0;
};

// Everything one worker measured; owned by that worker until it returns, then read by main.
struct WorkerResult {
  LatencyHistogram latencies;  // one entry per response completed in the recording window
  uint64_t non_2xx = 0;
  uint64_t errors = 0;
  std::string first_error;  // first counted error, for the person reading the output
  std::string fatal;        // set when the worker could not run at all
};

// Nanoseconds on the monotonic clock that LoadPlan times are expressed in.
int64_t steady_now_ns();

// Drives `connections` connections from the calling thread until plan.record_end_ns. Responses
// and errors are counted only inside [record_start_ns, record_end_ns); requests still in flight
// at the end are dropped uncounted. Latency runs from the moment a request is due (including
// the reconnect when the previous response closed the connection) to its last byte. Throws
// std::system_error only if epoll itself fails; connection trouble is counted, never thrown.
void run_load_worker(const LoadPlan& plan, int connections, WorkerResult& out);

}  // namespace nt::bench
