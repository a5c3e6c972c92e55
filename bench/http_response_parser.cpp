#include "http_response_parser.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "http_text.hpp"

namespace nt::bench {

namespace {

// Longer lines mean a broken or hostile peer; the benchmark only talks to our own nginx.
constexpr size_t kMaxLineLength = 16 * 1024;

// Calls fn(token) for each trimmed, non-empty comma-separated token of a header value.
template <typename Fn>
void for_each_token(std::string_view value, Fn fn) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    const std::string_view token = trim(value.substr(0, comma));
    if (!token.empty()) fn(token);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

}  // namespace

void HttpResponseParser::reset(bool head_request) {
  head_request_ = head_request;
  line_.clear();
  line_taken_ = false;
  error_.clear();
  start_response();
}

void HttpResponseParser::start_response() {
  state_ = State::kStatusLine;
  status_code_ = 0;
  keep_alive_ = true;
  has_length_ = false;
  has_transfer_encoding_ = false;
  chunked_ = false;
  remaining_ = 0;
}

void HttpResponseParser::fail(std::string message) {
  state_ = State::kError;
  error_ = std::move(message);
}

// Returns the next complete line (without CR LF) or false when the line continues in a later
// read. The line points into the input when it arrived whole, else into line_.
bool HttpResponseParser::take_line(const char*& p, const char* end, std::string_view& line) {
  if (line_taken_) {
    line_.clear();
    line_taken_ = false;
  }
  const auto* newline = static_cast<const char*>(std::memchr(p, '\n', end - p));
  const size_t length = (newline ? newline : end) - p;
  if (line_.size() + length > kMaxLineLength) {
    fail("response line longer than 16 KiB");
    return false;
  }
  if (!newline) {
    line_.append(p, length);
    p = end;
    return false;
  }
  if (line_.empty()) {
    line = std::string_view(p, length);
  } else {
    line_.append(p, length);
    line = line_;
    line_taken_ = true;
  }
  p = newline + 1;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return true;
}

HttpResponseParser::FeedResult HttpResponseParser::feed(const char* data, size_t size) {
  const char* p = data;
  const char* const end = data + size;
  while (p < end && state_ != State::kDone && state_ != State::kError) {
    switch (state_) {
      case State::kBody:
      case State::kChunkData: {
        const auto n = static_cast<size_t>(std::min<uint64_t>(remaining_, end - p));
        p += n;
        remaining_ -= n;
        if (remaining_ == 0) state_ = state_ == State::kBody ? State::kDone : State::kChunkDataEnd;
        break;
      }
      case State::kUntilClose:
        p = end;
        break;
      default: {
        std::string_view line;
        if (take_line(p, end, line)) on_line(line);
        break;
      }
    }
  }
  const auto consumed = static_cast<size_t>(p - data);
  if (state_ == State::kDone) return {Status::kDone, consumed};
  if (state_ == State::kError) return {Status::kError, consumed};
  return {Status::kNeedMore, consumed};
}

HttpResponseParser::Status HttpResponseParser::on_eof() {
  if (state_ == State::kUntilClose || state_ == State::kDone) {
    state_ = State::kDone;
    keep_alive_ = false;
    return Status::kDone;
  }
  if (state_ != State::kError) {
    const bool nothing_yet = state_ == State::kStatusLine && line_.empty();
    fail(nothing_yet ? "connection closed before any response"
                     : "connection closed in the middle of a response");
  }
  return Status::kError;
}

void HttpResponseParser::on_line(std::string_view line) {
  switch (state_) {
    case State::kStatusLine:
      return on_status_line(line);
    case State::kHeaders:
      return line.empty() ? on_headers_end() : on_header_line(line);
    case State::kChunkSize:
      return on_chunk_size_line(line);
    case State::kChunkDataEnd:
      if (!line.empty()) return fail("chunk data longer than its declared size");
      state_ = State::kChunkSize;
      return;
    case State::kTrailers:
      if (line.empty()) state_ = State::kDone;  // trailer fields themselves are ignored
      return;
    default:
      return;
  }
}

// "HTTP/1.1 200 OK" or "HTTP/1.0 404" (the reason phrase may be empty).
void HttpResponseParser::on_status_line(std::string_view line) {
  constexpr std::string_view kPrefix = "HTTP/1.";
  const bool well_formed = line.size() >= 12 && line.starts_with(kPrefix) &&
                           (line[7] == '0' || line[7] == '1') && line[8] == ' ' &&
                           (line.size() == 12 || line[12] == ' ');
  int code = 0;
  const auto [ptr, ec] = std::from_chars(line.data() + 9, line.data() + 12, code);
  if (!well_formed || ec != std::errc() || ptr != line.data() + 12 || code < 100 || code > 599) {
    return fail("malformed status line: " + std::string(line.substr(0, 80)));
  }
  status_code_ = code;
  keep_alive_ = line[7] == '1';  // HTTP/1.0 closes unless it says keep-alive
  state_ = State::kHeaders;
}

void HttpResponseParser::on_header_line(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') return;  // obsolete folding; nothing we need
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return fail("malformed header line: " + std::string(line.substr(0, 80)));
  }
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = trim(line.substr(colon + 1));
  if (iequals(name, "Content-Length")) {
    uint64_t length = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (value.empty() || ec != std::errc() || ptr != value.data() + value.size() ||
        (has_length_ && length != remaining_)) {
      return fail("bad Content-Length: " + std::string(value.substr(0, 40)));
    }
    has_length_ = true;
    remaining_ = length;
  } else if (iequals(name, "Transfer-Encoding")) {
    // Only the last coding decides the framing; chunked must be last if present at all.
    has_transfer_encoding_ = true;
    chunked_ = false;
    for_each_token(value, [this](std::string_view t) { chunked_ = iequals(t, "chunked"); });
  } else if (iequals(name, "Connection")) {
    for_each_token(value, [this](std::string_view t) {
      if (iequals(t, "close")) keep_alive_ = false;
      if (iequals(t, "keep-alive")) keep_alive_ = true;
    });
  }
}

void HttpResponseParser::on_headers_end() {
  if (status_code_ < 200) {
    // 100 Continue and friends precede the real response; 101 would switch protocols.
    if (status_code_ == 101) return fail("unexpected 101 Switching Protocols");
    return start_response();
  }
  if (head_request_ || status_code_ == 204 || status_code_ == 304) {
    state_ = State::kDone;
  } else if (has_transfer_encoding_) {
    // Transfer-Encoding overrides Content-Length (RFC 9112 6.3); non-chunked means "until close".
    state_ = chunked_ ? State::kChunkSize : State::kUntilClose;
    if (!chunked_) keep_alive_ = false;
  } else if (has_length_) {
    state_ = remaining_ == 0 ? State::kDone : State::kBody;
  } else {
    state_ = State::kUntilClose;
    keep_alive_ = false;
  }
}

// "1a2b" optionally followed by ";extension".
void HttpResponseParser::on_chunk_size_line(std::string_view line) {
  const std::string_view digits = trim(line.substr(0, line.find(';')));
  uint64_t size = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
    return fail("bad chunk size: " + std::string(line.substr(0, 40)));
  }
  if (size == 0) {
    state_ = State::kTrailers;
  } else {
    remaining_ = size;
    state_ = State::kChunkData;
  }
}

}  // namespace nt::bench
