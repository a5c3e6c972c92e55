// Outgoing HTTP for the external services (S3, GIPHY, FCM): one blocking call on libcurl with
// a total timeout and a cap on the response size. Only worker threads call it (never the
// realtime event loop). Thread-safe: each call uses its own easy handle.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nt {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;           // sent as given
  std::string_view body;         // sent for any method when non-empty (or when send_body)
  bool send_body = false;        // send an empty body with Content-Length: 0 (e.g. PUT of "")
  long timeout_ms = 5000;        // whole request
  long connect_timeout_ms = 2000;
  size_t max_response_bytes = 8 * 1024 * 1024;
};

struct HttpResponse {
  long status = 0;        // 0 when the request failed before a response (see error)
  std::string body;
  HttpHeaders headers;    // names lower-cased
  std::string error;      // transport error ("timeout", "connect: ..."), "" on a response

  bool ok() const { return status >= 200 && status < 300; }
  // The first header of that (lower-case) name, or "".
  std::string header(std::string_view lower_name) const;
};

// Performs the request. Never throws for network failures: they come back as status 0.
HttpResponse http_request(const HttpRequest& req);

}  // namespace nt
