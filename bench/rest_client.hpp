// A blocking HTTP/1.1 client on one keep-alive connection, for the setup steps and the message
// sender of the WebSocket benchmarks (register, create chats, tickets, POST messages). Unlike
// http_bench's parser it keeps the response body. One client per thread; not thread-safe.
// Loopback only: the address comes from parse_target_url, which refuses anything else.
#pragma once

#include <netinet/in.h>

#include <string>
#include <string_view>

#include "unique_fd.hpp"

namespace nt::bench {

struct RestReply {
  int status = 0;     // 0 when no response arrived
  std::string body;   // decoded (Content-Length or chunked)
  std::string error;  // why there is no response; empty on success
  bool ok() const { return error.empty(); }
};

class RestClient {
 public:
  // `timeout_s` bounds each connect, send and receive.
  RestClient(const sockaddr_in& addr, std::string host_header, double timeout_s = 10);

  // Sends one request (JSON body when `body` is not empty, "Authorization: Bearer" when `bearer`
  // is not empty) and reads the whole response. A kept-alive connection the server closed
  // meanwhile is reopened once and the request sent again. Never throws for network trouble:
  // the reply says what went wrong.
  RestReply request(std::string_view method, std::string_view path, std::string_view body = {},
                    std::string_view bearer = {});

 private:
  bool connect_now(std::string& error);
  // One attempt; `nothing_received` tells whether retrying is safe.
  RestReply attempt(const std::string& request, bool& nothing_received);
  bool fill(std::string& error);  // reads more bytes into buf_
  bool read_body(RestReply& reply, size_t header_end, bool chunked, long long length,
                 bool until_close);

  sockaddr_in addr_;
  std::string host_header_;
  double timeout_s_;
  UniqueFd fd_;
  std::string buf_;  // received bytes not yet used
};

}  // namespace nt::bench
