// FCM HTTP v1 sender (DESIGN.md §4.5, vectors/fcm.md): a Google service account's RS256 JWT is
// exchanged for an OAuth2 access token (cached until 5 minutes before it expires, refreshed
// once on a 401), then POST {FCM_BASE_URL}/v1/projects/{project}/messages:send with the
// seed's payload shape. Every answer is classified into an FcmResult that the caller records
// on the notification row (and that says when to deactivate the device token).
//
// Blocking I/O: call from background worker threads only, never from the realtime event loop.
// One FcmClient serves the whole process: it is thread-safe, and its access token is shared
// by every thread (one token request per hour, not one per thread).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>

#include "config.hpp"
#include "fcm_protocol.hpp"
#include "http_client.hpp"
#include "rs256.hpp"

namespace nt {

// A service-account file or FCM setting that cannot work; what() names the file and field.
class FcmConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The fields of a Google service-account JSON file that the JWT-bearer grant needs.
struct ServiceAccount {
  std::string project_id;
  std::string private_key_id;  // the JWT's "kid" (optional in the file)
  std::string private_key;     // PEM
  std::string client_email;
  std::string token_uri;  // the JWT's "aud" and, unless FCM_OAUTH_URL is set, the POST target
};

// Parses a service-account JSON text; `source` names it in errors. Throws FcmConfigError when
// it is not JSON, "type" is not "service_account", or private_key, client_email or token_uri
// is missing.
ServiceAccount parse_service_account(std::string_view json_text, const std::string& source);
// Reads and parses the file at `path` (FCM_SERVICE_ACCOUNT_FILE).
ServiceAccount load_service_account(const std::string& path);

// The signed assertion of the JWT-bearer grant for `account` at `now_s` (vectors/fcm.md §2).
std::string oauth_assertion(const ServiceAccount& account, const RsaPrivateKey& key, int64_t now_s);

// Sends one HTTP request; http_request() in production, a scripted function in unit tests.
using HttpTransport = std::function<HttpResponse(const HttpRequest&)>;
// Waits `ms` between attempts; returns false to give up (e.g. the worker is shutting down).
using RetrySleeper = std::function<bool(int64_t ms)>;

// Sleeps on this thread for real.
bool sleep_for_ms(int64_t ms);

// The wait before the next attempt after `r`, the retryable result of attempt number `attempt`
// (1 = the first): the server's Retry-After, or fcm_backoff_ms() with random jitter when that
// is longer. FcmClient::send_with_retry and the queue's senders (push_delivery.cpp) both wait so.
int64_t fcm_retry_wait_ms(const FcmResult& r, int attempt, int64_t base_ms, int64_t cap_ms);

class FcmClient {
 public:
  // Takes FCM_PROJECT_ID (over the file's project_id), FCM_BASE_URL, FCM_OAUTH_URL (over the
  // file's token_uri), FCM_RETRY_BASE_MS, FCM_RETRY_MAX_MS and HTTP_CLIENT_TIMEOUT_MS from
  // `cfg`. Throws FcmConfigError when no project id is known or the private key does not load.
  FcmClient(const Config& cfg, ServiceAccount account, HttpTransport transport = http_request);
  FcmClient(const FcmClient&) = delete;
  FcmClient& operator=(const FcmClient&) = delete;

  const std::string& project_id() const { return project_id_; }

  // One attempt: gets (or reuses) the access token and sends once; on a 401 about the token it
  // fetches a new one and resends once. Never throws for FCM or network failures: they are in
  // the result (a failed token request is kRetryable on a transport error or 5xx, else kFailed).
  FcmResult send(const PushMessage& message) const;

  // Up to `max_attempts` (callers pass FCM_MAX_ATTEMPTS) sends while the result is
  // kRetryable, waiting max(Retry-After, exponential backoff with jitter) in between through
  // `sleep`. Stops early, returning the last retryable result, when a wait would exceed
  // FCM_RETRY_MAX_MS (the caller's queue should then retry after result.retry_after_ms) or when
  // `sleep` returns false.
  FcmResult send_with_retry(const PushMessage& message, int max_attempts,
                            const RetrySleeper& sleep = sleep_for_ms) const;

 private:
  struct TokenOrFailure;
  TokenOrFailure access_token(int64_t now) const;
  // Forgets the cached token if it is still `rejected` (another thread may have replaced it).
  void forget_token(const std::string& rejected) const;
  HttpResponse post_message(const std::string& body, const std::string& token) const;

  ServiceAccount account_;
  RsaPrivateKey key_;
  std::string project_id_;
  std::string send_url_;
  std::string token_url_;
  long timeout_ms_;
  int64_t retry_base_ms_;
  int64_t retry_max_ms_;
  HttpTransport transport_;

  // The cached access token; guarded by token_mutex_, which is also held while a new one is
  // fetched so that concurrent senders wait for one request instead of each making their own.
  mutable std::mutex token_mutex_;
  mutable std::string token_;
  mutable int64_t token_refresh_at_ = 0;
};

// The process's FCM client from FCM_SERVICE_ACCOUNT_FILE, or nullptr when that is empty (push
// is then not configured and rows keep an error_message saying so). Throws FcmConfigError for
// an unreadable or invalid file.
std::shared_ptr<FcmClient> make_fcm_client(const Config& cfg);

// The error_message recorded when push is not configured.
inline constexpr const char* kPushNotConfigured =
    "push is not configured (FCM_SERVICE_ACCOUNT_FILE is empty)";

}  // namespace nt
