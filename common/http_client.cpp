#include "http_client.hpp"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "c_ptr.hpp"
#include "text.hpp"

namespace nt {
namespace {

struct Sink {
  HttpResponse* resp;
  size_t cap;
  bool overflow = false;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t len = size * n;
  if (sink->resp->body.size() + len > sink->cap) {
    sink->overflow = true;
    return 0;  // aborts the transfer
  }
  sink->resp->body.append(data, len);
  return len;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* resp = static_cast<HttpResponse*>(user);
  const std::string_view line(data, size * n);
  const size_t colon = line.find(':');
  if (line.rfind("HTTP/", 0) == 0) {
    resp->headers.clear();  // a new response (after 100 Continue or a redirect)
  } else if (colon != std::string_view::npos) {
    resp->headers.emplace_back(ascii_lower(trim(line.substr(0, colon), " \t")),
                               std::string(trim(line.substr(colon + 1), " \t\r\n")));
  }
  return size * n;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::string HttpResponse::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return {};
}

HttpResponse http_request(const HttpRequest& req) {
  global_init();
  HttpResponse resp;
  CPtr<CURL, curl_easy_cleanup> curl(curl_easy_init());
  if (!curl) {
    resp.error = "curl_easy_init failed";
    return resp;
  }
  CURL* c = curl.get();
  CPtr<curl_slist, curl_slist_free_all> headers;
  for (const auto& [k, v] : req.headers) {
    const std::string line = k + ": " + v;
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next == nullptr) {
      resp.error = "out of memory";
      return resp;
    }
    (void)headers.release();
    headers.reset(next);
  }
  // Without this curl sends "Expect: 100-continue" for larger bodies and waits for it.
  curl_slist* next = curl_slist_append(headers.get(), "Expect:");
  if (next != nullptr) {
    (void)headers.release();
    headers.reset(next);
  }
  Sink sink{&resp, req.max_response_bytes};
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req.timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, req.connect_timeout_ms);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp);
  if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (req.method != "GET" || !req.body.empty() || req.send_body) {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    if (!req.body.empty() || req.send_body || req.method == "POST" || req.method == "PUT") {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    }
  }
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    resp.status = 0;
    resp.error = sink.overflow           ? "response too large"
                 : rc == CURLE_OPERATION_TIMEDOUT ? "timeout"
                                                  : curl_easy_strerror(rc);
    return resp;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  return resp;
}

}  // namespace nt
