// Incremental HTTP/1.x response parser for the load generator: status line, headers, and the
// body framed by Content-Length, chunked transfer encoding or connection close. Body bytes are
// counted, never stored, so large responses cost no memory. One parser per connection; not
// thread-safe. Interim 1xx responses are skipped; pipelining is not supported.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace nt::bench {

class HttpResponseParser {
 public:
  enum class Status { kNeedMore, kDone, kError };
  struct FeedResult {
    Status status;
    // Bytes used; on kDone, anything after `consumed` is not part of this response.
    size_t consumed;
  };

  // Prepares for the next response. A response to HEAD has headers only, whatever they say.
  void reset(bool head_request);
  // Feeds the next bytes received. After kDone or kError, reset() before feeding again.
  FeedResult feed(const char* data, size_t size);
  // The peer closed the connection: completes a body framed by close, otherwise an error.
  Status on_eof();

  int status_code() const { return status_code_; }
  // Whether the connection may carry another request (HTTP version and Connection header).
  bool keep_alive() const { return keep_alive_; }
  // Why the last feed/on_eof returned kError.
  const std::string& error() const { return error_; }

 private:
  enum class State {
    kStatusLine,
    kHeaders,
    kBody,
    kChunkSize,
    kChunkData,
    kChunkDataEnd,
    kTrailers,
    kUntilClose,
    kDone,
    kError,
  };

  bool take_line(const char*& p, const char* end, std::string_view& line);
  void on_line(std::string_view line);
  void on_status_line(std::string_view line);
  void on_header_line(std::string_view line);
  void on_headers_end();
  void on_chunk_size_line(std::string_view line);
  void start_response();
  void fail(std::string message);

  State state_ = State::kStatusLine;
  bool head_request_ = false;
  int status_code_ = 0;
  bool keep_alive_ = true;
  bool has_length_ = false;
  bool has_transfer_encoding_ = false;
  bool chunked_ = false;
  uint64_t remaining_ = 0;  // kBody / kChunkData: body bytes still to come
  std::string line_;        // a line split across reads, kept until its '\n' arrives
  bool line_taken_ = false;
  std::string error_;
};

}  // namespace nt::bench
