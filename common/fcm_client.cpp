#include "fcm_client.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "log.hpp"
#include "read_file.hpp"
#include "text.hpp"
#include "time_util.hpp"

namespace nt {
namespace {

constexpr size_t kMaxServiceAccountBytes = 1 << 20;

bool http_url(std::string_view url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

std::string without_trailing_slashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

RsaPrivateKey load_key(const ServiceAccount& account) {
  try {
    return RsaPrivateKey::from_pem(account.private_key);
  } catch (const Rs256Error& e) {
    throw FcmConfigError("FCM service account " + account.client_email +
                         ": private_key does not load: " + e.what());
  }
}

std::string project_of(const Config& cfg, const ServiceAccount& account) {
  const std::string& id = !cfg.fcm_project_id.empty() ? cfg.fcm_project_id : account.project_id;
  if (id.empty()) {
    throw FcmConfigError(
        "no FCM project id: set FCM_PROJECT_ID or project_id in the "
        "service-account file");
  }
  if (id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") !=
      std::string::npos) {
    throw FcmConfigError("FCM project id \"" + printable_excerpt(id, 80) +
                         "\" is not a project id (letters, digits and '-')");
  }
  return id;
}

}  // namespace

ServiceAccount parse_service_account(std::string_view json_text, const std::string& source) {
  JsonParseError err;
  const Json doc = parse_json(json_text, 8, true, &err);
  if (!doc) throw FcmConfigError(source + ": not a JSON object");
  ServiceAccount a;
  a.project_id = string_member(doc.get(), "project_id");
  a.private_key_id = string_member(doc.get(), "private_key_id");
  a.private_key = string_member(doc.get(), "private_key");
  a.client_email = string_member(doc.get(), "client_email");
  a.token_uri = string_member(doc.get(), "token_uri");
  std::vector<std::string> problems;
  const std::string type = string_member(doc.get(), "type");
  if (type != "service_account") {
    problems.push_back("\"type\" is \"" + printable_excerpt(type, 40) +
                       "\", not \"service_account\"");
  }
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string*>{"private_key", &a.private_key},
        {"client_email", &a.client_email},
        {"token_uri", &a.token_uri}}) {
    if (value->empty()) problems.push_back(std::string("missing \"") + name + "\"");
  }
  if (!a.token_uri.empty() && !http_url(a.token_uri)) {
    problems.push_back("\"token_uri\" is not an http(s) URL");
  }
  if (!problems.empty()) {
    std::string msg = source + ":";
    for (size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : " ") + problems[i];
    throw FcmConfigError(msg);
  }
  return a;
}

ServiceAccount load_service_account(const std::string& path) {
  const std::string source = "FCM_SERVICE_ACCOUNT_FILE " + path;
  const std::optional<std::string> text = read_file(path, kMaxServiceAccountBytes);
  if (!text && errno == EFBIG) throw FcmConfigError(source + ": larger than 1 MB");
  if (!text) throw FcmConfigError(source + ": cannot read (" + std::strerror(errno) + ")");
  return parse_service_account(*text, source);
}

std::string oauth_assertion(const ServiceAccount& account, const RsaPrivateKey& key,
                            int64_t now_s) {
  return jwt_sign_rs256(oauth_jwt_claims(account.client_email, account.token_uri, now_s), key,
                        account.private_key_id);
}

bool sleep_for_ms(int64_t ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return true;
}

int64_t fcm_retry_wait_ms(const FcmResult& r, int attempt, int64_t base_ms, int64_t cap_ms) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  return std::max(r.retry_after_ms, fcm_backoff_ms(attempt, base_ms, cap_ms, jitter));
}

struct FcmClient::TokenOrFailure {
  std::string token;  // "" when the token request failed
  FcmResult failure;
};

FcmClient::FcmClient(const Config& cfg, ServiceAccount account, HttpTransport transport)
    : account_(std::move(account)),
      key_(load_key(account_)),
      project_id_(project_of(cfg, account_)),
      send_url_(without_trailing_slashes(cfg.fcm_base_url) + "/v1/projects/" + project_id_ +
                "/messages:send"),
      token_url_(cfg.fcm_oauth_url.empty() ? account_.token_uri : cfg.fcm_oauth_url),
      timeout_ms_(static_cast<long>(cfg.http_client_timeout_ms)),
      retry_base_ms_(cfg.fcm_retry_base_ms),
      retry_max_ms_(cfg.fcm_retry_max_ms),
      transport_(std::move(transport)) {
  if (!http_url(send_url_)) throw FcmConfigError("FCM_BASE_URL is not an http(s) URL");
  if (!http_url(token_url_)) throw FcmConfigError("FCM_OAUTH_URL is not an http(s) URL");
  // key_ holds the key from here on; the PEM copy is not kept in memory.
  OPENSSL_cleanse(account_.private_key.data(), account_.private_key.size());
  account_.private_key.clear();
}

FcmClient::TokenOrFailure FcmClient::access_token(int64_t now) const {
  std::lock_guard<std::mutex> lock(token_mutex_);
  if (!token_.empty() && now < token_refresh_at_) return {token_, {}};
  std::string assertion;
  try {
    assertion = oauth_assertion(account_, key_, now);
  } catch (const Rs256Error& e) {
    return {"", fcm_result(FcmOutcome::kFailed,
                           std::string("signing the OAuth JWT failed: ") + e.what())};
  }
  const std::string form =
      "grant_type=" + url_encode(kJwtBearerGrant) + "&assertion=" + url_encode(assertion);
  HttpRequest req;
  req.method = "POST";
  req.url = token_url_;
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"Accept", "application/json"}};
  req.body = form;
  req.timeout_ms = timeout_ms_;
  req.connect_timeout_ms = std::min(timeout_ms_, 2000L);
  const HttpResponse resp = transport_(req);
  std::string error;
  const auto token = parse_oauth_response(resp, &error);
  if (!token) {
    const bool transient = resp.status == 0 || resp.status == 429 || resp.status >= 500;
    FcmResult f = fcm_result(transient ? FcmOutcome::kRetryable : FcmOutcome::kFailed,
                             "OAuth token request to " + token_url_ + " failed: " + error);
    f.http_status = resp.status;
    f.error_code = "OAUTH_TOKEN";
    if (transient)
      f.retry_after_ms = parse_retry_after_ms(resp.header("retry-after"), now).value_or(0);
    log_warn("fcm: %s", f.error_message.c_str());
    return {"", std::move(f)};
  }
  token_ = token->access_token;
  token_refresh_at_ = oauth_refresh_at(now, token->expires_in_s);
  return {token_, {}};
}

void FcmClient::forget_token(const std::string& rejected) const {
  std::lock_guard<std::mutex> lock(token_mutex_);
  if (token_ == rejected) token_.clear();
}

HttpResponse FcmClient::post_message(const std::string& body, const std::string& token) const {
  HttpRequest req;
  req.method = "POST";
  req.url = send_url_;
  req.headers = {{"Authorization", "Bearer " + token},
                 {"Content-Type", "application/json; charset=UTF-8"},
                 {"Accept", "application/json"}};
  req.body = body;
  req.timeout_ms = timeout_ms_;
  req.connect_timeout_ms = std::min(timeout_ms_, 2000L);
  return transport_(req);
}

FcmResult FcmClient::send(const PushMessage& message) const {
  const std::string problem = push_message_problem(message);
  if (!problem.empty()) {
    FcmResult r = fcm_result(FcmOutcome::kFailed, "not sent: " + problem);
    r.error_code = "INVALID_PAYLOAD";
    r.attempts = 1;
    return r;
  }
  const std::string body = fcm_request_body(message).dump();
  FcmResult r;
  for (int round = 0; round < 2; ++round) {
    TokenOrFailure t = access_token(now_s());
    if (t.token.empty()) {
      t.failure.attempts = 1;
      return t.failure;
    }
    r = classify_fcm_response(post_message(body, t.token), now_s());
    r.attempts = 1;
    if (r.outcome != FcmOutcome::kUnauthenticated) return r;
    forget_token(t.token);  // expired or revoked early: one fresh token, one resend
  }
  r.outcome = FcmOutcome::kFailed;
  r.error_message += " (again with a fresh access token)";
  return r;
}

FcmResult FcmClient::send_with_retry(const PushMessage& message, int max_attempts,
                                     const RetrySleeper& sleep) const {
  for (int attempt = 1;; ++attempt) {
    FcmResult r = send(message);
    r.attempts = attempt;
    if (r.outcome != FcmOutcome::kRetryable || attempt >= max_attempts) return r;
    const int64_t wait = fcm_retry_wait_ms(r, attempt, retry_base_ms_, retry_max_ms_);
    if (wait > retry_max_ms_ || !sleep(wait)) return r;
  }
}

std::shared_ptr<FcmClient> make_fcm_client(const Config& cfg) {
  if (cfg.fcm_service_account_file.empty()) return nullptr;
  ServiceAccount account = load_service_account(cfg.fcm_service_account_file);
  try {
    return std::make_shared<FcmClient>(cfg, std::move(account));
  } catch (const FcmConfigError& e) {
    throw FcmConfigError("FCM_SERVICE_ACCOUNT_FILE " + cfg.fcm_service_account_file + ": " +
                         e.what());
  }
}

}  // namespace nt
