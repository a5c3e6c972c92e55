#include "rest_client.hpp"

#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "http_text.hpp"

namespace nt::bench {
namespace {

constexpr size_t kMaxHeaderBytes = 64 * 1024;
constexpr size_t kMaxBodyBytes = 64 * 1024 * 1024;

timeval to_timeval(double s) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(s);
  tv.tv_usec = static_cast<suseconds_t>((s - static_cast<double>(tv.tv_sec)) * 1e6);
  return tv;
}

}  // namespace

RestClient::RestClient(const sockaddr_in& addr, std::string host_header, double timeout_s)
    : addr_(addr), host_header_(std::move(host_header)), timeout_s_(timeout_s) {}

bool RestClient::connect_now(std::string& error) {
  fd_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd_.valid()) {
    error = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  const timeval tv = to_timeval(timeout_s_);
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  const int one = 1;
  ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&addr_), sizeof addr_) != 0) {
    error = std::string("connect: ") + std::strerror(errno);
    fd_.reset();
    return false;
  }
  buf_.clear();
  return true;
}

bool RestClient::fill(std::string& error) {
  char chunk[16384];
  for (;;) {
    const ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
    if (n > 0) {
      buf_.append(chunk, static_cast<size_t>(n));
      return true;
    }
    if (n == 0) {
      error = "connection closed by the server";
      return false;
    }
    if (errno == EINTR) continue;
    error = errno == EAGAIN ? "timed out waiting for the response"
                            : std::string("recv: ") + std::strerror(errno);
    return false;
  }
}

RestReply RestClient::request(std::string_view method, std::string_view path, std::string_view body,
                              std::string_view bearer) {
  std::string req;
  req.reserve(256 + body.size() + bearer.size());
  req.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: ").append(host_header_);
  req.append("\r\nUser-Agent: nerutalk-bench\r\nAccept: application/json\r\n");
  if (!bearer.empty()) req.append("Authorization: Bearer ").append(bearer).append("\r\n");
  if (!body.empty() || method == "POST" || method == "PUT") {
    if (!body.empty()) req.append("Content-Type: application/json\r\n");
    req.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  req.append("\r\n").append(body);

  const bool reused = fd_.valid();
  bool nothing_received = true;
  RestReply r = attempt(req, nothing_received);
  if (!r.ok() && reused && nothing_received) {
    fd_.reset();
    r = attempt(req, nothing_received);
  }
  if (!r.ok()) fd_.reset();
  return r;
}

RestReply RestClient::attempt(const std::string& request, bool& nothing_received) {
  RestReply r;
  nothing_received = true;
  if (!fd_.valid() && !connect_now(r.error)) return r;
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(fd_.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      r.error = std::string("send: ") + std::strerror(errno);
      return r;
    }
    sent += static_cast<size_t>(n);
  }
  size_t header_end;
  while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos) {
    if (buf_.size() > kMaxHeaderBytes) {
      r.error = "response headers too long";
      return r;
    }
    if (!fill(r.error)) return r;
    nothing_received = false;
  }
  nothing_received = false;
  const std::string_view head(buf_.data(), header_end);
  if (head.size() < 12 || !head.starts_with("HTTP/1.")) {
    r.error = "malformed status line";
    return r;
  }
  std::from_chars(head.data() + 9, head.data() + 12, r.status);
  bool chunked = false, close_after = head[7] == '0';
  long long length = -1;
  size_t line_start = head.find("\r\n");
  while (line_start != std::string_view::npos && line_start + 2 < head.size()) {
    const size_t next = head.find("\r\n", line_start + 2);
    const std::string_view line = head.substr(line_start + 2, next - line_start - 2);
    line_start = next;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    if (iequals(name, "Content-Length")) {
      std::from_chars(value.data(), value.data() + value.size(), length);
    } else if (iequals(name, "Transfer-Encoding")) {
      chunked = value.find("chunked") != std::string_view::npos;
    } else if (iequals(name, "Connection")) {
      if (iequals(value, "close")) close_after = true;
    }
  }
  const bool no_body = r.status == 204 || r.status == 304 || (r.status >= 100 && r.status < 200);
  if (!no_body && !read_body(r, header_end + 4, chunked, length, !chunked && length < 0)) {
    return r;
  }
  if (no_body) buf_.erase(0, header_end + 4);
  if (close_after || (!chunked && length < 0 && !no_body)) fd_.reset();
  return r;
}

// Decodes the body that starts at buf_[start]; on return buf_ holds only what follows it.
bool RestClient::read_body(RestReply& r, size_t start, bool chunked, long long length,
                           bool until_close) {
  if (until_close) {
    std::string ignored;
    while (fill(ignored)) {
      if (buf_.size() > kMaxBodyBytes) break;
    }
    r.body = buf_.substr(start);
    buf_.clear();
    return true;
  }
  if (!chunked) {
    if (static_cast<unsigned long long>(length) > kMaxBodyBytes) {
      r.error = "response body too large";
      return false;
    }
    while (buf_.size() - start < static_cast<size_t>(length)) {
      if (!fill(r.error)) return false;
    }
    r.body = buf_.substr(start, static_cast<size_t>(length));
    buf_.erase(0, start + static_cast<size_t>(length));
    return true;
  }
  size_t p = start;
  for (;;) {
    size_t eol;
    while ((eol = buf_.find("\r\n", p)) == std::string::npos) {
      if (!fill(r.error)) return false;
    }
    size_t size = 0;
    std::from_chars(buf_.data() + p, buf_.data() + eol, size, 16);
    p = eol + 2;
    if (size == 0) {  // last chunk, then optional trailers and an empty line
      for (;;) {
        if (buf_.size() >= p + 2 && buf_.compare(p, 2, "\r\n") == 0) {
          buf_.erase(0, p + 2);
          return true;
        }
        if (const size_t t = buf_.find("\r\n\r\n", p); t != std::string::npos) {
          buf_.erase(0, t + 4);
          return true;
        }
        if (!fill(r.error)) return false;
      }
    }
    if (r.body.size() + size > kMaxBodyBytes) {
      r.error = "response body too large";
      return false;
    }
    while (buf_.size() < p + size + 2) {
      if (!fill(r.error)) return false;
    }
    r.body.append(buf_, p, size);
    p += size + 2;
  }
}

}  // namespace nt::bench
